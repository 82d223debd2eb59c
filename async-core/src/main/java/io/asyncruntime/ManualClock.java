package io.asyncruntime;

import java.time.Duration;
import java.util.Objects;

/**
 * A clock that moves only when told to: deterministic loop time for tests.
 *
 * <p>An {@link EventLoop} on a manual clock never sleeps for its timers: when nothing is ready and no work
 * handed to other threads is outstanding, it jumps the clock to the next timer (virtual time, as Trio's
 * autojump clock and kotlinx's {@code runTest} do). So {@code sleep(3600)} finishes at once, and
 * {@link EventLoop#time()} afterwards reads exactly one hour later.
 *
 * <p>Threading: safe to read and advance from any thread.
 */
public final class ManualClock implements LoopClock {
    private volatile long now;

    /** Creates one at time zero. */
    public ManualClock() {
        this(0);
    }

    /**
     * Creates one at the given time.
     *
     * @param startNanos the initial reading of {@link #nanoTime()}, in nanoseconds
     */
    public ManualClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /**
     * Moves the clock forward. A loop on this clock runs the timers that came due at its next iteration. Any
     * thread.
     *
     * @param by how far to move; zero does nothing
     * @throws NullPointerException if {@code by} is null
     * @throws IllegalArgumentException if {@code by} is negative
     */
    public synchronized void advance(Duration by) {
        Objects.requireNonNull(by, "by");
        if (by.isNegative()) {
            throw new IllegalArgumentException("a clock only moves forward: " + by);
        }
        now += by.toNanos();
    }

    /** Moves the clock to {@code nanos} if that is later than now. */
    synchronized void advanceTo(long nanos) {
        if (nanos > now) {
            now = nanos;
        }
    }
}
