package io.asyncruntime;

import io.asyncruntime.internal.Throwables;
import java.util.concurrent.CompletableFuture;
import java.util.Objects;

/**
 * asyncio's {@code wrap_future}: a loop future that follows a JDK future, completed on the loop whichever thread
 * completes the source. See {@link Async#wrapFuture(java.util.concurrent.Future)}.
 *
 * <p>Threading: {@link #wrapFuture} on the loop thread; the source's completion may come from any thread and is
 * handed to the loop through its thread-safe submission.
 */
final class JdkFutureBridge {
    private JdkFutureBridge() {
    }

    static <T> Future<T> wrapFuture(java.util.concurrent.Future<T> source) {
        Objects.requireNonNull(source, "source");
        EventLoop loop = EventLoop.runningLoopOrThrow();
        Future<T> target;
        if (source instanceof CompletableFuture<T> cf) {
            target = loop.createFuture();
            loop.externalWorkStarted();
            cf.whenComplete((value, error) -> {
                EventLoop.Completion copy = () -> {
                    loop.externalWorkDone();
                    copyOutcome(value, error, target);
                };
                if (loop.inLoop()) {
                    copy.run();
                } else {
                    loop.submitThreadsafe(copy); // a closed loop runs it here: the future is answered all the same
                }
            });
        } else {
            target = loop.runInExecutor(null, () -> {
                try {
                    return source.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw Throwables.sneakyThrow(e.getCause());
                }
            });
        }
        target.addDoneCallback(f -> {
            if (f.cancelled()) {
                source.cancel(true);
            }
        });
        return target;
    }

    private static <T> void copyOutcome(T value, Throwable error, Future<T> target) {
        if (target.done()) {
            return;
        }
        Throwable cause = error instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null
                ? ce.getCause() : error;
        if (cause instanceof java.util.concurrent.CancellationException) {
            target.cancel();
        } else if (cause != null) {
            target.finishWithException(cause);
        } else {
            target.finishWithResult(value);
        }
    }
}
