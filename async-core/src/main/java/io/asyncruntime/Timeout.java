package io.asyncruntime;

import io.asyncruntime.internal.Throwables;

/**
 * A deadline for a block of code in a task: asyncio's {@code asyncio.timeout()} scope, for try-with-resources.
 *
 * <pre>{@code
 * try (Timeout t = Async.timeout(Duration.ofSeconds(2))) {
 *     slowOperation();            // suspended here when the deadline passes: raises TimeoutError
 * }
 * }</pre>
 *
 * <p>When the deadline passes, the task is cancelled as asyncio does: what it awaits is cancelled, and the
 * task waits until that has really finished (its {@code finally} blocks ran). Then, where asyncio raises
 * {@code CancelledError} inside the block and converts it to {@code TimeoutError} on the way out, this scope
 * raises {@link TimeoutError} (caused by the {@link CancelledError}) directly at the await: Java's
 * {@code close()} cannot replace an exception that leaves a try block, so the conversion happens where the
 * exception starts. If the block swallows the error, or finishes without awaiting again, the scope simply ends.
 *
 * <p>Scopes judge a cancellation as asyncio 3.13 does, innermost first, each counting only the cancellation
 * requests made after it was entered: a timeout raises {@link TimeoutError} only if, once its own request is
 * taken back, none of those is left. So a real {@link Task#cancel()} pending at the same time wins and is
 * raised as {@link CancelledError}; of nested timeouts that expire together the outermost reports it; a
 * timeout entered while the task is already being cancelled (cleanup in a {@code catch (CancelledError)})
 * still works; inside a {@link TaskGroup} whose child failed, the group's {@link ExceptionGroup} has
 * priority. Once the scope is closed, {@link Task#cancelling()} is back to its value at entry. Because the
 * conversion happens at the await, a {@link TimeoutError} caught inside a nested scope may be an outer scope's
 * (asyncio's inner block would see {@code CancelledError}); {@link #expired()} tells which scope expired. When
 * scopes nest, or the block catches {@link TimeoutError} itself, the body form
 * {@link Async#timeout(java.time.Duration, Coroutine)} has asyncio's rules exactly: the body sees
 * {@link CancelledError} and the call raises {@link TimeoutError} as it leaves. Its {@link Body} variant
 * {@link Async#timeout(java.time.Duration, Body)} is given the scope, as {@code async with ... as cm:} is.
 *
 * <p>A deadline at or before the current loop time means "already due": the scope expires on the next loop
 * iteration, so the first await inside raises (asyncio's {@code timeout(0)}, {@code timeout(-1)}). A null
 * deadline never expires; neither does {@code +Infinity}, which {@link #when()} still reports.
 *
 * <p>Threading: loop only, in the task that entered it.
 */
public final class Timeout implements AutoCloseable {
    /*
     * Lifecycle (timeouts.py _State; CREATED is the constructor here):
     *
     *   ENTERED ──deadline passes──▶ EXPIRING ──close──▶ EXPIRED
     *      └──────────────close──────────────────────▶ EXITED
     *
     * Invariant: handle is non-null only in ENTERED with a finite deadline. The cancellation requested in
     * EXPIRING is recorded in the task's Scope and taken back by close().
     */
    private enum State {
        ENTERED("active"), EXPIRING("expiring"), EXPIRED("expired"), EXITED("finished");

        /* timeouts.py's _State values, for toString and error messages. */
        private final String value;

        State(String value) {
            this.value = value;
        }
    }

    /* Threading: all fields loop only. */
    private final Task<?> task;
    private final EventLoop loop;
    /* The task's record of this scope: the cancellation bookkeeping lives in Task. */
    private final Task.Scope scope;
    /* asyncio's _cancelling: cancelling() when the scope was entered. */
    private final int cancellingAtEntry;
    private State state;
    private Double when;
    private Handle handle;

    /*
     * raiseAtAwait: true for the try-with-resources scope (TimeoutError raised at the await); false for
     * waitFor, which lets CancelledError through inside and converts it on its way out, exactly as asyncio.
     */
    Timeout(Double when, boolean raiseAtAwait) {
        this.loop = EventLoop.runningLoopOrThrow();
        Task<?> current = loop.runningTask();
        if (current == null) {
            throw new IllegalStateException("Timeout should be used inside a task");
        }
        checkWhen(when);
        this.task = current;
        this.cancellingAtEntry = current.cancelling();
        this.scope = current.enterTimeoutScope(raiseAtAwait);
        this.state = State.ENTERED;
        reschedule(when);
    }

    /**
     * Returns the deadline: asyncio's {@code Timeout.when()}. Loop thread.
     *
     * @return the deadline in loop time (seconds, as {@link EventLoop#time()}), possibly {@code +Infinity};
     *         null if there is none
     */
    public Double when() {
        return when;
    }

