package io.asyncruntime.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.CancelledError;
import io.asyncruntime.Future;
import io.asyncruntime.Task;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A web application closed with a request in flight that waits for a task: the log says what graceful shutdown
 * waits for when it starts, and ends with one line that accounts for every task, one finished, one cancelled and
 * one that refuses cancellation past the shutdown timeout.
 */
class ShutdownNarrationTests {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        /* Completed by the test once graceful shutdown has said it waits: the request's task then finishes. */
        final CompletableFuture<Future<String>> gate = new CompletableFuture<>();

        @Bean
        Controller controller(AsyncRuntime runtime) {
            return new Controller(runtime, gate);
        }
    }

    @RestController
    record Controller(AsyncRuntime runtime, CompletableFuture<Future<String>> gate) {
        @GetMapping("/report")
        String report() {
            return runtime.run(() -> {
                Future<String> opened = new Future<>();
                gate.complete(opened);
                return opened.await();
            }, "quick");
        }
    }

    @Test
    void gracefulShutdownSaysWhatItWaitsForAndAccountsForEveryTask() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                .properties("server.port=0", "server.shutdown=graceful", "async.runtime.loop-name=narrated",
                        "async.runtime.shutdown-timeout=300ms")
                .run();
        AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
        Task<Void> idle = runtime.createTask(() -> {
            Async.sleep(3600);
            return null;
        }, "idle");
        Task<Void> stubborn = runtime.createTask(() -> {
            for (;;) {
                try {
                    Async.sleep(3600);
                } catch (CancelledError refused) {
                    // Refuses to stop: shutdown gives up on it after the shutdown timeout.
                }
            }
        }, "stubborn");
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        CompletableFuture<HttpResponse<String>> response = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/report")).build(),
                HttpResponse.BodyHandlers.ofString());
        Future<String> gate = context.getBean(App.class).gate.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Task<?> quick = runtime.allTasks().stream().filter(t -> t.getName().equals("quick")).findFirst().orElseThrow();

        try (ExpectedLogs logs = ExpectedLogs.capture("io.asyncruntime")) {
            CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close);
            logs.awaitText("Event loop 'narrated': graceful shutdown is waiting for 1 in-flight request; tasks still running: "
                    + "idle (id " + idle.getId() + "), stubborn (id " + stubborn.getId() + "), quick (id " + quick.getId() + ")",
                    WAIT);
            runtime.loop().callSoonThreadsafe(() -> gate.setResult("report ready"));
            closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(response.get(WAIT.toSeconds(), TimeUnit.SECONDS).body()).isEqualTo("report ready");
            assertThat(idle.cancelled()).isTrue();
            assertThat(logs.text()).containsPattern("WARN io.asyncruntime.spring.AsyncRuntimeLifecycle - Event loop 'narrated' "
                    + "shut down in \\d+\\.\\d s: 3 tasks: 1 finished, 1 cancelled, 1 abandoned \\(stubborn \\(id "
                    + stubborn.getId() + "\\): did not stop within 0.3 s\\)");
            // The closing line comes after the graceful wait.
            assertThat(logs.text().indexOf("graceful shutdown is waiting")).isLessThan(logs.text().indexOf("shut down in"));
            assertThat(runtime.isClosed()).isTrue();
            runtime.thread().join(WAIT.toMillis());
            assertThat(runtime.thread().isAlive()).isFalse();
            // The loop closed without it: abandoned, finished as cancelled, and the core says so once.
            assertThat(stubborn.cancelled()).isTrue();
            assertThat(logs.text()).contains("WARN io.asyncruntime.AsyncRuntime - AsyncRuntime narrated: abandoned 1 task(s)"
                    + " still pending when the loop closed (finished as cancelled, their callers answered): stubborn (id "
                    + stubborn.getId() + ")");
        }
    }
}
