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
import org.springframework.boot.test.web.server.LocalManagementPort;

/**
 * The tasks endpoint of a WebFlux-only application (the build's {@code webflux-only} execution) on a management port
 * of its own, with a base path of its own: the child context's server has the bodiless cancel and the problem
 * details too, at the endpoint's path there.
 */
@SpringBootTest(classes = WebFluxOnlyTasksEndpointManagementPortHttpTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.server.port=0", "management.endpoints.web.base-path=/manage",
                "management.endpoints.web.exposure.include=tasks", "management.endpoint.tasks.access=unrestricted"})
class WebFluxOnlyTasksEndpointManagementPortHttpTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @LocalManagementPort
    int managementPort;

    @Autowired
    AsyncRuntime runtime;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void aBodilessCancelWorksAndABadIdIsAProblemDetail() throws Exception {
        Task<Void> task = runtime.createTask(() -> {
            Async.sleep(3600);
            return null;
        }, "on-the-management-port");
        runtime.run(() -> Async.sleep(Duration.ofMillis(2), null));

        HttpResponse<String> bad = post("/manage/tasks/abc");
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        assertThat(bad.body()).contains("\"type\":\"tag:asyncruntime.io,2026:tasks/invalid-parameter\"");

        HttpResponse<String> cancel = post("/manage/tasks/" + task.getId() + "?msg=stop");
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
        assertThat(cancel.body()).contains("\"cancelRequested\":true", "\"message\":\"stop\"");
        runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
        assertThat(task.cancelled()).isTrue();
    }

    @Test
    void aPathThatIsNoOperationIsAProblemDetail() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + managementPort + "/manage/tasks/1/stack")).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
        assertThat(response.body()).contains("tasks/no-such-operation", "/manage/tasks/{id}");
    }

    private HttpResponse<String> post(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
