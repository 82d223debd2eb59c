package io.asyncruntime.spring.actuate;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The WebFlux twin of {@link BodilessCancelFilter}: lets {@code curl -X POST /actuator/tasks/42} cancel in a WebFlux
 * application, where a {@code POST} under the {@code tasks} endpoint's path with no body and no
 * {@code Content-Type} is passed on as {@code application/json}.
 *
 * <p>Why: Actuator maps every write operation as consuming JSON, and WebFlux's consumes condition, like Spring
 * MVC's, then requires a JSON content type even when there is no body, so the natural bodiless cancel would be a
 * 415 (answered before the id is even looked at). A request with a body or a content type goes through as sent.
 * The path is the one within the application (without {@code spring.webflux.base-path}), as
 * {@link PathMappedEndpoints} maps the endpoint.
 *
 * <p>Threading: any thread; stateless.
 */
public final class BodilessCancelWebFilter implements WebFilter {
    private final ObjectProvider<PathMappedEndpoints> endpoints;

    /** Creates the filter; {@code endpoints} gives the web path of the {@code tasks} endpoint, if exposed. */
    public BodilessCancelWebFilter(ObjectProvider<PathMappedEndpoints> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = request.getHeaders();
        if (!HttpMethod.POST.equals(request.getMethod()) || headers.getFirst(HttpHeaders.CONTENT_TYPE) != null
                || hasBody(headers)) {
            return chain.filter(exchange);
        }
        TasksRefusals.Mapping tasks = TasksRefusals.Mapping.of(endpoints);
        if (tasks == null || !tasks.isUnder(request.getPath().pathWithinApplication().value())) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange.mutate()
                .request(builder -> builder.headers(h -> h.setContentType(MediaType.APPLICATION_JSON))).build());
    }

    private static boolean hasBody(HttpHeaders headers) {
        return headers.getContentLength() > 0 || headers.getFirst(HttpHeaders.TRANSFER_ENCODING) != null;
    }
}
