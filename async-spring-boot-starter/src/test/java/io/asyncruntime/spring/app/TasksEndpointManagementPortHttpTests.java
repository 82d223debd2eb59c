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
 * The tasks endpoint on a management port of its own (a child context with its own server): a bodiless cancel
 * still cancels, and what Spring MVC refuses is still a problem detail.
 */
@SpringBootTest(classes = TasksEndpointManagementPortHttpTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.server.port=0", "management.endpoints.web.exposure.include=tasks",
                "management.endpoint.tasks.access=unrestricted"})
class TasksEndpointManagementPortHttpTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @LocalManagementPort
    int managementPort;

    @Autowired
    AsyncRuntime runtime;

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void aBodilessCancelCancelsAndRefusalsAreProblemDetails() throws Exception {
        Task<Void> task = runtime.createTask(() -> {
            Async.sleep(3600);
            return null;
        }, "on-the-management-port");
        runtime.run(() -> Async.sleep(Duration.ofMillis(2), null));

        HttpResponse<String> plain = send(HttpRequest.newBuilder(url("/actuator/tasks/" + task.getId()))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("stop")));
        assertThat(plain.statusCode()).isEqualTo(415);
        assertThat(plain.body()).contains("tasks/unsupported-media-type", "text/plain");
        HttpResponse<String> badLimit = send(HttpRequest.newBuilder(url("/actuator/tasks?limit=abc")));
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(badLimit.body()).contains("\"parameter\":\"limit\"");

        HttpResponse<String> cancelled = send(HttpRequest.newBuilder(url("/actuator/tasks/" + task.getId()))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(cancelled.body()).contains("\"cancelRequested\":true");
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI url(String path) {
        return URI.create("http://localhost:" + managementPort + path);
    }
}
