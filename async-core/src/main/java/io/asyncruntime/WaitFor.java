package io.asyncruntime;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * asyncio 3.12's {@code wait_for}: the awaited code inside a {@link Timeout} scope that converts on its way out,
 * so the awaited code sees {@link CancelledError} and the caller {@link TimeoutError}. See
 * {@link Async#waitFor(Object, Duration)}.
 *
 * <p>Threading: loop thread only, in a task.
 */
final class WaitFor {
    private WaitFor() {
    }

    @SuppressWarnings("unchecked")
    static <T> T waitFor(Object aw, Duration timeout) {
        Objects.requireNonNull(aw, "aw");
        EventLoop loop = EventLoop.runningLoopOrThrow();
        loop.currentTaskForAwait();
        if (timeout == null) {
            return awaitAny(aw);
        }
        long nanos = EventLoop.dueInNanos(timeout, "timeout");
        if (nanos <= 0) {
            Future<T> f = Async.ensureFuture(aw);
            if (f.done()) {
                return f.result();
            }
            cancelAndWait(f);
            try {
                return f.result();
            } catch (CancelledError e) {
                TimeoutError te = new TimeoutError("waitFor() timed out");
                te.initCause(e);
                throw te;
            }
        }
        return Timeout.runBody(new Timeout(loop.deadlineAfter(nanos) / 1e9, false), scope -> awaitAny(aw));
    }

    @SuppressWarnings("unchecked")
    private static <T> T awaitAny(Object aw) {
        if (aw instanceof Coroutine<?> c) {
            return (T) Async.await(c);
        }
        if (aw instanceof Awaitable<?> a) {
            return (T) a.await();
        }
        throw new IllegalArgumentException("A Future, a Coroutine or an Awaitable is required, got " + aw.getClass().getName());
    }

    /* Cancels f and waits until it is done, however the waiting task is woken meanwhile (CPython's _cancel_and_wait). */
    private static void cancelAndWait(Future<?> f) {
        Future<Void> waiter = f.loop.createFuture();
        Consumer<Future<?>> release = x -> {
            if (!waiter.done()) {
                waiter.finishWithResult(null);
            }
        };
        Waiting.addCallback(f, release);
        try {
            f.cancel();
            waiter.await();
        } finally {
            Waiting.removeCallback(f, release);
        }
    }
}
