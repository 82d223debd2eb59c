package io.asyncruntime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@link Async#wait} and {@link Async#asCompleted}: waiting on a set of futures without cancelling any of them.
 *
 * <p>Threading: loop only.
 */
final class Waiting {
    private Waiting() {
    }

    /* The distinct futures of aws, in order; empty only when aws is (wait refuses that, asCompleted allows it). */
    static Set<Future<?>> distinctFutures(Collection<?> aws) {
        Objects.requireNonNull(aws, "aws");
        Set<Object> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Set<Future<?>> futures = new LinkedHashSet<>();
        for (Object aw : aws) {
            if (seen.add(Objects.requireNonNull(aw, "an awaitable in aws is null"))) {
                futures.add(Async.ensureFuture(aw));
            }
        }
        return futures;
    }

    static WaitResult await(Collection<?> aws, Long timeoutNanos, ReturnWhen when) {
        Objects.requireNonNull(aws, "aws");
        Objects.requireNonNull(when, "when");
        if (aws.isEmpty()) {
            // asyncio raises ValueError("Set of Tasks/Futures is empty."): waiting on nothing is a caller's bug.
            throw new IllegalArgumentException("aws must not be empty: wait() needs at least one awaitable");
        }
        Set<Future<?>> fs = distinctFutures(aws);
        EventLoop loop = EventLoop.runningLoopOrThrow();
        Future<Void> waiter = loop.createFuture();
        TimerHandle timer = timeoutNanos == null ? null : loop.scheduleTimer(loop.deadlineAfter(timeoutNanos), () -> {
            if (!waiter.done()) {
                waiter.finishWithResult(null);
            }
        }, null);
        int[] counter = {fs.size()};
        Consumer<Future<?>> onCompletion = f -> {
            counter[0]--;
            boolean failed = !f.cancelled() && f.peekException() != null;
            if (counter[0] <= 0 || when == ReturnWhen.FIRST_COMPLETED || (when == ReturnWhen.FIRST_EXCEPTION && failed)) {
                if (timer != null) {
                    timer.cancel();
                }
                if (!waiter.done()) {
                    waiter.finishWithResult(null);
                }
            }
        };
        List<Future<?>> registered = new ArrayList<>(fs);
        for (Future<?> f : registered) {
            addCallback(f, onCompletion);
        }
        try {
            waiter.await();
        } finally {
            if (timer != null) {
                timer.cancel();
            }
            for (Future<?> f : registered) {
                removeCallback(f, onCompletion);
            }
        }
        Set<Future<?>> done = new LinkedHashSet<>();
        Set<Future<?>> pending = new LinkedHashSet<>();
        for (Future<?> f : fs) {
            (f.done() ? done : pending).add(f);
        }
        return new WaitResult(done, pending);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static void addCallback(Future<?> f, Consumer<Future<?>> fn) {
        ((Future) f).addDoneCallback(fn);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static void removeCallback(Future<?> f, Consumer<Future<?>> fn) {
        ((Future) f).removeDoneCallback(fn);
    }

    /* as_completed: completions queue up; each awaitable handed out takes the next one. */
    static final class AsCompleted implements Iterable<Awaitable<Object>> {
        private final EventLoop loop;
        private final Set<Future<?>> todo;
        private final ArrayDeque<Future<?>> completed = new ArrayDeque<>();
        private final int total;
        private int handedOut;
        private boolean timedOut;
        private TimerHandle timer;
        private Future<Void> wakeup;
        private final Consumer<Future<?>> onCompletion = this::onCompletion;

        AsCompleted(Collection<?> aws, Long timeoutNanos) {
            this.loop = EventLoop.runningLoopOrThrow();
            this.todo = distinctFutures(aws);
            this.total = todo.size();
            for (Future<?> f : List.copyOf(todo)) {
                addCallback(f, onCompletion);
            }
            if (timeoutNanos != null && !todo.isEmpty()) {
                // A timeout at or below zero is due at once, but the completions of futures already done are
                // queued before it (their callbacks are scheduled now), so those are still handed out: asyncio.
                timer = loop.scheduleTimer(loop.deadlineAfter(timeoutNanos), this::onTimeout, null);
            }
        }

        private void onCompletion(Future<?> f) {
            if (todo.remove(f)) {
                completed.add(f);
                if (todo.isEmpty() && timer != null) {
                    timer.cancel();
                }
                signal();
            }
        }

        private void onTimeout() {
            for (Future<?> f : todo) {
                removeCallback(f, onCompletion);
            }
            todo.clear();
            timedOut = true;
            signal();
        }

        private void signal() {
            Future<Void> w = wakeup;
            if (w != null && !w.done()) {
                w.finishWithResult(null);
            }
        }

        private Object next() {
            while (completed.isEmpty()) {
                if (timedOut) {
                    throw new TimeoutError("asCompleted() timed out");
                }
                wakeup = loop.createFuture();
                wakeup.await();
            }
            return completed.poll().result();
        }

        @Override
        public Iterator<Awaitable<Object>> iterator() {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return handedOut < total;
                }

                @Override
                public Awaitable<Object> next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    handedOut++;
                    return AsCompleted.this::next;
                }
            };
        }
    }
}
