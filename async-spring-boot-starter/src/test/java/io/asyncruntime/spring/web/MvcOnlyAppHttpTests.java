package io.asyncruntime.spring.web;

import static io.asyncruntime.spring.TaskOutcomes.awaitDone;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import io.asyncruntime.spring.ExpectedLogs;
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
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;
import org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver;

/**
 * A Spring MVC application without Reactor, Reactive Streams or WebFlux (the build's {@code mvc-only} execution
 * takes them off the classpath): it returns {@code Task}s, and a timed-out request cancels its task, with none of
 * the starter's optional reactive dependencies.
 */
@SpringBootTest(classes = MvcOnlyAppHttpTests.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.mvc.async.request-timeout=500ms")
class MvcOnlyAppHttpTests {
    private static final Duration BOUND = Duration.ofSeconds(20);

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Test
    void startsAsAServletApplicationWithoutReactor() {
        assertThat(ClassUtils.isPresent("reactor.core.publisher.Mono", null)).isFalse();
        assertThat(ClassUtils.isPresent("org.reactivestreams.Publisher", null)).isFalse();
        assertThat(context).isInstanceOf(ServletWebServerApplicationContext.class);
    }

    @Test
    void aControllerReturnsATask() throws Exception {
        HttpResponse<String> response = get("/greet?who=ada");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("hello ada");
    }

    @Test
    void aRequestThatTimesOutCancelsItsTaskSayingWhy() throws Exception {
        try (ExpectedLogs logs = ExpectedLogs.capture(DefaultHandlerExceptionResolver.class.getName())) {
            assertThat(get("/slow").statusCode()).isEqualTo(503);
            assertThat(logs.text()).contains("Resolved [" + AsyncRequestTimeoutException.class.getName() + "]");
        }

        Task<String> task = awaitDone(SlowController.slow);
        assertThat(task.cancelled()).isTrue();
        assertThat(task.cancelMessage()).hasValue(
                "the HTTP request timed out before the task finished (spring.mvc.async.request-timeout)");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(BOUND).build(), HttpResponse.BodyHandlers.ofString());
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(SlowController.class)
    static class App {
    }

    @RestController
    static class SlowController {
        static volatile Task<String> slow;

        private final AsyncRuntime runtime;

        SlowController(AsyncRuntime runtime) {
            this.runtime = runtime;
        }

        @GetMapping("/greet")
        Task<String> greet(@RequestParam String who) {
            return runtime.createTask(() -> {
                Async.sleep(0.01);
                return "hello " + who;
            }, "greet-" + who);
        }

        @GetMapping("/slow")
        Task<String> slow() {
            slow = runtime.createTask(() -> Async.sleep(Duration.ofHours(1), "never"), "slow-report");
            return slow;
        }
    }
}
