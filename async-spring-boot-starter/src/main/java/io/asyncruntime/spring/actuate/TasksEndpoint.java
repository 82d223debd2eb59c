package io.asyncruntime.spring.actuate;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.EventLoop;
import io.asyncruntime.Task;
import io.asyncruntime.debug.TaskHistory;
import io.asyncruntime.debug.TaskInfo;
import io.asyncruntime.debug.TaskState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code tasks} endpoint: the event loop's tasks as asyncio's {@code all_tasks()}, {@code current_task()}
 * and {@code Task.get_stack()} show them, plus the recently finished ones.
 *
 * <ul>
 *   <li>{@code GET /actuator/tasks?name=&state=&offset=&limit=}: pending tasks by id, a bounded page;</li>
 *   <li>{@code GET /actuator/tasks/current}: what the loop runs at this instant;</li>
 *   <li>{@code GET /actuator/tasks/finished}: the bounded history of finished tasks;</li>
 *   <li>{@code GET /actuator/tasks/{id}}: one task with its stack and who awaits it (404 if unknown);</li>
 *   <li>{@code POST /actuator/tasks/{id}} with {@code {"msg": "..."}}: cancel it (see {@link TasksEndpointWebExtension}).</li>
 * </ul>
 *
 * <p>Reads are snapshots taken without the loop's help, so a blocked loop can still be inspected. Stacks and
 * exception messages follow {@code async.runtime.show-stacks}, as {@code show-values} does for env.
 *
 * <p>Threading: any thread; never waits for the loop.
 */
@Endpoint(id = "tasks")
public class TasksEndpoint {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;

    private final AsyncRuntime runtime;
    private final TaskHistory history;
    private final Show showStacks;
    private final Set<String> roles;

    public TasksEndpoint(AsyncRuntime runtime, TaskHistory history, Show showStacks, Set<String> roles) {
        this.runtime = runtime;
        this.history = history;
        this.showStacks = showStacks;
        this.roles = Set.copyOf(roles);
    }

    /** Returns one page of the pending tasks, filtered by name (substring) and state. */
    @ReadOperation
    public TasksReport tasks(SecurityContext security, @Nullable String name, @Nullable String state,
            @Nullable Integer offset, @Nullable Integer limit) {
        TaskState wanted = state == null ? null : parseState(state);
        int from = offset == null ? 0 : offset;
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (from < 0) {
            throw new InvalidEndpointRequestException("offset must not be negative", "offset must not be negative");
        }
        if (size < 0 || size > MAX_LIMIT) {
            throw new InvalidEndpointRequestException("limit must be between 0 and " + MAX_LIMIT, "bad limit");
        }
        boolean shown = showStacks.isShown(security, roles);
        List<Task<?>> matching = new ArrayList<>();
        for (Task<?> t : runtime.allTasks()) {
            if (name != null && !t.getName().contains(name)) {
                continue;
            }
            if (wanted != null && TaskInfo.stateOf(t) != wanted) {
                continue;
            }
            matching.add(t);
        }
        matching.sort(Comparator.comparingLong(Task::getId));
        List<TaskView> page = matching.subList(Math.min(from, matching.size()), Math.min(from + size, matching.size()))
                .stream().map(t -> TaskView.of(TaskInfo.of(t), shown)).toList();
        EventLoop loop = runtime.loop();
        return new TasksReport(loop.name(), loop.engineMode().name(), matching.size(), from, size, page);
    }

    /**
     * Returns {@code current} (the task the loop runs now), {@code finished} (the history, newest first; at most
     * {@code limit} of them when given), or the pending task with that id; null (404) if there is none.
     */
    @ReadOperation
    public @Nullable Object task(SecurityContext security, @Selector String id, @Nullable Integer limit) {
        if (limit != null && (limit < 0 || limit > MAX_LIMIT)) {
            throw new InvalidEndpointRequestException("limit must be between 0 and " + MAX_LIMIT, "bad limit");
        }
        boolean shown = showStacks.isShown(security, roles);
        if (id.equals("current")) {
            Optional<Task<?>> current = runtime.currentTask();
            return new CurrentTaskReport(runtime.loop().name(), runtime.loop().isIdle(),
                    current.map(t -> TaskDetail.of(t, shown)).orElse(null));
        }
        if (id.equals("finished")) {
            return new FinishedTasksReport(history.capacity(), history.recordedCount(), history.snapshot().stream()
                    .limit(limit == null ? Long.MAX_VALUE : limit).map(i -> TaskView.of(i, shown)).toList());
        }
        long taskId;
        try {
            taskId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new InvalidEndpointRequestException("task id must be a number, 'current' or 'finished': " + id,
                    "bad task id");
        }
        return runtime.findTask(taskId).map(t -> TaskDetail.of(t, shown)).orElse(null);
    }

    private static TaskState parseState(String state) {
        try {
            return TaskState.valueOf(state.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidEndpointRequestException("unknown state '" + state + "'; one of "
                    + java.util.Arrays.toString(TaskState.values()), "unknown state");
        }
    }

    /** One page of pending tasks. */
    public record TasksReport(String loop, String mode, int total, int offset, int limit, List<TaskView> tasks)
            implements OperationResponseBody {
    }

    /** The history of finished tasks, newest first. */
    public record FinishedTasksReport(int capacity, long recorded, List<TaskView> tasks) implements OperationResponseBody {
    }

    /** What the loop runs now; {@code task} is null when it runs a callback or waits for work. */
    public record CurrentTaskReport(String loop, boolean idle, @Nullable TaskDetail task) implements OperationResponseBody {
    }

    /** A task in a list. */
    public record TaskView(long id, String name, TaskState state, @Nullable String awaiting, int cancelling,
            double ageMillis, @Nullable String error, @Nullable String cancelMessage, @Nullable String createdAt) {

        static TaskView of(TaskInfo info, boolean shown) {
            return new TaskView(info.id(), info.name(), info.state(), info.awaiting(), info.cancelling(),
                    info.age().toNanos() / 1e6, redact(info.error(), shown),
                    shown ? info.cancelMessage() : null, shown ? info.createdAt() : null);
        }
    }

    /** A task in detail: its stack (oldest frame first) and who awaits it, when stacks are shown. */
    public record TaskDetail(TaskView task, @Nullable List<String> stack, @Nullable String callGraph)
            implements OperationResponseBody {

        static TaskDetail of(Task<?> task, boolean shown) {
            TaskView view = TaskView.of(TaskInfo.of(task), shown);
            if (!shown) {
                return new TaskDetail(view, null, null);
            }
            List<String> stack = task.getStack().stream().map(String::valueOf).toList();
            String graph = task.getLoop().isRunning() && !task.done() ? Async.captureCallGraph(task).format() : null;
            return new TaskDetail(view, stack, graph);
        }
    }

    static @Nullable String redact(@Nullable String error, boolean shown) {
        if (error == null || shown) {
            return error;
        }
        int colon = error.indexOf(':');
        return colon < 0 ? error : error.substring(0, colon);
    }
}
