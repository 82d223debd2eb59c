package io.asyncruntime.demo;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.CancelledError;
import io.asyncruntime.Task;
import io.asyncruntime.TaskGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Service;

/**
 * Starts long-running named tasks of three kinds, so the tasks endpoint has something worth looking at:
 * sleepers, TaskGroups with children, and tasks waiting for a blocking call on a worker thread.
 */
@Service
public class WorkloadService {
    private final AsyncRuntime runtime;

    public WorkloadService(AsyncRuntime runtime) {
        this.runtime = runtime;
    }

    /** A task the workload started (a group's children are started by the group and listed with it). */
    public record Started(long id, String name, String kind) {
    }

    /**
     * Starts {@code count} tasks, cycling through the kinds, each running about {@code seconds}.
     *
     * <p>All of them are created in one step of the loop (a task named {@code start-workload}), so no group has
     * started its children before the last task is created: the tasks get consecutive ids in order, and each
     * group's children the ids after them, in order. Created from the request thread instead, a group's body
     * could run (and number its children) between two creations, and the ids would depend on timing.
     */
    public List<Started> start(int count, double seconds) {
        return runtime.run(() -> {
            List<Started> started = new ArrayList<>(count);
            for (int i = 1; i <= count; i++) {
                Task<?> task = switch (i % 3) {
                    case 1 -> runtime.createTask(() -> {
                        Async.sleep(seconds);
                        return null;
                    }, "sleeper-" + i);
                    case 2 -> startGroup("group-" + i, seconds);
                    default -> startBlocked("blocked-" + i, seconds);
                };
                started.add(new Started(task.getId(), task.getName(), kindOf(i)));
            }
            return started;
        }, "start-workload");
    }

    private static String kindOf(int i) {
        return switch (i % 3) {
            case 1 -> "sleeping";
            case 2 -> "task-group";
            default -> "blocking-call";
        };
    }

    private Task<?> startGroup(String name, double seconds) {
        return runtime.createTask(() -> {
            try (TaskGroup group = new TaskGroup()) {
                for (int child = 1; child <= 2; child++) {
                    group.createTask(() -> {
                        Async.sleep(seconds);
                        return null;
                    }, name + "-child-" + child);
                }
            }
            return null;
        }, name);
    }

    /*
     * Awaits a call that blocks a worker thread (as a JDBC call or a file read would). Cancelling the task stops
     * the await at once; the release makes the worker thread return too, so no thread outlives its task.
     */
    private Task<?> startBlocked(String name, double seconds) {
        CountDownLatch release = new CountDownLatch(1);
        return runtime.createTask(() -> {
            try {
                return Async.toThread(() -> release.await((long) (seconds * 1000), TimeUnit.MILLISECONDS));
            } catch (CancelledError e) {
                release.countDown();
                throw e;
            }
        }, name);
    }
}
