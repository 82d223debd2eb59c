package io.asyncruntime.spring.actuate;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.core.Ordered;
import org.springframework.core.codec.DecodingException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * The WebFlux twin of {@link TasksProblemResolver}: answers, as the same RFC 9457 problem details, the requests to
 * the {@code tasks} endpoint that WebFlux refuses before any operation runs: a body that is not JSON (400), a
 * content type that is not JSON (415), a method the endpoint does not take (405; for {@code POST} while the
 * endpoint's access is read-only, saying which property opens cancel), an {@code Accept} it cannot meet (406), a
 * path that is no operation (404).
 *
 * <p>Why a {@link WebExceptionHandler}: WebFlux signals these as errors of the exchange from its handler mapping
 * and argument resolution, where the operation cannot see them, and Boot's {@code ErrorWebExceptionHandler}
 * (order -1) would answer them with its generic error body, without the reason under Boot's default error
 * settings. This handler runs just before it, acts only on requests under the {@code tasks} endpoint's web path (as
 * {@link PathMappedEndpoints} maps it, within the application) and passes every other request, every other
 * error and a response already committed on unchanged.
 *
 * <p>Threading: any thread; stateless.
 */
public final class TasksProblemWebExceptionHandler implements WebExceptionHandler, Ordered {
    private final ObjectProvider<PathMappedEndpoints> endpoints;

    /** Creates the handler; {@code endpoints} gives the web path of the {@code tasks} endpoint, if exposed. */
    public TasksProblemWebExceptionHandler(ObjectProvider<PathMappedEndpoints> endpoints) {
        this.endpoints = endpoints;
    }

    /** Returns -2: before Boot's {@code ErrorWebExceptionHandler} (-1) and WebFlux's status handler (0). */
    @Override
    public int getOrder() {
        return -2;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        ServerHttpRequest request = exchange.getRequest();
        ServerHttpResponse response = exchange.getResponse();
        TasksRefusals.Mapping tasks = TasksRefusals.Mapping.of(endpoints);
        String path = request.getPath().pathWithinApplication().value();
        TasksProblem problem = tasks == null || !tasks.covers(path) || response.isCommitted() ? null
                : problem(ex, request, tasks, path);
        if (problem == null) {
            return Mono.error(ex);
        }
        if (ex instanceof ErrorResponse error) {
            // Allow (405) and Accept (415) say what the endpoint takes; keep them.
            error.getHeaders().forEach((name, values) -> response.getHeaders().addAll(name, values));
        }
        response.setStatusCode(HttpStatusCode.valueOf(problem.status()));
        response.getHeaders().setContentType(new MediaType(MediaType.asMediaType(TasksProblem.MEDIA_TYPE),
                StandardCharsets.UTF_8));
        byte[] body = problem.at(path).toJson().getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
    }

    private static @Nullable TasksProblem problem(Throwable ex, ServerHttpRequest request, TasksRefusals.Mapping tasks,
            String path) {
        HttpHeaders headers = request.getHeaders();
        return switch (ex) {
            // WebFlux's form of Spring MVC's HttpMessageNotReadableException: the JSON decoder failed on the body.
            case ServerWebInputException e when e.getCause() instanceof DecodingException -> TasksRefusals.unreadableBody();
            case UnsupportedMediaTypeStatusException e -> TasksRefusals.unsupportedMediaType(
                    headers.getFirst(HttpHeaders.CONTENT_TYPE), types(e.getSupportedMediaTypes()));
            case MethodNotAllowedException e -> TasksRefusals.methodNotAllowed(tasks, request.getMethod().name(), path,
                    e.getSupportedMethods().stream().map(HttpMethod::name).sorted().toList());
            case NotAcceptableStatusException e -> TasksRefusals.notAcceptable(headers.getFirst(HttpHeaders.ACCEPT),
                    types(e.getSupportedMediaTypes()));
            case ResponseStatusException e when e.getStatusCode().value() == 400 -> TasksRefusals.invalidParameter(
                    e.getReason());
            case ErrorResponse e when e.getStatusCode().value() == 404 -> TasksRefusals.noSuchOperation(tasks, path);
            default -> null;
        };
    }

    private static List<String> types(List<MediaType> types) {
        return types.stream().map(MediaType::toString).toList();
    }
}
