package io.asyncruntime;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * asyncio's {@code shield}: an outer future that mirrors an inner one, so that cancelling the outer (or the task
 * awaiting it) leaves the inner running. See {@link Async#shield(Object)}.
 *
 * <p>Threading: loop thread only.
 */
final class Shield {
    private Shield() {
    }

    @SuppressWarnings("unchecked")
    static <T> Future<T> shield(Object aw) {
        Future<T> inner = Async.ensureFuture(Objects.requireNonNull(aw, "aw"));
        if (inner.done()) {
            return inner;
        }
        Future<T> outer = inner.loop.createFuture();
        Consumer<Future<T>> innerDone = f -> {
            if (outer.cancelled()) {
                if (!f.cancelled()) {
                    f.exception(); // retrieved: the caller gave up on it on purpose
                }
                return;
            }
            if (f.cancelled()) {
                outer.cancel();
            } else if (f.exception() != null) {
                outer.finishWithException(f.exception());
            } else {
                outer.finishWithResult(f.result());
            }
        };
        inner.addDoneCallback(innerDone);
        outer.addDoneCallback(f -> {
            if (!inner.done()) {
                inner.removeDoneCallback(innerDone);
            }
        });
        return outer;
    }
}
