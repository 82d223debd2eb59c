package io.asyncruntime.spring.actuate;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.actuate.endpoint.web.WebEndpointHttpMethod;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.util.UrlPathHelper;

/**
 * Answers, as RFC 9457 problem details, the requests to the {@code tasks} endpoint that Spring MVC refuses before
 * any operation runs: a body that is not JSON (400), a content type that is not JSON (415), a method the endpoint
 * does not take (405; for {@code POST} while the endpoint's access is read-only, saying which property opens
 * cancel), an {@code Accept} it cannot meet (406), a path that is no operation (404).
 *
 * <p>Why a resolver: Spring MVC throws these from its handler mapping and argument resolution, where the
 * operation cannot see them, and hands them to the {@link HandlerExceptionResolver}s; without this one,
 * {@code DefaultHandlerExceptionResolver} sends the bare status to Boot's error page, which drops the reason
 * under Boot's default error settings. It acts only on requests under the {@code tasks} endpoint's web path
 * (as {@link PathMappedEndpoints} maps it) and leaves every other request, and every other exception, to the
 * application's own resolvers. It is ordered just after Boot's {@code DefaultErrorAttributes}, which only records
 * the exception and lets resolution go on.
 *
 * <p>Threading: any request thread; stateless.
 */
public final class TasksProblemResolver implements HandlerExceptionResolver, Ordered {
    private static final EndpointId TASKS = EndpointId.of("tasks");
    private static final List<String> BODIES = List.of("no body", "{}", "{\"msg\": \"why\"}");

    private final ObjectProvider<PathMappedEndpoints> endpoints;

    /** Creates the resolver; {@code endpoints} gives the web path of the {@code tasks} endpoint, if exposed. */
    public TasksProblemResolver(ObjectProvider<PathMappedEndpoints> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 1;
    }

    @Override
    public @Nullable ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response,
            @Nullable Object handler, Exception ex) {
        PathMappedEndpoints mapped = endpoints.getIfAvailable();
        PathMappedEndpoint tasks = mapped == null ? null : mapped.getEndpoint(TASKS);
        String root = mapped == null ? null : mapped.getPath(TASKS);
        if (tasks == null || root == null) {
            return null;
        }
        String path = UrlPathHelper.defaultInstance.getLookupPathForRequest(request);
        if (!path.equals(root) && !path.startsWith(root + "/")) {
            return null;
        }
        TasksProblem problem = problem(ex, request, root, path, tasks);
        if (problem == null) {
            return null;
        }
        try {
            if (ex instanceof ErrorResponse error) {
                // Allow (405) and Accept (415) say what the endpoint takes; keep them.
                error.getHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
            }
            response.setStatus(problem.status());
            response.setContentType(TasksProblem.MEDIA_TYPE.toString());
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.getWriter().write(problem.at(path).toJson());
            response.getWriter().flush();
        } catch (IOException e) {
            return null; // the client is gone; let the default resolvers try
        }
        return new ModelAndView();
    }

    private static @Nullable TasksProblem problem(Exception ex, HttpServletRequest request, String root, String path,
            PathMappedEndpoint tasks) {
        String method = request.getMethod();
        return switch (ex) {
            // Not the parser's message: it names our internal types; what the client needs is the accepted shape.
            case HttpMessageNotReadableException e -> TasksProblem.Kind.UNREADABLE_BODY.with("The body is not a JSON"
                    + " object of simple values: send no body, {} or {\"msg\": \"why\"} (msg a string).",
                    "body", null, BODIES);
            case HttpMediaTypeNotSupportedException e -> TasksProblem.Kind.UNSUPPORTED_MEDIA_TYPE.with(
                    (request.getContentType() == null ? "A body without a Content-Type"
                            : "Content type '" + request.getContentType() + "'") + " is not accepted: send no body, or a JSON body"
                            + " (Content-Type: application/json) such as {\"msg\": \"why\"}; the message can also"
                            + " go in the query string (?msg=why).",
                    "Content-Type", request.getContentType(), e.getSupportedMediaTypes().stream().map(MediaType::toString).toList());
            case HttpRequestMethodNotSupportedException e -> methodProblem(method, root, path, tasks, e);
            case HttpMediaTypeNotAcceptableException e -> TasksProblem.Kind.NOT_ACCEPTABLE.with(
                    "The tasks endpoint answers JSON; the request's Accept header (" + request.getHeader(HttpHeaders.ACCEPT)
                            + ") allows none of its media types.",
                    "Accept", request.getHeader(HttpHeaders.ACCEPT), e.getSupportedMediaTypes().stream().map(MediaType::toString).toList());
            case ResponseStatusException e when e.getStatusCode().value() == 400 -> TasksProblem.Kind.INVALID_PARAMETER
                    .with(e.getReason() == null ? "The request's parameters are invalid." : e.getReason());
            case ErrorResponse e when e.getStatusCode().value() == 404 -> TasksProblem.Kind.NO_SUCH_OPERATION.with(
                    path + " is not a resource of the tasks endpoint; it answers " + root + ", " + root + "/current, "
                            + root + "/finished and " + root + "/{id}.");
            default -> null;
        };
    }

    private static TasksProblem methodProblem(String method, String root, String path, PathMappedEndpoint tasks,
            HttpRequestMethodNotSupportedException e) {
        boolean cancelMapped = tasks instanceof ExposableWebEndpoint web && web.getOperations().stream()
                .anyMatch(op -> op.getRequestPredicate().getHttpMethod() == WebEndpointHttpMethod.POST);
        if (method.equals("POST") && !path.equals(root) && !cancelMapped) {
            return TasksProblem.Kind.CANCEL_NOT_PERMITTED.with("Cancelling a task is a write operation, and the tasks"
                    + " endpoint's access is read-only (its default, or capped by management.endpoints.access.max-permitted)."
                    + " Set management.endpoint.tasks.access=unrestricted to open it, and guard it with Spring Security.",
                    "management.endpoint.tasks.access", "read-only", List.of("unrestricted"));
        }
        String[] allowed = e.getSupportedMethods() == null ? new String[0] : e.getSupportedMethods();
        return TasksProblem.Kind.METHOD_NOT_ALLOWED.with("Method " + method + " is not allowed on " + path + "; it takes "
                + String.join(", ", allowed) + (path.equals(root) ? " (cancel is POST " + root + "/{id})." : "."),
                "method", method, Arrays.asList(allowed));
    }
}
