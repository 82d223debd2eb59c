package io.asyncruntime.spring.actuate;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.actuate.endpoint.web.WebEndpointHttpMethod;

/**
 * The problem details for the requests to the {@code tasks} endpoint that the web framework refuses before any
 * operation runs, and which requests are the endpoint's. Shared by the Spring MVC pieces ({@link TasksProblemResolver},
 * {@link BodilessCancelFilter}) and the WebFlux ones ({@link TasksProblemWebExceptionHandler},
 * {@link BodilessCancelWebFilter}), so that both stacks answer the same words; it touches neither stack's types, so
 * each can load it without the other on the classpath.
 *
 * <p>Threading: stateless.
 */
final class TasksRefusals {
    private static final EndpointId TASKS = EndpointId.of("tasks");
    private static final List<String> BODIES = List.of("no body", "{}", "{\"msg\": \"why\"}");

    private TasksRefusals() {
    }

    /**
     * The {@code tasks} endpoint as mapped for the web: its path ({@code root}, such as {@code /actuator/tasks})
     * and the endpoint, whose operations say whether cancel is mapped.
     */
    record Mapping(String root, PathMappedEndpoint endpoint) {

        /** Returns the mapping, or null when the endpoint is not exposed over the web. */
        static @Nullable Mapping of(ObjectProvider<PathMappedEndpoints> endpoints) {
            PathMappedEndpoints mapped = endpoints.getIfAvailable();
            PathMappedEndpoint tasks = mapped == null ? null : mapped.getEndpoint(TASKS);
            String root = mapped == null ? null : mapped.getPath(TASKS);
            return tasks == null || root == null ? null : new Mapping(root, tasks);
        }

        /** Whether {@code path} (within the application) is the endpoint's root or under it. */
        boolean covers(String path) {
            return path.equals(root) || isUnder(path);
        }

        /** Whether {@code path} is under the endpoint's root: a task, {@code current}, {@code finished}, .... */
        boolean isUnder(String path) {
            return path.startsWith(root + "/");
        }

        /**
         * Whether Actuator mapped cancel: it leaves out a write operation the endpoint's access (read-only by
         * default, or capped by {@code management.endpoints.access.max-permitted}) does not allow.
         */
        boolean cancelMapped() {
            return endpoint instanceof ExposableWebEndpoint web && web.getOperations().stream()
                    .anyMatch(op -> op.getRequestPredicate().getHttpMethod() == WebEndpointHttpMethod.POST);
        }
    }

    // Not the parser's message: it names our internal types; what the client needs is the accepted shape.
    static TasksProblem unreadableBody() {
        return TasksProblem.Kind.UNREADABLE_BODY.with("The body is not a JSON object of simple values: send no body,"
                + " {} or {\"msg\": \"why\"} (msg a string).", "body", null, BODIES);
    }

    static TasksProblem unsupportedMediaType(@Nullable String contentType, List<String> supported) {
        return TasksProblem.Kind.UNSUPPORTED_MEDIA_TYPE.with((contentType == null ? "A body without a Content-Type"
                : "Content type '" + contentType + "'") + " is not accepted: send no body, or a JSON body"
                + " (Content-Type: application/json) such as {\"msg\": \"why\"}; the message can also"
                + " go in the query string (?msg=why).", "Content-Type", contentType, supported);
    }

    static TasksProblem notAcceptable(@Nullable String accept, List<String> supported) {
        return TasksProblem.Kind.NOT_ACCEPTABLE.with("The tasks endpoint answers JSON (and its pending"
                + " list also plain text); the request's Accept header (" + accept + ") allows none of the media"
                + " types listed in 'accepted'.", "Accept", accept, supported);
    }

    static TasksProblem invalidParameter(@Nullable String reason) {
        return TasksProblem.Kind.INVALID_PARAMETER.with(reason == null ? "The request's parameters are invalid." : reason);
    }

    static TasksProblem noSuchOperation(Mapping tasks, String path) {
        String root = tasks.root();
        return TasksProblem.Kind.NO_SUCH_OPERATION.with(path + " is not a resource of the tasks endpoint; it answers "
                + root + ", " + root + "/current, " + root + "/finished and " + root + "/{id}.");
    }

    /**
     * A method the endpoint does not take on {@code path}: for a {@code POST} to a task while cancel is not mapped,
     * the property that opens it; otherwise the methods {@code allowed}.
     */
    static TasksProblem methodNotAllowed(Mapping tasks, String method, String path, List<String> allowed) {
        String root = tasks.root();
        if (method.equals("POST") && !path.equals(root) && !tasks.cancelMapped()) {
            return TasksProblem.Kind.CANCEL_NOT_PERMITTED.with("Cancelling a task is a write operation, and the tasks"
                    + " endpoint's access is read-only (its default, or capped by management.endpoints.access.max-permitted)."
                    + " Set management.endpoint.tasks.access=unrestricted to open it, and guard it with Spring Security.",
                    "management.endpoint.tasks.access", "read-only", List.of("unrestricted"));
        }
        return TasksProblem.Kind.METHOD_NOT_ALLOWED.with("Method " + method + " is not allowed on " + path + "; it takes "
                + String.join(", ", allowed) + (path.equals(root) ? " (cancel is POST " + root + "/{id})." : "."),
                "method", method, allowed);
    }
}
