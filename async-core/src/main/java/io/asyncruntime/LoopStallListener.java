package io.asyncruntime;

import java.time.Duration;

/**
 * Hears from the loop's watchdog when one step or callback holds the loop for long: the hook behind the
 * blocked-loop warning and the {@code async.loop.blocked} / {@code async.loop.slow.callbacks} meters. Register
 * with {@link EventLoop#addStallListener}.
 *
 * <p>The watchdog samples: it looks at each running loop every {@link EventLoop#STALL_SAMPLE_PERIOD} and
 * judges a step by how long it has seen it running, so a step is reported once it has run somewhat longer than
 * the threshold (at most one sample period more), and never before. Measuring every step instead would put
 * two clock reads on the loop's hottest path.
 *
 * <p>Threading: called on the watchdog thread, never on the loop thread (which is busy, or the call would not
 * be made). Keep it short: one slow listener delays the watch over every loop in the JVM. An exception it
 * throws is logged and otherwise ignored.
 */
public interface LoopStallListener {

    /**
     * Called when a step has run longer than the loop's
     * {@link EventLoop#getSlowCallbackDuration() slow-callback threshold}; at most once per step. Does nothing
     * by default.
     *
     * @param loop       the loop the step holds
     * @param taskOrNull the task whose step it is, or null for a plain callback
     */
    default void slowStep(EventLoop loop, Task<?> taskOrNull) {
    }

    /**
     * Called when a step has held the loop longer than its
     * {@link EventLoop#getBlockedThreshold() blocked threshold} and still does. Does nothing by default.
     *
     * @param stall what holds the loop, with its live stack
     */
    default void blocked(LoopStall stall) {
    }

    /**
     * Called when the step reported by {@link #blocked} has ended. Does nothing by default.
     *
     * @param stall the report {@link #blocked} received
     * @param total about how long the step held the loop in all (as sampled)
     */
    default void unblocked(LoopStall stall, Duration total) {
    }
}
