package io.asyncruntime.spring.actuate;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

/**
 * Lets {@code curl -X POST /actuator/tasks/42} cancel: a {@code POST} under the {@code tasks} endpoint's path that
 * has no body and no {@code Content-Type} is passed on as {@code application/json}.
 *
 * <p>Why: Actuator maps every write operation as consuming JSON, and Spring MVC's consumes condition requires a
 * JSON content type even when there is no body, so a bodiless cancel (the natural call, all of whose input is in
 * the path and query string) would be a 415. Nothing else changes: a request with a body, or with a content type,
 * goes through as sent (and a non-JSON one is still refused, with the reason, by {@link TasksProblemResolver}).
 *
 * <p>Threading: any request thread; stateless.
 */
public final class BodilessCancelFilter extends OncePerRequestFilter {
    private final ObjectProvider<PathMappedEndpoints> endpoints;

    /** Creates the filter; {@code endpoints} gives the web path of the {@code tasks} endpoint, if exposed. */
    public BodilessCancelFilter(ObjectProvider<PathMappedEndpoints> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        if (!"POST".equals(request.getMethod()) || request.getContentType() != null || hasBody(request)) {
            return true;
        }
        TasksRefusals.Mapping tasks = TasksRefusals.Mapping.of(endpoints);
        return tasks == null || !tasks.isUnder(UrlPathHelper.defaultInstance.getLookupPathForRequest(request));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(new JsonContentType(request), response);
    }

    private static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    }

    /** The request as sent, declaring an (empty) JSON body. */
    private static final class JsonContentType extends HttpServletRequestWrapper {
        JsonContentType(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getContentType() {
            return MediaType.APPLICATION_JSON_VALUE;
        }

        @Override
        public @Nullable String getHeader(String name) {
            return HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name) ? getContentType() : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name) ? Collections.enumeration(Set.of(getContentType()))
                    : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            Set<String> names = new LinkedHashSet<>(Collections.list(super.getHeaderNames()));
            names.add(HttpHeaders.CONTENT_TYPE);
            return Collections.enumeration(names);
        }
    }
}
