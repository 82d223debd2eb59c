package io.asyncruntime.spring.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * With a tracing bridge (Boot's tracing auto-configuration over Micrometer's in-memory {@link SimpleTracer}), a task
 * created by a controller is a span of the request's trace, a child of the request's span, and so is a task that task
 * creates, and the task's blocking work on the runtime's executor runs inside the task's span: over a real port, as
 * an application sees it.
 */
@SpringBootTest(classes = TaskTracingHttpTests.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "async.runtime.loop-name=traced")
@AutoConfigureTestRestTemplate
class TaskTracingHttpTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(ReportController.class)
    static class App {
        @Bean
        SimpleTracer tracer() {
            return new SimpleTracer();
        }
    }

    @RestController
    static class ReportController {
        private final AsyncRuntime runtime;
        private final SimpleTracer tracer;

        ReportController(AsyncRuntime runtime, SimpleTracer tracer) {
            this.runtime = runtime;
            this.tracer = tracer;
        }

        @GetMapping("/report")
        Task<String> report() {
            return runtime.createTask(() -> {
                Task<String> part = Async.createTask(() -> Async.sleep(Duration.ofMillis(5), "part"), "report-part");
                // Blocking work on the runtime's executor runs inside the task's span.
                String spanOfBlockingWork = Async.toThread(() -> tracer.currentSpan().context().spanId());
                return "report with " + part.await() + " " + spanOfBlockingWork;
            }, "report");
        }
    }

    @Autowired
    TestRestTemplate http;

    @Autowired
    SimpleTracer tracer;

    @Test
    void aTaskCreatedByAControllerIsAChildSpanOfTheRequestsSpan() {
        ResponseEntity<String> response = http.getForEntity("/report", String.class);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getBody()).startsWith("report with part ");

        // The server ends the request's span as the async request completes, just after the client has its answer.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(spans())
                .extracting(SimpleSpan::getName).contains("http get /report", "async.task report", "async.task report-part"));
        SimpleSpan request = span("http get /report");
        SimpleSpan task = span("async.task report");
        SimpleSpan child = span("async.task report-part");

        assertThat(request.getTraceId()).isNotBlank();
        assertThat(task.getTraceId()).isEqualTo(request.getTraceId());
        assertThat(task.getParentId()).isEqualTo(request.getSpanId());
        assertThat(child.getTraceId()).isEqualTo(request.getTraceId());
        assertThat(child.getParentId()).isEqualTo(task.getSpanId());
        assertThat(response.getBody()).isEqualTo("report with part " + task.getSpanId());
        assertThat(task.getTags()).containsEntry("loop", "traced").containsEntry("outcome", "success")
                .containsEntry("task.name", "report");
    }

    @Autowired
    AsyncRuntime runtime;

    @Test
    void aTaskCreatedOutsideAnyObservationStartsATraceOfItsOwn() {
        Task<String> lonely = runtime.createTask(() -> "alone", "lonely");
        assertThat(runtime.run(lonely::await)).isEqualTo("alone");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(spans())
                .extracting(SimpleSpan::getName).contains("async.task lonely"));
        SimpleSpan span = span("async.task lonely");
        assertThat(span.getParentId()).isNullOrEmpty();
        assertThat(spans()).filteredOn(s -> s != span).extracting(SimpleSpan::getTraceId).doesNotContain(span.getTraceId());
    }

    private List<SimpleSpan> spans() {
        return List.copyOf(tracer.getSpans());
    }

    private SimpleSpan span(String name) {
        return spans().stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span '" + name + "' in " + spans()));
    }
}
