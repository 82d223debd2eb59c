package io.asyncruntime.spring.web;

import static io.asyncruntime.spring.TaskOutcomes.awaitDone;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.CancelledError;
import io.asyncruntime.Task;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A WebFlux application (Reactor Netty) whose controllers return {@code Task<T>}, called over a real port. Both web
 * stacks are on the test classpath, where Boot would pick MVC: the property makes this one reactive.
 */
@SpringBootTest(classes = TaskWebFluxHttpTests.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.main.web-application-type=reactive")
class TaskWebFluxHttpTests {
    private static final Duration BOUND = Duration.ofSeconds(20);

    @LocalServerPort
    int port;

    @Autowired
    AsyncRuntime runtime;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(BOUND).build();

    @Test
    void answersWithTheResultOfTheTaskOnceItIsDone() throws Exception {
        HttpResponse<String> response = get("/greet?who=ada");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"text\":\"hello ada\"").contains("\"task\":\"greet-ada\"");
    }

    @Test
    void aResponseEntityResultKeepsItsStatusAndHeaders() throws Exception {
        HttpResponse<String> response = get("/created");

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("X-Task")).hasValue("creator");
        assertThat(response.body()).isEqualTo("made");
    }

    @Test
    void aFailedTaskGoesToTheExceptionHandlers() throws Exception {
        HttpResponse<String> response = get("/fail");

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.body()).isEqualTo("boom");
    }

    @Test
    void aCancelledTaskRaisesCancelledErrorWithItsMessage() throws Exception {
        HttpResponse<String> response = get("/cancelled");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo("cancelled: stopped by a colleague");
    }

    @Test
    void aTaskThatReturnsNullIsAnEmptyResponse() throws Exception {
        HttpResponse<String> response = get("/nothing");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void aRequestBodyCanBeATask() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/shout")).timeout(BOUND)
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("hi")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("HI!");
    }

    @Test
    void aClientThatDisconnectsCancelsItsTaskSayingWhy() throws Exception {
        TaskController.slowStarted = new CountDownLatch(1);
        try (Socket socket = new Socket("localhost", port)) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(TaskController.slowStarted.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        } // the client goes away while the task still sleeps

        Task<String> task = awaitDone(TaskController.slow);
        assertThat(task.cancelled()).isTrue();
        assertThat(task.cancelMessage()).hasValue(TaskWebFluxAutoConfiguration.EXCHANGE_CANCELLED);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(BOUND).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(TaskController.class)
    static class App {
    }

    record Greeting(String text, String task) {
    }

    @RestController
    static class TaskController {
        static volatile CountDownLatch slowStarted = new CountDownLatch(1);
        static volatile Task<String> slow;

        private final AsyncRuntime runtime;

        TaskController(AsyncRuntime runtime) {
            this.runtime = runtime;
        }

        @GetMapping("/greet")
        Task<Greeting> greet(@RequestParam String who) {
            return runtime.createTask(() -> {
                Async.sleep(0.02);
                return new Greeting("hello " + who, Async.currentTask().orElseThrow().getName());
            }, "greet-" + who);
        }

        @GetMapping("/created")
        Task<ResponseEntity<String>> created() {
            return runtime.createTask(() -> {
                Async.sleep(0);
                return ResponseEntity.status(HttpStatus.CREATED).header("X-Task", "creator").body("made");
            }, "creator");
        }

        @GetMapping("/fail")
        Task<String> fail() {
            return runtime.createTask(() -> {
                Async.sleep(0.01);
                throw new IllegalStateException("boom");
            }, "failing");
        }

        @GetMapping("/cancelled")
        Task<String> cancelled() {
            Task<String> victim = runtime.createTask(() -> Async.sleep(java.time.Duration.ofHours(1), "never"),
                    "victim");
            runtime.createTask(() -> {
                Async.sleep(0.01);
                return victim.cancel("stopped by a colleague");
            }, "colleague");
            return victim;
        }

        @GetMapping("/nothing")
        Task<String> nothing() {
            return runtime.createTask(() -> null, "nothing");
        }

        @PostMapping("/shout")
        Task<String> shout(@RequestBody Task<String> body) {
            return runtime.createTask(() -> body.await().toUpperCase() + "!", "shout");
        }

        @GetMapping("/slow")
        @SuppressWarnings("unchecked")
        Task<String> slow() {
            CountDownLatch started = slowStarted;
            return runtime.createTask(() -> {
                slow = Async.currentTask().map(t -> (Task<String>) t).orElseThrow();
                started.countDown();
                return Async.sleep(java.time.Duration.ofHours(1), "never");
            }, "slow-report");
        }

        @ExceptionHandler(IllegalStateException.class)
        ResponseEntity<String> onFailure(IllegalStateException e) {
            return ResponseEntity.status(HttpStatus.CONFLICT).body(e.getMessage());
        }

        @ExceptionHandler(CancelledError.class)
        ResponseEntity<String> onCancelled(CancelledError e) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body("cancelled: " + e.getMessage());
        }
    }
}
