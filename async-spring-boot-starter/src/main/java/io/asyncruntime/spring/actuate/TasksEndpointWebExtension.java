package io.asyncruntime.spring.actuate;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import io.asyncruntime.debug.TaskInfo;
import io.asyncruntime.debug.TaskState;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The web side of the {@code tasks} endpoint: the same reads, with every 4xx answered as an RFC 9457 problem
 * detail ({@link TasksProblem}), and cancelling a task over HTTP.
 *
 * <p>Why an extension: an operation that throws Boot's {@code InvalidEndpointRequestException} is answered through
 * the servlet container's error page, and Boot's default error settings ({@code server.error.include-message=never})
 * drop its reason, leaving {@code {"status":400,"error":"Bad Request"}}. Returning a {@link WebEndpointResponse}
 * with a problem body and {@code application/problem+json} owns the answer instead. The parameters are nullable
 * strings, converted by {@link TasksParameters}, so that Boot never refuses one itself before the operation runs
 * (it would, with the same bare 400, for an {@code Integer} parameter sent as {@code abc}). What goes wrong before
 * an operation is chosen (an unreadable body, a content type, a method) is answered by {@link TasksProblemResolver}.
 *
 * <p>Threading: any thread; the cancel itself is handed to the loop, never waited for.
 */
@EndpointWebExtension(endpoint = TasksEndpoint.class)
public class TasksEndpointWebExtension {
    private final TasksEndpoint endpoint;

    /** Creates the web extension of {@code endpoint}. */
    public TasksEndpointWebExtension(TasksEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * Returns one page of the pending tasks, as {@link TasksEndpoint#tasks}; a bad parameter is a 400 problem
     * detail naming it and the values it takes.
     */
    @ReadOperation
    public WebEndpointResponse<OperationResponseBody> tasks(SecurityContext security, @Nullable String name,
            @Nullable String state, @Nullable String offset, @Nullable String limit, @Nullable String sort) {
        return answer(() -> endpoint.tasks(security, name, state, offset, limit, sort));
    }

    /**
     * Returns the whole loop as text, for {@code Accept: text/plain}: the tree of who awaits whom, each task with its
     * name, id, state and what it awaits, like asyncio's {@code python -m asyncio pstree} (Boot's {@code threaddump}
     * answers text the same way). Each task's newest frame is shown only to a reader the {@code show-values} rule
     * lets see stacks. At most {@code limit} tasks (default 1,000, at most 10,000): a line says how many were left out.
     */
    @ReadOperation(produces = "text/plain;charset=UTF-8")
    public WebEndpointResponse<String> tree(SecurityContext security, @Nullable String limit) {
        try {
            int max = TasksParameters.limit(limit, TREE_DEFAULT_LIMIT);
            return new WebEndpointResponse<>(endpoint.tree(security, max) + "\n", WebEndpointResponse.STATUS_OK);
        } catch (InvalidTasksRequestException e) {
            TasksProblem problem = e.problem();
            return new WebEndpointResponse<>(problem.detail() + "\n", problem.status());
        }
    }

    private static final int TREE_DEFAULT_LIMIT = 1_000;

    /**
     * Returns {@code current}, {@code finished} or one pending task, as {@link TasksEndpoint#task}; an unknown id is
     * a 404 problem detail (saying whether the task has finished), a malformed one a 400.
     */
    @ReadOperation
    public WebEndpointResponse<OperationResponseBody> task(SecurityContext security, @Selector String id,
            @Nullable String limit) {
        return answer(() -> {
            Object found = endpoint.task(security, id, limit);
            if (found == null) {
                throw unknown(TasksParameters.id(id));
            }
            return (OperationResponseBody) found;
        });
    }

    /**
     * Requests cancellation of the pending task {@code id} with {@code msg}: asyncio's {@code Task.cancel(msg)}.
     * {@code msg} comes from the query string or the JSON body ({@code {"msg": "..."}}); no body, an empty one and
     * {@code {}} cancel without a message. 200 with the outcome, {@code alreadyDone: true} if the task has finished
     * and the history still holds it; a 404 problem detail if no task has this id.
     *
     * <p>A write operation: closed until {@code management.endpoint.tasks.access=unrestricted}.
     */
    @WriteOperation
    public WebEndpointResponse<OperationResponseBody> cancel(@Selector String id, @Nullable String msg) {
        return answer(() -> {
            long taskId = TasksParameters.id(id);
            String message = TasksParameters.message(msg);
            AsyncRuntime runtime = endpoint.runtime();
            Optional<Task<?>> task = runtime.findTask(taskId);
            if (task.isPresent()) {
                Task<?> t = task.get();
                // What the caller asked about is the task as found: decide "already done" before the cancel, which
                // the loop may deliver (and finish the task with) before this method returns.
                boolean wasDone = t.done();
                boolean requested = !wasDone && runtime.cancel(taskId, message);
                return new CancelResult(taskId, t.getName(), requested, wasDone || !requested, message,
                        TaskInfo.stateOf(t));
            }
            // Finished: cancel is then a no-op, as asyncio's Task.cancel() returning False on a done task.
            TaskInfo done = endpoint.finished(taskId).orElseThrow(() -> unknown(taskId));
            return new CancelResult(taskId, done.name(), false, true, null, done.state());
        });
    }

    private InvalidTasksRequestException unknown(long id) {
        String detail = endpoint.finished(id)
                .map(done -> "Task " + id + " ('" + done.name() + "') has finished (" + done.state()
                        + ") and is no longer pending; its summary is listed at /actuator/tasks/finished.")
                .orElse("No pending task has id " + id + ", and the history of finished tasks does not hold it"
                        + " (it keeps the most recent ones): /actuator/tasks lists the pending tasks.");
        return new InvalidTasksRequestException(TasksProblem.Kind.UNKNOWN_TASK.with(detail));
    }

    private static WebEndpointResponse<OperationResponseBody> answer(Supplier<OperationResponseBody> operation) {
        try {
            return new WebEndpointResponse<>(operation.get(), WebEndpointResponse.STATUS_OK);
        } catch (InvalidTasksRequestException e) {
            TasksProblem problem = e.problem();
            return new WebEndpointResponse<>(problem, problem.status(), TasksProblem.MEDIA_TYPE);
        }
    }

    /**
     * What a cancel did: whether a cancellation was requested, whether the task was already done, and its state
     * right after (the cancellation itself is delivered on the loop, usually within microseconds).
     */
    public record CancelResult(long id, String name, boolean cancelRequested, boolean alreadyDone,
            @Nullable String message, TaskState state) implements OperationResponseBody {
    }
}
