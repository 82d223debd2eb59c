package io.asyncruntime.spring.actuate;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import io.asyncruntime.debug.TaskInfo;
import io.asyncruntime.debug.TaskState;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The web side of the {@code tasks} endpoint: cancelling a task over HTTP, with 404 for an unknown id.
 *
 * <p>Threading: any thread; the cancel itself is handed to the loop, never waited for.
 */
@EndpointWebExtension(endpoint = TasksEndpoint.class)
public class TasksEndpointWebExtension {
    private final AsyncRuntime runtime;

    public TasksEndpointWebExtension(AsyncRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Requests cancellation of the pending task {@code id} with {@code msg}: asyncio's {@code Task.cancel(msg)}.
     * 200 with the outcome; 404 if no task has this id (finished tasks are no longer pending).
     */
    @WriteOperation
    public WebEndpointResponse<CancelResult> cancel(@Selector long id, @Nullable String msg) {
        Optional<Task<?>> task = runtime.findTask(id);
        if (task.isEmpty()) {
            return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
        }
        Task<?> t = task.get();
        // What the caller asked about is the task as found: decide "already done" before the cancel, which the
        // loop may deliver (and finish the task with) before this method returns.
        boolean wasDone = t.done();
        boolean requested = !wasDone && runtime.cancel(id, msg);
        return new WebEndpointResponse<>(new CancelResult(id, t.getName(), requested, wasDone || !requested, msg,
                TaskInfo.stateOf(t)));
    }

    /**
     * What a cancel did: whether a cancellation was requested, whether the task was already done, and its state
     * right after (the cancellation itself is delivered on the loop, usually within microseconds).
     */
    public record CancelResult(long id, String name, boolean cancelRequested, boolean alreadyDone,
            @Nullable String message, TaskState state) implements OperationResponseBody {
    }
}
