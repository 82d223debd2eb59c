package io.asyncruntime;

import io.asyncruntime.internal.VirtualThreads;

/**
 * How an {@link EventLoop} runs its tasks' virtual threads. Both keep one contract: one task runs at a time
 * per loop, and nothing else of the loop runs between two awaits.
 */
public enum EngineMode {
    /**
     * The loop thread itself is the carrier of its tasks' virtual threads: a switch between tasks is a
     * continuation yield and resume on one OS thread. Needs {@code --add-opens java.base/java.lang=ALL-UNNAMED}
     * and a platform thread to run the loop.
     */
    FAST,
    /**
     * Tasks' virtual threads run on the JDK's default scheduler, and the task that suspends hands the loop
     * directly to the next ready task. Needs nothing but JDK 21+.
     */
    PORTABLE;

    /**
     * Returns the best engine this JVM allows: the default of {@link EventLoop.Builder#mode}.
     *
     * @return {@link #FAST} when this JVM allows it, else {@link #PORTABLE}
     */
    public static EngineMode best() {
        return VirtualThreads.isAvailable() ? FAST : PORTABLE;
    }

    /**
     * Returns why {@link #FAST} is not available here.
     *
     * @return the reason (and what to do about it), or null when FAST is available
     */
    public static String fastModeUnavailableReason() {
        return VirtualThreads.unavailableReason();
    }
}
