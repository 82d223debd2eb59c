package io.asyncruntime;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link Async#gather}: asyncio's {@code gather}, whose outer future collects its children's outcomes in
 * argument order.
 *
 * <p>Rules, as CPython's tasks.py: the first error (a failure, or a child's cancellation, which counts as a
 * {@link CancelledError}) completes the outer future at once without cancelling the other children; with
 * {@code returnExceptions} errors are results instead. Cancelling the outer future cancels every child not
 * yet done; it is then done with a {@link CancelledError} once all children are. The same awaitable given
 * twice is one child whose outcome appears twice.
 *
 * <p>Threading: loop only.
 */
final class Gather {
    private Gather() {
    }

    static Future<List<Object>> gather(List<?> aws, boolean returnExceptions) {
        Objects.requireNonNull(aws, "aws");
        if (aws.isEmpty()) {
            Future<List<Object>> outer = EventLoop.runningLoopOrThrow().createFuture();
            outer.finishWithResult(new ArrayList<>());
            return outer;
        }
        Map<Object, Future<?>> argToFuture = new IdentityHashMap<>();
        List<Future<?>> children = new ArrayList<>(aws.size());
        List<Future<?>> distinctInOrder = new ArrayList<>(aws.size());
        EventLoop loop = null;
        for (Object arg : aws) {
            Future<?> fut = argToFuture.get(Objects.requireNonNull(arg, "an awaitable in aws is null"));
            if (fut == null) {
                fut = Async.ensureFuture(arg);
                if (loop == null) {
                    loop = fut.loop;
                } else if (fut.loop != loop) {
                    throw new IllegalArgumentException("gather() awaitables belong to different loops: " + arg);
                }
                argToFuture.put(arg, fut);
                distinctInOrder.add(fut);
            }
            children.add(fut);
        }
        GatheringFuture outer = new GatheringFuture(loop, children, argToFuture.size(), returnExceptions);
        for (Future<?> child : distinctInOrder) {
            if (child.done()) {
                outer.childDone(child);
            } else {
                child.addDoneCallback(outer::childDone);
                child.addAwaitedBy(outer);
            }
        }
        return outer;
    }

    /* The outer future; cancelling it cancels the children (CPython's _GatheringFuture). */
    static final class GatheringFuture extends Future<List<Object>> {
        private final List<Future<?>> children;
        private final int distinctChildren;
        private final boolean returnExceptions;
        private int finished;
        private boolean cancelRequested;

        GatheringFuture(EventLoop loop, List<Future<?>> children, int distinctChildren, boolean returnExceptions) {
            super(loop);
            this.children = children;
            this.distinctChildren = distinctChildren;
            this.returnExceptions = returnExceptions;
        }

        @Override
        public boolean cancel(String msg) {
            loop.checkThread("cancel");
            if (done()) {
                return false;
            }
            boolean any = false;
            for (Future<?> child : children) {
                if (child.cancel(msg)) {
                    any = true;
                }
            }
            if (any) {
                // Done only when the children are: the last one completes this with a CancelledError.
                cancelRequested = true;
            }
            return any;
        }

        void childDone(Future<?> child) {
            finished++;
            if (done()) {
                if (!child.cancelled()) {
                    child.exception(); // nobody will look at it through us: mark it retrieved
                }
                return;
            }
            if (!returnExceptions) {
                if (child.cancelled()) {
                    finishWithException(child.makeCancelledError());
                    return;
                }
                Throwable e = child.exception();
                if (e != null) {
                    finishWithException(e);
                    return;
                }
            }
            if (finished == distinctChildren) {
                List<Object> results = new ArrayList<>(children.size());
                for (Future<?> f : children) {
                    if (f.cancelled()) {
                        results.add(new CancelledError(f.cancelMessage));
                    } else {
                        Throwable e = f.exception();
                        results.add(e != null ? e : f.result());
                    }
                }
                if (cancelRequested) {
                    finishWithException(child.makeCancelledError());
                } else {
                    finishWithResult(results);
                }
            }
        }
    }
}