    /**
     * Moves the deadline to loop time {@code when} (seconds, as {@link EventLoop#time()}), or removes it with
     * null: asyncio's {@code Timeout.reschedule}. A deadline at or before the current loop time expires the
     * scope on the next loop iteration; {@code +Infinity} never does.
     *
     * @param when the new deadline in loop time (seconds, as {@link EventLoop#time()}), or null for none
     * @throws IllegalArgumentException if {@code when} is NaN
     * @throws IllegalStateException if the scope has expired or exited, or if called off the loop thread
     */
    public void reschedule(Double when) {
        loop.checkThread("reschedule");
        if (state != State.ENTERED) {
            throw new IllegalStateException("Cannot change state of " + state.value + " Timeout");
        }
        checkWhen(when);
        this.when = when;
        if (handle != null) {
            handle.cancel();
            handle = null;
        }
        if (when == null || when == Double.POSITIVE_INFINITY) {
            return; // never due (a timer at infinity would only be reached by a virtual clock)
        }
        if (when <= loop.time()) {
            // Already due: asyncio uses call_soon, so a yield inside the scope (sleep(0)) already sees it.
            handle = loop.callSoon(this::onTimeout);
        } else {
            handle = loop.scheduleTimer(loop.deadlineAt(when), this::onTimeout, null);
        }
    }

    private static void checkWhen(Double when) {
        if (when != null && when.isNaN()) {
            throw new IllegalArgumentException("when must be a loop time in seconds or null, got NaN");
        }
    }

    /**
     * Returns whether this scope's deadline passed while it was active: asyncio's {@code Timeout.expired()}.
     * Loop thread.
     *
     * @return true if this scope (not an enclosing one) expired
     */
    public boolean expired() {
        return state == State.EXPIRING || state == State.EXPIRED;
    }

    /**
     * Ends the scope: the deadline no longer applies, and a cancellation this scope requested is taken back
     * ({@link Task#uncancel()}). Closing again does nothing.
     *
     * @throws IllegalStateException if called off the loop thread
     */
    @Override
    public void close() {
        exit(null);
    }

    /*
     * asyncio's __aexit__: ends the scope and, when this timeout expired, takes back its cancellation.
     * Returns the TimeoutError to raise instead of {@code propagating} when that is a CancelledError this
     * timeout caused and no newer cancellation is pending (used by waitFor); else null.
     */
    TimeoutError exit(Throwable propagating) {
        loop.checkThread("close");
        if (handle != null) {
            handle.cancel();
            handle = null;
        }
        if (state == State.EXPIRING) {
            state = State.EXPIRED;
            if (task.exitScope(scope) <= cancellingAtEntry && propagating instanceof CancelledError) {
                TimeoutError timeout = new TimeoutError("the timeout expired");
                timeout.initCause(propagating);
                return timeout;
            }
        } else if (state == State.ENTERED) {
            state = State.EXITED;
            task.exitScope(scope);
        }
        return null;
    }

    private void onTimeout() {
        if (state != State.ENTERED) {
            return;
        }
        handle = null;
        state = State.EXPIRING;
        task.requestScopeCancel(scope);
    }

    /**
     * Returns asyncio's repr of the scope: {@code <Timeout [active] when=12.346>} (the deadline in loop seconds,
     * rounded to milliseconds; {@code None} if there is none, {@code inf} if it is infinite) while it is
     * active, else {@code <Timeout [expiring]>}, {@code <Timeout [expired]>} or {@code <Timeout [finished]>}.
     * Loop thread (racy elsewhere).
     *
     * @return the repr, as described
     */
    @Override
    public String toString() {
        if (state != State.ENTERED) {
            return "<Timeout [" + state.value + "]>";
        }
        return "<Timeout [active] when=" + (when == null ? "None" : pythonFloat(when)) + ">";
    }

    /* Python's repr(round(x, 3)): "12.346", "10.0", "inf", never Java's exponent notation. */
    private static String pythonFloat(double x) {
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        String plain = java.math.BigDecimal.valueOf(x).setScale(3, java.math.RoundingMode.HALF_EVEN)
                .stripTrailingZeros().toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    /**
     * The body of {@link Async#timeout(java.time.Duration, Body)} and {@link Async#timeoutAt(double, Body)}: the
     * code inside asyncio's {@code async with asyncio.timeout(delay) as cm:}, given the open scope as {@code cm}.
     *
     * @param <T> the body's result type
     */
    @FunctionalInterface
    public interface Body<T> {
        /**
         * Runs the body, inline in the task that opened the scope. The scope is open while it runs: the body may
         * {@link Timeout#reschedule} it and read {@link Timeout#when()} and {@link Timeout#expired()}; the call
         * closes it when the body ends (closing it earlier ends the deadline there, and an expiry before that is
         * then not converted to {@link TimeoutError}).
         *
         * @param scope the open scope, asyncio's {@code cm}; usable after the call too ({@code cm.expired()})
         * @return the body's result
         * @throws Exception whatever the body throws; a {@link CancelledError} caused by this scope's expiry
         *         leaves the call as {@link TimeoutError}
         */
        T call(Timeout scope) throws Exception;
    }

    /* The body inside an open scope that converts on its way out, as timeouts.py's __aexit__ does. */
    static <T> T runBody(Timeout scope, Body<T> body) {
        T value;
        try {
            value = body.call(scope);
        } catch (Throwable e) {
            TimeoutError timedOut = scope.exit(e);
            throw Throwables.sneakyThrow(timedOut != null ? timedOut : e);
        }
        scope.exit(null);
        return value;
    }
}
