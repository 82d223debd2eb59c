package io.asyncruntime;

/**
 * Something a coroutine can await: a {@link Future} or a {@link Task}.
 *
 * @param <T> the type of the result
 */
public interface Awaitable<T> {

    /**
     * Suspends the current task, never the loop, until this is done, then returns its result.
     *
     * <p>Returns at once, without yielding to other tasks, when this is already done.
     *
     * @return the result
     * @throws CancelledError if this was cancelled, or if the awaiting task is cancelled while it waits
     * @throws IllegalStateException if called outside a task of this awaitable's loop, or by a task on itself
     *         (any other exception: the very object this awaitable failed with, checked or not)
     */
    T await();
}
