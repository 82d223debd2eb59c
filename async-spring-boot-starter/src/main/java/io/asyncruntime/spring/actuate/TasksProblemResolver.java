package io.asyncruntime.spring.actuate;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
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
        TasksRefusals.Mapping tasks = TasksRefusals.Mapping.of(endpoints);
        String path = UrlPathHelper.defaultInstance.getLookupPathForRequest(request);
        if (tasks == null || !tasks.covers(path)) {
            return null;
        }
        TasksProblem problem = problem(ex, request, tasks, path);
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

    private static @Nullable TasksProblem problem(Exception ex, HttpServletRequest request, TasksRefusals.Mapping tasks,
            String path) {
        return switch (ex) {
            case HttpMessageNotReadableException e -> TasksRefusals.unreadableBody();
            case HttpMediaTypeNotSupportedException e -> TasksRefusals.unsupportedMediaType(request.getContentType(),
                    e.getSupportedMediaTypes().stream().map(MediaType::toString).toList());
            case HttpRequestMethodNotSupportedException e -> TasksRefusals.methodNotAllowed(tasks, request.getMethod(),
                    path, e.getSupportedMethods() == null ? List.of() : Arrays.asList(e.getSupportedMethods()));
            case HttpMediaTypeNotAcceptableException e -> TasksRefusals.notAcceptable(
                    request.getHeader(HttpHeaders.ACCEPT),
                    e.getSupportedMediaTypes().stream().map(MediaType::toString).toList());
            case ResponseStatusException e when e.getStatusCode().value() == 400 -> TasksRefusals.invalidParameter(
                    e.getReason());
            case ErrorResponse e when e.getStatusCode().value() == 404 -> TasksRefusals.noSuchOperation(tasks, path);
            default -> null;
        };
    }
}
