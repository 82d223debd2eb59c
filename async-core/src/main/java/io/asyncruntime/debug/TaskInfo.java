package io.asyncruntime.debug;

import io.asyncruntime.Future;
import io.asyncruntime.Task;
import java.time.Duration;
import java.util.Optional;

/**
 * An immutable snapshot of one task, cheap enough to take for 100,000 tasks: no stack walk.
 *
 * @param id         the task's id
 * @param name       the task's name
 * @param state      its state when the snapshot was taken
 * @param awaiting   what it is suspended on (asyncio's {@code wait_for=}), or null
 * @param cancelling pending cancellation requests
 * @param age        time since creation when pending; its whole run time when finished
 * @param error      {@code ClassName: message} of the exception it failed with, or null
 * @param cancelMessage the message it was cancelled with, if it was cancelled with one, else null
 * @param createdAt  where it was created ({@code Class.method(File.java:line)}), when the loop records it, else null
 */
public record TaskInfo(long id, String name, TaskState state, String awaiting, int cancelling, Duration age,
        String error, String cancelMessage, String createdAt) {

    /**
     * Takes a snapshot of {@code task}. Any thread (the fields of a pending task are then racy).
     *
     * @param task the task
     * @return the snapshot
     * @throws NullPointerException if {@code task} is null
     */
    public static TaskInfo of(Task<?> task) {
        long now = System.nanoTime();
        TaskState state = stateOf(task);
        long end = task.done() ? task.finishedNanos() : now;
        Future<?> waiter = task.done() ? null : task.awaiting();
        Optional<Throwable> failure = task.failure();
        return new TaskInfo(task.getId(), task.getName(), state, waiter == null ? null : describe(waiter),
                task.done() ? 0 : task.cancelling(), Duration.ofNanos(Math.max(0, end - task.createdNanos())),
                failure.map(TaskInfo::describe).orElse(null), task.cancelMessage().orElse(null),
                task.creationSite().map(String::valueOf).orElse(null));
    }

    /**
     * Returns the state introspection shows for {@code task}. Any thread.
     *
     * @param task the task
     * @return {@code DONE}, {@code FAILED} or {@code CANCELLED} once done; else {@code RUNNING} if its step runs
     *         now, {@code CANCELLING} if cancellation was requested, otherwise {@code PENDING}
     * @throws NullPointerException if {@code task} is null
     */
    public static TaskState stateOf(Task<?> task) {
        if (task.done()) {
            return switch (task.state()) {
                case CANCELLED -> TaskState.CANCELLED;
                case FAILED -> TaskState.FAILED;
                default -> TaskState.DONE;
            };
        }
        if (task.getLoop().currentTask().orElse(null) == task) {
            return TaskState.RUNNING;
        }
        return task.cancelling() > 0 ? TaskState.CANCELLING : TaskState.PENDING;
    }

    /*
     * What a task awaits, without any value: a task by name and id, a plain future by its kind and state only. A
     * future's repr carries its result or exception, which introspection must not show to readers who may not
     * see values (the starter's show-values rule); a waiter is shown to every reader.
     */
    static String describe(Future<?> waiter) {
        if (waiter instanceof Task<?> t) {
            return "Task " + t.getName() + " (id " + t.getId() + ")";
        }
        String state = switch (waiter.state()) {
            case RUNNING -> "pending";
            case CANCELLED -> "cancelled";
            default -> "finished";
        };
        return "<" + waiter.getClass().getSimpleName() + " " + state + ">";
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getName() : t.getClass().getName() + ": " + t.getMessage();
    }
}
