package io.asyncruntime;

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
 * exception starts. A real cancellation of the task pending at the same time wins and is raised as
 * {@link CancelledError}. If the block swallows the error, or finishes without awaiting again, the scope
 * simply ends. The {@code cancelling()}/{@code uncancel()} counts are kept as asyncio keeps them, so nested
 * timeouts and task groups compose.
 *
 * <p>Threading: loop only, in the task that entered it.
 */
public final class Timeout implements AutoCloseable {
    private enum State { ENTERED, EXPIRING, EXPIRED, EXITED }

    private final Task<?> task;
    private final EventLoop loop;
    /* true for the try-with-resources scope (TimeoutError raised at the await); false for waitFor, which
       lets CancelledError through inside and converts it on the way out, exactly as asyncio. */
    private final boolean raiseAtAwait;
    private final int cancellingAtEntry;
    private State state;
    private Double when;
    private TimerHandle handle;

    Timeout(Double when, boolean raiseAtAwait) {
        this.loop = EventLoop.runningLoopOrThrow();
        Task<?> current = loop.runningTask();
        if (current == null) {
            throw new IllegalStateException("Timeout should be used inside a task");
        }
        this.task = current;
        this.raiseAtAwait = raiseAtAwait;
        this.cancellingAtEntry = current.cancelling();
        this.state = State.ENTERED;
        reschedule(when);
    }

    /** Returns the deadline in loop time (seconds), or null for none. */
    public Double when() {
        return when;
    }

    /**
     * Moves the deadline to loop time {@code when} (seconds), or removes it with null.
     *
     * @throws IllegalStateException if the scope has expired or exited
     */
    public void reschedule(Double when) {
        loop.checkThread("reschedule");
        if (state != State.ENTERED) {
            throw new IllegalStateException("Cannot change state of " + state.name().toLowerCase() + " Timeout");
        }
        if (when != null && when.isNaN()) {
            throw new IllegalArgumentException("when must be a number");
        }
        this.when = when;
        if (handle != null) {
            handle.cancel();
            handle = null;
        }
        if (when != null) {
            handle = loop.scheduleTimer(Math.max((long) (when * 1e9), Long.MIN_VALUE / 4), this::onTimeout, null);
        }
    }

    /** Returns whether the deadline passed while the scope was active. */
    public boolean expired() {
        return state == State.EXPIRING || state == State.EXPIRED;
    }

    /** Ends the scope: the deadline no longer applies. Closing again does nothing. */
    @Override
    public void close() {
        exit(null);
    }

    /*
     * asyncio's __aexit__: ends the scope and, when this timeout expired, takes back its cancellation.
     * Returns the TimeoutError to raise instead of {@code propagating} when that is a CancelledError this
     * timeout caused and no other cancellation is pending (used by waitFor); else null.
     */
    TimeoutError exit(Throwable propagating) {
        loop.checkThread("close");
        if (handle != null) {
            handle.cancel();
            handle = null;
        }
        if (state == State.EXPIRING) {
            state = State.EXPIRED;
            if (raiseAtAwait) {
                task.timeoutCancels--;
                if (task.timeoutCancels == 0) {
                    task.timeoutPending = false;
                }
            }
            if (task.uncancel() <= cancellingAtEntry && propagating instanceof CancelledError) {
                TimeoutError timeout = new TimeoutError("the timeout expired");
                timeout.initCause(propagating);
                return timeout;
            }
        } else if (state == State.ENTERED) {
            state = State.EXITED;
        }
        return null;
    }

    private void onTimeout() {
        if (state != State.ENTERED) {
            return;
        }
        handle = null;
        state = State.EXPIRING;
        if (raiseAtAwait) {
            task.timeoutCancels++;
            task.timeoutPending = true;
        }
        task.cancel();
    }

    @Override
    public String toString() {
        return "<Timeout [" + state.name().toLowerCase() + "] when=" + when + ">";
    }
}
