package io.asyncruntime;

/**
 * The time source of an {@link EventLoop}: a seam so tests can drive time by hand ({@link ManualClock}).
 *
 * <p>Threading: {@link #nanoTime()} is called on the loop thread and, for timestamps, from any thread.
 */
public interface LoopClock {

    /**
     * Returns the current time of this clock. Any thread.
     *
     * @return monotonic time in nanoseconds; only differences are meaningful
     */
    long nanoTime();

    /** The real monotonic clock, {@link System#nanoTime()}. */
    LoopClock SYSTEM = System::nanoTime;
}
