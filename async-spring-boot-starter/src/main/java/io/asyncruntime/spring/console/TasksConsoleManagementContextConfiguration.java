package io.asyncruntime.spring.console;

import io.asyncruntime.spring.actuate.TasksEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointProperties;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;
import org.springframework.web.util.HtmlUtils;

/**
 * Serves the tasks console at {@code <management base path><async.runtime.console.path>/} (by default
 * {@code /actuator/console/}) in whichever context serves Actuator: the application's own server, or the
 * management server when {@code management.server.port} gives Actuator a port of its own. No server of its own.
 *
 * <p>The console is static: a page, a script, a stylesheet and uPlot (from its WebJar, on this jar's classpath;
 * nothing is loaded from the network). Everything it shows comes from the {@code tasks} endpoint's JSON and the
 * {@code metrics} endpoint, fetched by the browser with the user's own credentials, so it cannot show or do
 * anything those endpoints would not answer to the same request: exposure, access (cancel) and show-values
 * (stacks, messages, creation sites) apply unchanged. It is served only while {@code tasks} is exposed over HTTP.
 *
 * <p>Threading: the routes are immutable; requests are served on any thread.
 */
@ManagementContextConfiguration(value = ManagementContextType.ANY, proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(RouterFunction.class)
@ConditionalOnBooleanProperty("async.runtime.console.enabled")
@ConditionalOnAvailableEndpoint(endpoint = TasksEndpoint.class, exposure = EndpointExposure.WEB)
@EnableConfigurationProperties(TasksConsoleProperties.class)
public final class TasksConsoleManagementContextConfiguration {
    private static final String ASSETS = "META-INF/asyncruntime/console/";
    private static final String UPLOT = "META-INF/maven/org.webjars.npm/uplot/pom.properties";
    static final Duration MIN_REFRESH = Duration.ofMillis(500);

    /*
     * The browser may run only our own files, fetch only from this origin, and the page cannot be framed.
     * uPlot sizes its elements through the style attribute, hence 'unsafe-inline' for styles (never for scripts).
     */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

    @Bean
    RouterFunction<ServerResponse> tasksConsoleRoutes(TasksConsoleProperties properties,
            WebEndpointProperties webEndpoints, ObjectProvider<PathMappedEndpoints> endpoints) {
        String path = consolePath(properties.getPath());
        if (properties.getRefresh().compareTo(MIN_REFRESH) < 0) {
            throw new IllegalArgumentException("async.runtime.console.refresh must be at least " + MIN_REFRESH
                    + ", not " + properties.getRefresh() + ": every open console asks the endpoint this often");
        }
        String root = webEndpoints.getBasePath() + path;
        String template = read(new ClassPathResource(ASSETS + "index.html"));
        // From the page's folder ("<root>/") up to the base path: relative links work behind any context path.
        String up = "../".repeat((int) path.chars().filter(c -> c == '/').count());
        String refresh = Long.toString(properties.getRefresh().toMillis());
        return RouterFunctions.route()
                .GET(root, request -> ServerResponse.temporaryRedirect(
                        request.uriBuilder().replacePath(request.requestPath().contextPath().value() + root + "/")
                                .replaceQuery(null).build()).build())
                .GET(root + "/", request -> page(template, endpoints, webEndpoints.getBasePath(), up, refresh))
                .resources(root + "/assets/**", new ClassPathResource(ASSETS), TasksConsoleManagementContextConfiguration::noSniff)
                .resources(root + "/uplot/**", new ClassPathResource(uplotDist()), TasksConsoleManagementContextConfiguration::noSniff)
                .build();
    }

    private static ServerResponse page(String template, ObjectProvider<PathMappedEndpoints> endpoints, String base,
            String up, String refresh) {
        PathMappedEndpoints mapped = endpoints.getIfAvailable();
        String tasks = mapped == null ? null : mapped.getPath(EndpointId.of("tasks"));
        if (tasks == null) {
            return ServerResponse.notFound().build();
        }
        String metrics = mapped.getPath(EndpointId.of("metrics"));
        String html = template.replace("@tasks@", attribute(up + relative(base, tasks)))
                .replace("@metrics@", metrics == null ? "" : attribute(up + relative(base, metrics)))
                .replace("@refresh@", refresh);
        return ServerResponse.ok().contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .body(html);
    }

    private static void noSniff(Resource resource, HttpHeaders headers) {
        headers.set("X-Content-Type-Options", "nosniff");
    }

    private static String relative(String base, String endpointPath) {
        String rest = endpointPath.startsWith(base) ? endpointPath.substring(base.length()) : endpointPath;
        return rest.startsWith("/") ? rest.substring(1) : rest;
    }

    private static String attribute(String value) {
        return HtmlUtils.htmlEscape(value, StandardCharsets.UTF_8.name());
    }

    /** Returns {@code path} as "/a/b": one leading slash, no trailing one, no empty, "." or ".." segment. */
    static String consolePath(String path) {
        String p = path.strip();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        for (String segment : p.substring(1).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                    || !segment.matches("[A-Za-z0-9._~-]+")) {
                throw new IllegalArgumentException("async.runtime.console.path must be a path of plain segments"
                        + " (letters, digits, '-', '_', '.', '~') such as /console, not '" + path + "'");
            }
        }
        return p;
    }

    /* The WebJar's folder, by the version its own Maven metadata states, so a newer uPlot needs no change here. */
    private static String uplotDist() {
        Properties pom = new Properties();
        try (InputStream in = new ClassPathResource(UPLOT).getInputStream()) {
            pom.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("The tasks console needs uPlot's WebJar (org.webjars.npm:uplot)", e);
        }
        return "META-INF/resources/webjars/uplot/" + pom.getProperty("version") + "/dist/";
    }

    private static String read(Resource resource) {
        try (InputStream in = resource.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("The tasks console's page is missing from the starter's jar", e);
        }
    }
}
