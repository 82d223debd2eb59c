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
import java.util.List;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * The tasks endpoint under malformed requests, over a real port, with Boot's default error settings and every
 * endpoint exposed: each bad input is answered with its status and an RFC 9457 problem detail that names what
 * was wrong; none is a 500 and none reaches Boot's reasonless error page. Cancel is opened by the property here.
 */
@SpringBootTest(classes = TasksEndpointBadRequestHttpTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.endpoints.web.exposure.include=*", "management.endpoint.tasks.access=unrestricted",
                "management.endpoint.tasks.show-values=always"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TasksEndpointBadRequestHttpTests {
    private static final String TYPE = "tag:asyncruntime.io,2026:tasks/";
    private static final String LONG_MSG = "x".repeat(1001);

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @LocalServerPort
    int port;

    @Autowired
    AsyncRuntime runtime;

    private @Nullable Task<Void> target;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** One malformed request and what its answer must say. */
    record Bad(String method, String path, @Nullable String contentType, @Nullable String body, @Nullable String accept,
            int status, String type, String... mentions) {
        @Override
        public String toString() {
            return method + " " + path + (contentType == null ? "" : " [" + contentType + "]")
                    + (body == null ? "" : " " + (body.length() > 20 ? body.substring(0, 20) + "..." : body))
                    + (accept == null ? "" : " Accept: " + accept);
        }
    }

    private static Bad get(String path, int status, String type, String... mentions) {
        return new Bad("GET", path, null, null, null, status, type, mentions);
    }

    private static Bad post(String path, @Nullable String contentType, @Nullable String body, int status, String type,
            String... mentions) {
        return new Bad("POST", path, contentType, body, null, status, type, mentions);
    }

    /** {@code {id}} stands for the id of a pending task. */
    Stream<Bad> badRequests() {
        String json = "application/json";
        return Stream.of(
                // ids in the path
                get("/actuator/tasks/abc", 400, "invalid-parameter", "\"parameter\":\"id\"", "abc"),
                get("/actuator/tasks/-1", 400, "invalid-parameter", "\"parameter\":\"id\"", "positive whole number"),
                get("/actuator/tasks/0", 400, "invalid-parameter", "\"parameter\":\"id\""),
                get("/actuator/tasks/1.5", 400, "invalid-parameter", "\"parameter\":\"id\"", "1.5"),
                get("/actuator/tasks/0x10", 400, "invalid-parameter", "\"parameter\":\"id\""),
                get("/actuator/tasks/99999999999999999999", 400, "invalid-parameter", "\"parameter\":\"id\""),
                get("/actuator/tasks/%20", 400, "invalid-parameter", "\"parameter\":\"id\""),
                get("/actuator/tasks/CURRENT", 400, "invalid-parameter", "'current' and 'finished'"),
                get("/actuator/tasks/987654321", 404, "unknown-task", "987654321", "/actuator/tasks"),
                get("/actuator/tasks/1/stack", 404, "no-such-operation", "/actuator/tasks/{id}"),
                // offset
                get("/actuator/tasks?offset=-1", 400, "invalid-parameter", "\"parameter\":\"offset\"", "0 to 2147483647"),
                get("/actuator/tasks?offset=abc", 400, "invalid-parameter", "\"parameter\":\"offset\"", "whole number"),
                get("/actuator/tasks?offset=", 400, "invalid-parameter", "\"parameter\":\"offset\""),
                get("/actuator/tasks?offset=1e3", 400, "invalid-parameter", "\"parameter\":\"offset\""),
                get("/actuator/tasks?offset=2147483648", 400, "invalid-parameter", "\"parameter\":\"offset\"", "2147483648"),
                get("/actuator/tasks?offset=-99999999999999999999", 400, "invalid-parameter", "\"parameter\":\"offset\""),
                get("/actuator/tasks?offset=1&offset=2", 400, "invalid-parameter", "\"parameter\":\"offset\""),
                // limit
                get("/actuator/tasks?limit=-1", 400, "invalid-parameter", "\"parameter\":\"limit\"", "0 to 10000"),
                get("/actuator/tasks?limit=10001", 400, "invalid-parameter", "\"parameter\":\"limit\"", "0 to 10000"),
                get("/actuator/tasks?limit=2147483647", 400, "invalid-parameter", "\"parameter\":\"limit\""),
                get("/actuator/tasks?limit=abc", 400, "invalid-parameter", "\"parameter\":\"limit\""),
                get("/actuator/tasks?limit=1.0", 400, "invalid-parameter", "\"parameter\":\"limit\""),
                get("/actuator/tasks?limit=", 400, "invalid-parameter", "\"parameter\":\"limit\""),
                get("/actuator/tasks/finished?limit=-1", 400, "invalid-parameter", "\"parameter\":\"limit\""),
                get("/actuator/tasks/finished?limit=x", 400, "invalid-parameter", "\"parameter\":\"limit\""),
                get("/actuator/tasks/current?limit=99999", 400, "invalid-parameter", "\"parameter\":\"limit\""),
                // state
                get("/actuator/tasks?state=sideways", 400, "invalid-parameter", "\"parameter\":\"state\"",
                        "\"accepted\":[\"PENDING\",\"RUNNING\",\"CANCELLING\"]"),
                get("/actuator/tasks?state=", 400, "invalid-parameter", "\"parameter\":\"state\""),
                get("/actuator/tasks?state=PENDING,RUNNING", 400, "invalid-parameter", "\"parameter\":\"state\""),
                get("/actuator/tasks?state=done", 400, "invalid-parameter", "finished state", "/actuator/tasks/finished"),
                get("/actuator/tasks?state=FAILED", 400, "invalid-parameter", "finished state"),
                get("/actuator/tasks?state=cancelled", 400, "invalid-parameter", "finished state"),
                // cancel bodies
                post("/actuator/tasks/{id}", json, "not json", 400, "unreadable-body", "\"parameter\":\"body\"", "{\\\"msg\\\": \\\"why\\\"}"),
                post("/actuator/tasks/{id}", json, "{", 400, "unreadable-body", "\"parameter\":\"body\""),
                post("/actuator/tasks/{id}", json, "[1]", 400, "unreadable-body", "\"parameter\":\"body\""),
                post("/actuator/tasks/{id}", json, "\"stop\"", 400, "unreadable-body", "\"parameter\":\"body\""),
                post("/actuator/tasks/{id}", json, "{\"msg\":[1]}", 400, "unreadable-body", "msg a string"),
                post("/actuator/tasks/{id}", json, "{\"msg\":{\"text\":\"x\"}}", 400, "unreadable-body", "msg a string"),
                post("/actuator/tasks/{id}", json, "{\"msg\":\"" + LONG_MSG + "\"}", 400, "invalid-parameter",
                        "\"parameter\":\"msg\"", "1001 characters"),
                post("/actuator/tasks/{id}?msg=" + LONG_MSG, null, null, 400, "invalid-parameter", "\"parameter\":\"msg\""),
                post("/actuator/tasks/abc", json, "{}", 400, "invalid-parameter", "\"parameter\":\"id\""),
                post("/actuator/tasks/987654321", json, "{}", 404, "unknown-task", "987654321"),
                // content types
                post("/actuator/tasks/{id}", "text/plain", "stop", 415, "unsupported-media-type", "text/plain", "application/json"),
                post("/actuator/tasks/{id}", "application/x-www-form-urlencoded", "msg=stop", 415, "unsupported-media-type",
                        "?msg=why"),
                post("/actuator/tasks/{id}", "application/xml", "<msg>stop</msg>", 415, "unsupported-media-type", "application/xml"),
                // methods
                new Bad("PUT", "/actuator/tasks/{id}", json, "{}", null, 405, "method-not-allowed", "PUT", "GET"),
                new Bad("DELETE", "/actuator/tasks/{id}", null, null, null, 405, "method-not-allowed", "DELETE"),
                new Bad("PATCH", "/actuator/tasks/{id}", json, "{}", null, 405, "method-not-allowed", "PATCH"),
                post("/actuator/tasks", json, "{}", 405, "method-not-allowed", "cancel is POST /actuator/tasks/{id}"),
                new Bad("DELETE", "/actuator/tasks", null, null, null, 405, "method-not-allowed", "DELETE"),
                // what the client accepts
                new Bad("GET", "/actuator/tasks", null, null, "application/xml", 406, "not-acceptable", "its pending list also plain text"),
                new Bad("GET", "/actuator/tasks/finished", null, null, "text/html", 406, "not-acceptable", "Accept"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void aBadRequestIsAProblemDetailSayingWhatWasWrong(Bad bad) throws Exception {
        if (target == null) {
            target = sleeper("target"); // one for the whole table: a refused request must leave it untouched
        }
        HttpResponse<String> response = send(bad.method(), bad.path().replace("{id}", String.valueOf(target.getId())),
                bad.contentType(), bad.body(), bad.accept());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(bad.status());
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        Map<?, ?> problem = JsonMapper.builder().build().readValue(response.body(), Map.class);
        assertThat(problem.get("type")).isEqualTo(TYPE + bad.type());
        assertThat(problem.get("status")).isEqualTo(bad.status());
        assertThat((String) problem.get("title")).isNotBlank();
        assertThat((String) problem.get("detail")).isNotBlank();
        assertThat(response.body()).contains(bad.mentions());
        // Refused means refused: the task is untouched.
        assertThat(target.done()).isFalse();
    }

    @AfterAll
    void cancelTheTarget() {
        if (target != null) {
            runtime.cancel(target.getId(), "test over");
        }
    }

    /** Every way of sending no message, or one, cancels the task. */
    Stream<List<@Nullable String>> cancelRequests() {
        return Stream.of(
                java.util.Arrays.asList(null, null, null), // no body, no content type (curl -X POST)
                java.util.Arrays.asList("application/json", "", null),
                java.util.Arrays.asList("application/json", "{}", null),
                java.util.Arrays.asList("application/json", "null", null),
                java.util.Arrays.asList("application/json", "{\"msg\":\"from the body\"}", "from the body"),
                java.util.Arrays.asList("application/json", "{\"msg\":42}", "42"),
                java.util.Arrays.asList("application/vnd.spring-boot.actuator.v3+json", "{\"msg\":\"v3\"}", "v3"),
                java.util.Arrays.asList(null, null, "from the query"));
    }

    @ParameterizedTest
    @MethodSource("cancelRequests")
    void cancelTakesNoBodyAnEmptyOneOrAMessageInTheBodyOrQuery(List<@Nullable String> request) throws Exception {
        Task<Void> target = sleeper("to-cancel");
        String expected = request.get(2);
        String query = expected != null && request.get(1) == null ? "?msg=from%20the%20query" : "";
        HttpResponse<String> response = send("POST", "/actuator/tasks/" + target.getId() + query, request.get(0),
                request.get(1), null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<?, ?> result = JsonMapper.builder().build().readValue(response.body(), Map.class);
        assertThat(result.get("cancelRequested")).isEqualTo(true);
        assertThat(result.get("alreadyDone")).isEqualTo(false);
        assertThat(result.get("message")).isEqualTo(expected);
        runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
        assertThat(target.cancelled()).isTrue();
    }

    @Test
    void cancellingAFinishedTaskStillInTheHistoryAnswersAlreadyDone() throws Exception {
        Task<String> finished = runtime.createTask(() -> "ok", "quick");
        runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
        assertThat(finished.done()).isTrue();

        HttpResponse<String> response = send("POST", "/actuator/tasks/" + finished.getId(), null, null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"alreadyDone\":true", "\"cancelRequested\":false", "\"state\":\"DONE\"",
                "\"name\":\"quick\"");
        HttpResponse<String> read = send("GET", "/actuator/tasks/" + finished.getId(), null, null, null);
        assertThat(read.statusCode()).isEqualTo(404);
        assertThat(read.body()).contains("has finished (DONE)", "/actuator/tasks/finished");
    }

    @Test
    void aHugeOffsetIsAnEmptyPageAndTheLargestLimitIsServed() throws Exception {
        sleeper("paged");
        HttpResponse<String> huge = send("GET", "/actuator/tasks?offset=2147483647&limit=10000", null, null, null);
        assertThat(huge.statusCode()).isEqualTo(200);
        assertThat(huge.body()).contains("\"offset\":2147483647", "\"limit\":10000", "\"tasks\":[]");
        HttpResponse<String> lower = send("GET", "/actuator/tasks?state=pending&name=paged&offset=0&limit=0", null, null, null);
        assertThat(lower.statusCode()).isEqualTo(200);
        assertThat(lower.body()).contains("\"tasks\":[]").doesNotContain("\"total\":0");
    }

    @Test
    void valuesAreShownWhenShowValuesIsAlways() throws Exception {
        Task<Void> target = sleeper("revealed");
        String detail = send("GET", "/actuator/tasks/" + target.getId(), null, null, null).body();
        assertThat(detail).contains("\"stack\":[", "\"callGraph\":", "\"createdAt\":");
        runtime.cancel(target.getId(), "test over");
    }

    private Task<Void> sleeper(String name) {
        Task<Void> task = runtime.createTask(() -> {
            Async.sleep(3600);
            return null;
        }, name);
        runtime.run(() -> Async.sleep(Duration.ofMillis(2), null)); // let it reach its await
        return task;
    }

    private HttpResponse<String> send(String method, String path, @Nullable String contentType, @Nullable String body,
            @Nullable String accept) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
