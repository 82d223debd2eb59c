package io.asyncruntime.spring.web;

import static io.asyncruntime.spring.TaskOutcomes.awaitDone;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.CancelledError;
import io.asyncruntime.Task;
import io.asyncruntime.spring.ExpectedLogs;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;
import org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver;

/** Controllers returning {@code Task<T>}, called over a real port. */
@SpringBootTest(classes = TaskReturnValueHttpTests.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.mvc.async.request-timeout=1s")
@AutoConfigureTestRestTemplate
class TaskReturnValueHttpTests {

    @Autowired
    TestRestTemplate http;

    @Test
    void answersWithTheResultOfTheTaskOnceItIsDone() {
        ResponseEntity<String> response = http.getForEntity("/greet?who=ada", String.class);

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getBody()).contains("\"text\":\"hello ada\"").contains("\"task\":\"greet-ada\"");
    }

    @Test
    void aTaskAlreadyDoneIsAnsweredAtOnce() {
        assertThat(http.getForObject("/done", String.class)).isEqualTo("42");
    }

    @Test
    void aResponseEntityResultKeepsItsStatusAndHeaders() {
        ResponseEntity<String> response = http.getForEntity("/created", String.class);

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(response.getHeaders().getFirst("X-Task")).isEqualTo("creator");
        assertThat(response.getBody()).isEqualTo("made");
    }

    @Test
    void aFailedTaskGoesToTheExceptionHandlers() {
        ResponseEntity<String> response = http.getForEntity("/fail", String.class);

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(response.getBody()).isEqualTo("boom");
    }

    @Test
    void aCancelledTaskRaisesCancelledErrorWithItsMessage() {
        ResponseEntity<String> response = http.getForEntity("/cancelled", String.class);

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(response.getBody()).isEqualTo("cancelled: stopped by a colleague");
    }

    @Test
    void aTaskReturnedWhereTheMethodDeclaresObjectIsAnsweredWithItsResult() {
        // Spring MVC picks handlers by the value's own type once a value is there: the task is still awaited.
        assertThat(http.getForObject("/declared-object", String.class)).isEqualTo("from a task");
    }

    @Test
    void aNullTaskIsAnEmptyResponse() {
        ResponseEntity<String> response = http.getForEntity("/none", String.class);

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getBody()).isNull();
    }

    @Test
    void aRequestThatTimesOutCancelsItsTaskSayingWhy() throws Exception {
        ResponseEntity<String> response;
        try (ExpectedLogs logs = ExpectedLogs.capture(DefaultHandlerExceptionResolver.class.getName())) {
            response = http.getForEntity("/slow", String.class);
            assertThat(logs.text()).contains("Resolved [" + AsyncRequestTimeoutException.class.getName() + "]");
        }

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        // Spring's answer to the timeout, not the CancelledError handler's answer to the cancel it caused.
        assertThat(response.getBody()).doesNotContain("cancelled:");
        Task<String> task = awaitDone(TaskController.slow);
        assertThat(task.cancelled()).isTrue();
        assertThat(task.cancelMessage()).hasValueSatisfying(m -> assertThat(m)
                .startsWith("the HTTP request timed out before the task finished"));
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

        @GetMapping("/done")
        Task<Integer> done() {
            Task<Integer> task = runtime.createTask(() -> 42, "answer");
            runtime.run(task::await);
            return task;
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
            Task<String> victim = runtime.createTask(() -> {
                Async.sleep(3600);
                return "never";
            }, "victim");
            runtime.createTask(() -> {
                Async.sleep(0.01);
                return victim.cancel("stopped by a colleague");
            }, "colleague");
            return victim;
        }

        static volatile Task<String> slow;

        @GetMapping("/slow")
        Task<String> slow() {
            slow = runtime.createTask(() -> Async.sleep(java.time.Duration.ofHours(1), "never"), "slow-report");
            return slow;
        }

        @GetMapping("/declared-object")
        Object declaredObject() {
            return runtime.createTask(() -> {
                Async.sleep(0.01);
                return "from a task";
            }, "declared-object");
        }

        @GetMapping("/none")
        Task<String> none() {
            return null;
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
