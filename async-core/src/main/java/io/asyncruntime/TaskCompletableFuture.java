package io.asyncruntime;

import java.util.concurrent.CompletableFuture;

/**
 * The {@link CompletableFuture} that {@link Async#runCoroutineThreadsafe} and {@link AsyncRuntime#submit} hand to
 * another thread: the task's outcome completes it, cancelling it cancels the task.
 *
 * <p>It is answered in every case, including when the loop goes away first: the task's outcome normally; a
 * {@link CancelledError} when the loop closes before the task started or while it was pending (the task is then
 * abandoned, see {@link EventLoop#close()}); a {@link CancelledError} naming the task when {@link AsyncRuntime}
 * gives up on a loop thread held by a blocking call ({@link EventLoop#releaseExternalWaiters}). To make the last
 * case possible every unanswered instance is registered with its loop until it completes.
 *
 * <p>Threading: any thread, as a CompletableFuture; {@link #bind} runs on the loop.
 */
final class TaskCompletableFuture<T> extends CompletableFuture<T> {
    private final EventLoop loop;
    /* Threading: written once by the creating thread or the loop (both write the same task); read anywhere. */
    private volatile Task<T> task;

    TaskCompletableFuture(EventLoop loop) {
        this.loop = loop;
        loop.externalWaiterAdded(this);
    }

    /* Any thread: the task this future answers for, known as soon as it is created (before it starts). */
    void track(Task<T> t) {
        task = t;
    }

    Task<T> task() {
        return task;
    }

    /* On the loop, when the task starts: its outcome completes this future. */
    void bind(Task<T> t) {
        task = t;
        if (isCancelled()) {
            t.cancel();
        }
        t.addDoneCallback(f -> {
            if (f.cancelled()) {
                // A CancellationException completes it as cancelled, and keeps the cancel message.
                completeExceptionally(f.makeCancelledError());
            } else if (f.peekException() != null) {
                completeExceptionally(f.exception());
            } else {
                complete(f.result());
            }
        });
    }

    /* Any thread: the loop closed before the task could start. */
    void abandoned() {
        completeExceptionally(new CancelledError("event loop " + loop.name() + " closed before the task started"));
    }

    @Override
    public boolean complete(T value) {
        boolean first = super.complete(value);
        loop.externalWaiterAnswered(this);
        return first;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        boolean first = super.completeExceptionally(ex);
        loop.externalWaiterAnswered(this);
        return first;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        loop.externalWaiterAnswered(this);
        Task<T> t = task;
        if (cancelled && t != null && !loop.isClosed()) {
            try {
                loop.callSoonThreadsafe(() -> t.cancel());
            } catch (IllegalStateException closedMeanwhile) {
                // the loop closed: closing abandoned the task
            }
        }
        return cancelled;
    }
}
