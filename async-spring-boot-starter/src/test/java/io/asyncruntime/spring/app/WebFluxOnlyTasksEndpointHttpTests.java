package io.asyncruntime.spring.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tasks endpoint in a WebFlux-only application (the build's {@code webflux-only} execution: no Spring MVC, no
 * Servlet API), cancel opened by the property, over a real port: a bodiless cancel and one with only {@code ?msg=}
 * work as in Spring MVC, and what WebFlux refuses before the operation runs is the same problem detail as there.
 */
@SpringBootTest(classes = WebFluxOnlyTasksEndpointHttpTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.endpoints.web.exposure.include=*", "management.endpoint.tasks.access=unrestricted"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebFluxOnlyTasksEndpointHttpTests {
    private static final String TYPE = "tag:asyncruntime.io,2026:tasks/";

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @LocalServerPort
    int port;

    @Autowired
    AsyncRuntime runtime;

    @Autowired
    ApplicationContext context;

    private @Nullable Task<Void> target;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    record Bad(String method, String path, @Nullable String contentType, @Nullable String body, int status, String type,
            String... mentions) {
        @Override
        public String toString() {
            return method + " " + path + (contentType == null ? "" : " [" + contentType + "]") + (body == null ? "" : " " + body);
        }
    }

    /** {@code {id}} stands for the id of a pending task. */
    Stream<Bad> badRequests() {
        String json = "application/json";
        return Stream.of(
                new Bad("POST", "/actuator/tasks/abc", null, null, 400, "invalid-parameter", "\"parameter\":\"id\"", "abc"),
                new Bad("POST", "/actuator/tasks/abc?msg=x", null, null, 400, "invalid-parameter", "\"parameter\":\"id\""),
                new Bad("POST", "/actuator/tasks/987654321", null, null, 404, "unknown-task", "987654321"),
                new Bad("POST", "/actuator/tasks/{id}", json, "{\"msg\":", 400, "unreadable-body", "\"parameter\":\"body\"",
                        "{\\\"msg\\\": \\\"why\\\"}"),
                new Bad("POST", "/actuator/tasks/{id}", json, "[1]", 400, "unreadable-body", "\"parameter\":\"body\""),
                new Bad("POST", "/actuator/tasks/{id}", "text/plain", "stop", 415, "unsupported-media-type", "text/plain",
                        "application/json"),
                new Bad("PUT", "/actuator/tasks/{id}", json, "{}", 405, "method-not-allowed", "PUT", "GET"),
                new Bad("POST", "/actuator/tasks", json, "{}", 405, "method-not-allowed",
                        "cancel is POST /actuator/tasks/{id}"),
                new Bad("GET", "/actuator/tasks/1/stack", null, null, 404, "no-such-operation", "/actuator/tasks/{id}"),
                new Bad("GET", "/actuator/tasks?limit=-1", null, null, 400, "invalid-parameter", "\"parameter\":\"limit\""));
    }

    @Test
    void runsWithoutServlets() {
        assertThat(ClassUtils.isPresent("jakarta.servlet.Servlet", null)).isFalse();
        assertThat(context).isInstanceOf(ReactiveWebServerApplicationContext.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void aRefusedRequestIsTheSameProblemDetailAsInSpringMvc(Bad bad) throws Exception {
        if (target == null) {
            target = sleeper("target"); // one for the whole table: a refused request must leave it untouched
        }
        HttpResponse<String> response = send(bad.method(), bad.path().replace("{id}", String.valueOf(target.getId())),
                bad.contentType(), bad.body());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(bad.status());
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        Map<?, ?> problem = JsonMapper.builder().build().readValue(response.body(), Map.class);
        assertThat(problem.get("type")).isEqualTo(TYPE + bad.type());
        assertThat(problem.get("status")).isEqualTo(bad.status());
        assertThat((String) problem.get("title")).isNotBlank();
        assertThat((String) problem.get("detail")).isNotBlank();
        assertThat(response.body()).contains(bad.mentions());
        assertThat(target.done()).isFalse();
    }

    @Test
    void aPostWithoutBodyOrContentTypeCancels() throws Exception {
        Task<Void> victim = sleeper("curl-cancel");
        HttpResponse<String> response = send("POST", "/actuator/tasks/" + victim.getId(), null, null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<?, ?> result = JsonMapper.builder().build().readValue(response.body(), Map.class);
        assertThat(result.get("cancelRequested")).isEqualTo(true);
        assertThat(result.get("message")).isNull();
        runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
        assertThat(victim.cancelled()).isTrue();
    }

    @Test
    void aMessageInTheQueryStringWithoutContentTypeCancelsWithIt() throws Exception {
        Task<Void> victim = sleeper("query-cancel");
        HttpResponse<String> response = send("POST", "/actuator/tasks/" + victim.getId() + "?msg=x", null, null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<?, ?> result = JsonMapper.builder().build().readValue(response.body(), Map.class);
        assertThat(result.get("cancelRequested")).isEqualTo(true);
        assertThat(result.get("message")).isEqualTo("x");
        runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
        assertThat(victim.cancelled()).isTrue();
    }

    @Test
    void aJsonBodyStillCancelsWithItsMessage() throws Exception {
        Task<Void> victim = sleeper("body-cancel");
        HttpResponse<String> response = send("POST", "/actuator/tasks/" + victim.getId(), "application/json",
                "{\"msg\":\"from the body\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"message\":\"from the body\"");
    }

    @Test
    void requestsOutsideTheEndpointKeepBootsOwnErrors() throws Exception {
        HttpResponse<String> response = send("POST", "/elsewhere/1", null, null);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).doesNotContain(TYPE);
    }

    @AfterAll
    void cancelTheTarget() {
        if (target != null) {
            runtime.cancel(target.getId(), "test over");
        }
    }

    private Task<Void> sleeper(String name) {
        Task<Void> task = runtime.createTask(() -> {
            Async.sleep(3600);
            return null;
        }, name);
        runtime.run(() -> Async.sleep(Duration.ofMillis(2), null)); // let it reach its await
        return task;
    }

    private HttpResponse<String> send(String method, String path, @Nullable String contentType, @Nullable String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
