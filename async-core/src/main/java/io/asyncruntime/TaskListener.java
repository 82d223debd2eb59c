package io.asyncruntime;

/**
 * Hears of every task of a loop as it starts and finishes: the hook behind task metrics and the
 * finished-task history. Register with {@link EventLoop#addTaskListener}.
 *
 * <p>Threading: called on the loop, between steps; keep it short and never block. An exception it throws
 * goes to the loop's exception handler.
 */
public interface TaskListener {

    /**
     * Called when the task is scheduled for its first step. Does nothing by default.
     *
     * @param task the new task
     */
    default void taskStarted(Task<?> task) {
    }

    /**
     * Called once the task is done (result, exception or cancelled), before its done callbacks run. Does
     * nothing by default.
     *
     * @param task the finished task
     */
    default void taskFinished(Task<?> task) {
    }
}
