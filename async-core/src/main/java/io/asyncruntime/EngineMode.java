package io.asyncruntime;

import io.asyncruntime.internal.Continuations;
import io.asyncruntime.internal.VirtualThreads;

/**
 * How an {@link EventLoop} runs its tasks. All keep one contract: one task runs at a time per loop, and nothing
 * else of the loop runs between two awaits.
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
    PORTABLE,
    /**
     * Each task is a JDK continuation ({@code jdk.internal.vm.Continuation}) that the loop thread runs itself:
     * no virtual thread per task, a switch is one continuation yield and run, and an eager task's first step runs
     * nested in its creator's step. The fastest engine, with a different thread identity: inside a task
     * {@link Thread#currentThread()} is the loop thread (yet each task has thread locals of its own, swapped in
     * at each of its steps, when {@code java.lang} is opened as for {@link #FAST}; without that, its tasks share
     * the loop thread's: use {@link ContextVar}), a thread dump shows the loop thread, and a blocking call holds the loop (as
     * in the other modes by default; {@link EventLoop.Builder#blockingCallsSuspend} is refused). An await where a
     * native frame or a class initializer is on the task's stack raises {@link IllegalStateException}. Never
     * chosen by {@link #best()}: ask for it with {@link EventLoop.Builder#mode} or the system property
     * {@code asyncruntime.mode=direct}. Needs {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}.
     */
    DIRECT;

    /**
     * Returns the best engine this JVM allows among those that keep a thread per task: the default of
     * {@link EventLoop.Builder#mode} unless {@code asyncruntime.mode=direct} asks for {@link #DIRECT}.
     *
     * @return {@link #FAST} when this JVM allows it, else {@link #PORTABLE}; never {@link #DIRECT}
     */
    public static EngineMode best() {
        return VirtualThreads.isAvailable() ? FAST : PORTABLE;
    }

    /* The engine of a loop built without one: DIRECT when the system property asks for it, else best(). */
    static EngineMode configuredDefault() {
        return "direct".equalsIgnoreCase(System.getProperty("asyncruntime.mode")) ? DIRECT : best();
    }

    /**
     * Returns why {@link #FAST} is not available here.
     *
     * @return the reason (and what to do about it), or null when FAST is available
     */
    public static String fastModeUnavailableReason() {
        return VirtualThreads.unavailableReason();
    }

    /**
     * Returns why {@link #DIRECT} is not available here.
     *
     * @return the reason (naming the JVM flag when that is what is missing), or null when DIRECT is available
     */
    public static String directModeUnavailableReason() {
        return Continuations.unavailableReason();
    }
}
