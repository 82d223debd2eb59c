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
 * The tasks endpoint in a WebFlux-only application (the build's {@code webflux-only} execution) with its default,
 * read-only access, over a real port: a cancel, with or without a body, is the 405 problem detail naming the
 * property that opens it, as in Spring MVC, and leaves the task alone.
 */
@SpringBootTest(classes = WebFluxOnlyTasksEndpointSecureDefaultsHttpTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "management.endpoints.web.exposure.include=*")
class WebFluxOnlyTasksEndpointSecureDefaultsHttpTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @LocalServerPort
    int port;

    @Autowired
    AsyncRuntime runtime;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void aCancelIsRefusedWithTheReasonAndThePropertyThatOpensIt() throws Exception {
        Task<Void> task = runtime.createTask(() -> {
            Async.sleep(3600);
            return null;
        }, "guarded");
        for (String body : new String[] {null, "{\"msg\":\"stop\"}"}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/actuator/tasks/" + task.getId())).timeout(Duration.ofSeconds(30));
            request.POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).as(response.body()).isEqualTo(405);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(response.headers().firstValue("Allow")).hasValue("GET");
            assertThat(response.body()).contains("\"type\":\"tag:asyncruntime.io,2026:tasks/cancel-not-permitted\"",
                    "management.endpoint.tasks.access=unrestricted", "read-only");
        }
        runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
        assertThat(task.done()).isFalse();
        runtime.cancel(task.getId(), "test over");
    }
}
