package io.asyncruntime;

/**
 * A coroutine: direct-style code that may suspend at {@link Awaitable#await()} and returns a value.
 *
 * <p>This is asyncio's coroutine object: creating one (writing the lambda) runs nothing. It runs when
 * it is wrapped in a {@link Task} ({@link Async#createTask}, {@link EventLoop#createTask}, {@link Async#run}),
 * or inline in the current task with {@link Async#await(Coroutine)}.
 *
 * <p>Threading: the body runs on the virtual thread of the task that runs it, never concurrently with
 * another task or callback of the same loop; between two awaits nothing else of that loop runs.
 *
 * @param <T> the type of the value it returns
 */
@FunctionalInterface
public interface Coroutine<T> {

    /**
     * Runs the body. Called by the task that runs this coroutine; call {@link Async#await(Coroutine)}
     * instead of calling this directly.
     *
     * @return the coroutine's result
     * @throws Exception whatever the body throws; a {@link CancelledError} cancels the task running it
     */
    T call() throws Exception;
}
