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
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.actuate.endpoint.Access;
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
 *   <li>{@code GET /actuator/tasks?name=&state=&sort=&offset=&limit=}: pending tasks, a bounded page;</li>
 *   <li>{@code GET /actuator/tasks/current}: what the loop runs at this instant, and what holds it if it is
 *       blocked;</li>
 *   <li>{@code GET /actuator/tasks/finished?limit=}: the bounded history of finished tasks;</li>
 *   <li>{@code GET /actuator/tasks/{id}}: one task with its stack and who awaits it (404 if unknown);</li>
 *   <li>{@code POST /actuator/tasks/{id}}: cancel it, a write operation (see {@link TasksEndpointWebExtension}).</li>
 * </ul>
 *
 * <p>Secure by default, as Boot keeps {@code shutdown} closed: the endpoint's default access is
 * {@link Access#READ_ONLY}, so cancel is not even mapped until {@code management.endpoint.tasks.access=unrestricted},
 * and stacks, call graphs, exception and cancel messages and creation sites follow
 * {@code management.endpoint.tasks.show-values} (default {@code never}) and {@code roles}, as {@code env} does.
 *
 * <p>Every parameter arrives as a string and is parsed by {@link TasksParameters}: a malformed one throws
 * {@link InvalidTasksRequestException}, which the web extension answers as a problem detail. Reads are
 * snapshots taken without the loop's help, so a blocked loop can still be inspected.
 *
 * <p>Threading: any thread; never waits for the loop. {@link #destroy()} stops listening for stalls.
 */
@Endpoint(id = "tasks", defaultAccess = Access.READ_ONLY)
public class TasksEndpoint implements DisposableBean {
    private final AsyncRuntime runtime;
    private final TaskHistory history;
    private final Show showValues;
    private final Set<String> roles;
    private final LoopBlockedWatch blockedWatch;

    /**
     * Creates the endpoint over {@code runtime}'s loop and its finished-task {@code history}; {@code showValues} and
     * {@code roles} decide who sees stacks and messages.
     */
    public TasksEndpoint(AsyncRuntime runtime, TaskHistory history, Show showValues, Set<String> roles) {
        this.runtime = runtime;
        this.history = history;
        this.showValues = showValues;
        this.roles = Set.copyOf(roles);
        this.blockedWatch = new LoopBlockedWatch(runtime.loop());
    }

    /** Stops listening to the loop's stall reports. */
    @Override
    public void destroy() {
        blockedWatch.close();
    }

    /**
     * Returns one page of the pending tasks in id order, filtered by name (substring) and live state; as
     * {@link #tasks(SecurityContext, String, String, String, String, String)} without {@code sort}.
     *
     * @throws InvalidTasksRequestException as that method does
     */
    public TasksReport tasks(SecurityContext security, @Nullable String name, @Nullable String state,
            @Nullable String offset, @Nullable String limit) {
        return tasks(security, name, state, offset, limit, null);
    }

    /**
     * Returns one page of the pending tasks, filtered by name (substring) and live state, in the order
     * {@code sort} names: {@code id} (the default; creation order, so oldest first), {@code name} or
     * {@code state}, each descending with a leading {@code -}; ties in id order.
     *
     * @throws InvalidTasksRequestException if {@code state} is unknown or a finished state, {@code sort} is not one
     *         of the orders above, {@code offset} is not a whole number from 0 to {@link Integer#MAX_VALUE}, or
     *         {@code limit} not one from 0 to 10,000
     */
    @ReadOperation
    public TasksReport tasks(SecurityContext security, @Nullable String name, @Nullable String state,
            @Nullable String offset, @Nullable String limit, @Nullable String sort) {
        TaskState wanted = TasksParameters.liveState(state);
        Comparator<TasksParameters.Row> order = TasksParameters.sort(sort);
        int from = TasksParameters.offset(offset);
        int size = TasksParameters.limit(limit, TasksParameters.DEFAULT_LIMIT);
        boolean shown = showValues.isShown(security, roles);
        List<TasksParameters.Row> matching = new ArrayList<>();
        for (Task<?> t : runtime.allTasks()) {
            TasksParameters.Row row = TasksParameters.Row.of(t);
            if (name != null && !row.name().contains(name)) {
                continue;
            }
            if (wanted != null && row.state() != wanted) {
                continue;
            }
            matching.add(row);
        }
        matching.sort(order);
        // In long arithmetic: offset and limit are each within int range, their sum need not be.
        int first = Math.min(from, matching.size());
        int last = (int) Math.min((long) from + size, matching.size());
        List<TaskView> page = matching.subList(first, last).stream()
                .map(r -> TaskView.of(TaskInfo.of(r.task()), shown)).toList();
        EventLoop loop = runtime.loop();
        return new TasksReport(loop.name(), loop.engineMode().name(), matching.size(), from, size, page);
    }

    /**
     * Returns {@code current} (the task the loop runs now), {@code finished} (the history, newest first; at most
     * {@code limit} of them when given), or the pending task with that id; null (404) if there is none.
     *
     * @throws InvalidTasksRequestException if {@code id} is none of these, or {@code limit} is not a whole number
     *         from 0 to 10,000
     */
    @ReadOperation
    public @Nullable Object task(SecurityContext security, @Selector String id, @Nullable String limit) {
        int size = TasksParameters.limit(limit, Integer.MAX_VALUE);
        boolean shown = showValues.isShown(security, roles);
        if (id.equals("current")) {
            Optional<Task<?>> current = runtime.currentTask();
            return new CurrentTaskReport(runtime.loop().name(), runtime.loop().isIdle(),
                    current.map(t -> TaskDetail.of(t, shown)).orElse(null), Blocked.of(blockedWatch.held(), shown));
        }
        if (id.equals("finished")) {
            return new FinishedTasksReport(history.capacity(), history.recordedCount(),
                    history.snapshot().stream().limit(size).map(i -> TaskView.of(i, shown)).toList());
        }
        long taskId = TasksParameters.id(id);
        return runtime.findTask(taskId).map(t -> TaskDetail.of(t, shown)).orElse(null);
    }

    /** Returns the summary of the finished task {@code id} if the history still holds it. */
    Optional<TaskInfo> finished(long id) {
        return history.snapshot().stream().filter(i -> i.id() == id).findFirst();
    }

    /* The loop as a tree of who awaits whom, at most maxTasks lines; frames only for readers who may see them. */
    String tree(SecurityContext security, int maxTasks) {
        return io.asyncruntime.debug.LoopTree.format(runtime.loop(), maxTasks, showValues.isShown(security, roles));
    }

    AsyncRuntime runtime() {
        return runtime;
    }

    /** One page of pending tasks. */
    public record TasksReport(String loop, String mode, int total, int offset, int limit, List<TaskView> tasks)
            implements OperationResponseBody {
    }

    /** The history of finished tasks, newest first. */
    public record FinishedTasksReport(int capacity, long recorded, List<TaskView> tasks) implements OperationResponseBody {
    }

    /**
     * What the loop runs now; {@code task} is null when it runs a callback or waits for work; {@code blocked} is
     * null unless one step has held the loop past its blocked threshold and still does.
     */
    public record CurrentTaskReport(String loop, boolean idle, @Nullable TaskDetail task, @Nullable Blocked blocked)
            implements OperationResponseBody {
    }

    /**
     * What holds the blocked loop, as its watchdog reported it: the task ({@code taskId} and {@code taskName}, null
     * for a plain callback), the thread running it, how long it has held the loop by now (a lower bound: the
     * watchdog samples) and, when values are shown, its stack, oldest frame first (live for a task, as sampled
     * for a callback).
     */
    public record Blocked(@Nullable Long taskId, @Nullable String taskName, String thread, double heldForMillis,
            @Nullable List<String> stack) {

        static @Nullable Blocked of(LoopBlockedWatch.@Nullable Held held, boolean shown) {
            if (held == null) {
                return null;
            }
            Task<?> task = held.stall().task();
            List<String> stack = null;
            if (shown) {
                List<StackTraceElement> frames = task != null ? task.getStack()
                        : held.stall().stack().reversed(); // the stall's stack is newest first
                stack = frames.stream().map(String::valueOf).toList();
            }
            return new Blocked(task == null ? null : task.getId(), task == null ? null : task.getName(),
                    held.stall().threadName(), held.heldFor().toNanos() / 1e6, stack);
        }
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
