package io.asyncruntime.spring.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What an application gets by exposing every endpoint and nothing else (no Spring Security, no tasks property):
 * the tasks can be read but not cancelled, and no stack, message or creation site is shown to anyone.
 */
@SpringBootTest(classes = TasksEndpointSecureDefaultsHttpTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "management.endpoints.web.exposure.include=*")
class TasksEndpointSecureDefaultsHttpTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @LocalServerPort
    int port;

    @Autowired
    AsyncRuntime runtime;

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void anAnonymousCancelIsRefusedWithTheReasonAndThePropertyThatOpensIt() throws Exception {
        Task<Void> task = sleeper("guarded");
        for (String body : new String[] {null, "{\"msg\":\"stop\"}"}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(url("/actuator/tasks/" + task.getId()));
            request.POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());

            // Actuator does not map a write operation the access does not allow: 405, explained.
            assertThat(response.statusCode()).isEqualTo(405);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(response.body()).contains("\"type\":\"tag:asyncruntime.io,2026:tasks/cancel-not-permitted\"",
                    "management.endpoint.tasks.access=unrestricted", "read-only");
        }
        runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
        assertThat(task.done()).isFalse();
        runtime.cancel(task.getId(), "test over");
    }

    @Test
    void readsStayOpenButShowNoStackMessageOrCreationSite() throws Exception {
        Task<Void> task = sleeper("secretive");
        Task<Void> failing = runtime.createTask(() -> {
            throw new IllegalStateException("password=hunter2");
        }, "failing");
        runtime.cancel(task.getId(), "customer 42 asked");
        runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
        assertThat(failing.done()).isTrue();
        Task<Void> pending = sleeper("still-here");

        String detail = get("/actuator/tasks/" + pending.getId());
        assertThat(detail).contains("\"name\":\"still-here\"").doesNotContain("\"stack\"", "\"callGraph\"", "\"createdAt\"");
        assertThat(get("/actuator/tasks?name=still-here")).contains("\"name\":\"still-here\"").doesNotContain("createdAt");
        String finished = get("/actuator/tasks/finished");
        assertThat(finished).contains("\"error\":\"java.lang.IllegalStateException\"", "\"state\":\"CANCELLED\"")
                .doesNotContain("hunter2", "customer 42", "createdAt");
        runtime.cancel(pending.getId(), "test over");
    }

    @Test
    void theTextTreeShowsWhoAwaitsWhomButNoCodeLocations() throws Exception {
        Task<Void> child = sleeper("tree-child");
        Task<Void> parent = runtime.createTask(() -> {
            child.await();
            return null;
        }, "tree-parent");
        runtime.run(() -> Async.sleep(Duration.ofMillis(2), null));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(url("/actuator/tasks"))
                .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/plain"));
        assertThat(response.body()).startsWith("EventLoop asyncio-loop: ")
                .contains("── (T) tree-parent [id=" + parent.getId() + ", PENDING]\n"
                        + "    └── (T) tree-child [id=" + child.getId() + ", PENDING] awaiting <Future pending")
                .doesNotContain(" at io.asyncruntime.", "TasksEndpointSecureDefaultsHttpTests.java");
        runtime.cancel(parent.getId(), "test over");
        runtime.cancel(child.getId(), "test over");
    }

    private Task<Void> sleeper(String name) {
        Task<Void> task = runtime.createTask(() -> {
            Async.sleep(3600);
            return null;
        }, name);
        runtime.run(() -> Async.sleep(Duration.ofMillis(2), null));
        return task;
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(url(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private URI url(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
