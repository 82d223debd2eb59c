package io.asyncruntime.debug;

import io.asyncruntime.EventLoop;
import io.asyncruntime.Task;
import io.asyncruntime.TaskListener;
import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code capacity} finished tasks of a loop, newest first, so a task that died is still explainable
 * after it left the loop. Attach with {@link #attach(EventLoop, int)}.
 *
 * <p>Threading: the loop records; {@link #snapshot()} from any thread. One short lock per finished task.
 */
public final class TaskHistory implements TaskListener {
    private final TaskInfo[] ring;
    private int next;
    private long recorded;

    private TaskHistory(int capacity) {
        this.ring = new TaskInfo[capacity];
    }

    /**
     * Creates a history of {@code capacity} tasks and registers it with {@code loop} as a {@link TaskListener}.
     * Any thread.
     *
     * @param loop     the loop whose finished tasks to remember
     * @param capacity how many finished tasks to remember; 0 gives an empty history that is not registered
     * @return the new history, empty until a task finishes
     * @throws NullPointerException if {@code loop} is null and {@code capacity} is positive
     * @throws IllegalArgumentException if {@code capacity} is negative
     */
    public static TaskHistory attach(EventLoop loop, int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        TaskHistory history = new TaskHistory(capacity);
        if (capacity > 0) {
            loop.addTaskListener(history);
        }
        return history;
    }

    @Override
    public void taskFinished(Task<?> task) {
        TaskInfo info = TaskInfo.of(task);
        synchronized (this) {
            ring[next] = info;
            next = (next + 1) % ring.length;
            recorded++;
        }
    }

    /**
     * Returns the finished tasks remembered, newest first. Any thread.
     *
     * @return a new list of at most {@link #capacity()} snapshots; empty if none finished yet
     */
    public synchronized List<TaskInfo> snapshot() {
        List<TaskInfo> out = new ArrayList<>(ring.length);
        for (int i = 1; i <= ring.length; i++) {
            TaskInfo info = ring[Math.floorMod(next - i, Math.max(1, ring.length))];
            if (info == null) {
                break;
            }
            out.add(info);
        }
        return out;
    }

    /**
     * Returns how many finished tasks were recorded in all, including those no longer remembered. Any thread.
     *
     * @return the count since the history was attached
     */
    public synchronized long recordedCount() {
        return recorded;
    }

    /**
     * Returns how many finished tasks are remembered at most. Any thread.
     *
     * @return the capacity given to {@link #attach}
     */
    public int capacity() {
        return ring.length;
    }
}
