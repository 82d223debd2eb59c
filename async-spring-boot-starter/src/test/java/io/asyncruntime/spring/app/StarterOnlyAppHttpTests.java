package io.asyncruntime.spring.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application with nothing but the starter, web, actuator and a Prometheus registry, and the exposure
 * property: its tasks are listed, inspected and cancelled over HTTP, and the loop meters are scraped.
 */
@SpringBootTest(classes = StarterOnlyAppHttpTests.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.endpoints.web.exposure.include=tasks,prometheus", "async.runtime.loop-name=orders",
                "async.runtime.blocked-threshold=100ms", "management.endpoint.tasks.show-values=always",
                "management.endpoint.tasks.access=unrestricted"})
@AutoConfigureTestRestTemplate
class StarterOnlyAppHttpTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({InvoiceService.class, InvoiceController.class})
    static class App {
    }

    /** The README's example, verbatim. */
    @Service
    static class InvoiceService {
        private final AsyncRuntime runtime;

        InvoiceService(AsyncRuntime runtime) {
            this.runtime = runtime;
        }

        Task<Integer> closeMonth(String month) {
            // Named, so it can be found in /actuator/tasks and cancelled there.
            return runtime.createTask(() -> {
                Task<Integer> eu = Async.createTask(() -> total(month, "eu"), "total-eu-" + month);
                Task<Integer> us = Async.createTask(() -> total(month, "us"), "total-us-" + month);
                return eu.await() + us.await();
            }, "close-month-" + month);
        }

        private int total(String month, String region) {
            Async.sleep(0.05); // stands for a call that awaits
            return region.length();
        }
    }

    @RestController
    static class InvoiceController {
        private final InvoiceService invoices;

        InvoiceController(InvoiceService invoices) {
            this.invoices = invoices;
        }

        // Returning a Task answers the request when the task is done, as a CompletableFuture would;
        // the servlet thread is free meanwhile.
        @PostMapping("/months/{month}/close")
        Task<Integer> close(@PathVariable String month) {
            return invoices.closeMonth(month);
        }
    }

    @Test
    void theReadmeExampleAnswersWithTheTasksResult() {
        ResponseEntity<String> response = http.postForEntity("/months/2026-10/close", null, String.class);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getBody()).isEqualTo("4");
    }

    @Autowired
    TestRestTemplate http;

    @Autowired
    AsyncRuntime runtime;

    @Test
    @SuppressWarnings("unchecked")
    void listInspectAndCancelATaskOverHttp() {
        Task<Void> job = runtime.createTask(() -> {
            Async.sleep(3600);
            return null;
        }, "invoice-batch");
        // A task handed in from another thread is registered when the loop takes it: wait for one step after it.
        runtime.run(() -> Async.sleep(java.time.Duration.ofMillis(2), null));
        Map<String, Object> list = http.getForObject("/actuator/tasks?name=invoice-batch", Map.class);
        assertThat(list.get("loop")).isEqualTo("orders");
        assertThat((List<Map<String, Object>>) list.get("tasks")).singleElement().satisfies(t -> {
            assertThat(t.get("id")).isEqualTo((int) job.getId());
            assertThat((String) t.get("createdAt")).startsWith(
                    "io.asyncruntime.spring.app.StarterOnlyAppHttpTests.listInspectAndCancelATaskOverHttp(StarterOnlyAppHttpTests.java:");
        });

        Map<String, Object> detail = http.getForObject("/actuator/tasks/" + job.getId(), Map.class);
        assertThat((List<String>) detail.get("stack")).anyMatch(f -> f.contains("StarterOnlyAppHttpTests"));

        HttpHeaders json = new HttpHeaders();
        json.setContentType(MediaType.APPLICATION_JSON);
        @SuppressWarnings("rawtypes")
        ResponseEntity<Map> cancelled = http.postForEntity("/actuator/tasks/" + job.getId(),
                new HttpEntity<>("{\"msg\":\"month closed\"}", json), Map.class);
        assertThat(cancelled.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(cancelled.getBody()).containsEntry("cancelRequested", true).containsEntry("alreadyDone", false);
        runtime.run(() -> Async.sleep(java.time.Duration.ofMillis(10), null));
        assertThat(job.cancelled()).isTrue();

        // The history still explains the task after it is gone: outcome and the operator's message.
        Map<String, Object> finished = http.getForObject("/actuator/tasks/finished", Map.class);
        assertThat((List<Map<String, Object>>) finished.get("tasks")).filteredOn(t -> t.get("name").equals("invoice-batch"))
                .singleElement().satisfies(t -> {
                    assertThat(t.get("state")).isEqualTo("CANCELLED");
                    assertThat(t.get("cancelMessage")).isEqualTo("month closed");
                });
    }

    @Test
    void theWholeLoopAsTextWithEachTasksNewestFrame() {
        Task<Void> job = runtime.createTask(() -> {
            Async.sleep(3600);
            return null;
        }, "text-tree-job");
        runtime.run(() -> Async.sleep(java.time.Duration.ofMillis(10), null));
        HttpHeaders text = new HttpHeaders();
        text.setAccept(List.of(MediaType.TEXT_PLAIN));
        ResponseEntity<String> tree = http.exchange("/actuator/tasks", org.springframework.http.HttpMethod.GET,
                new HttpEntity<>(text), String.class);
        assertThat(tree.getStatusCode()).isEqualTo(HttpStatus.OK);
        // show-values=always: the frame where the task is suspended, as asyncio's pstree shows it.
        assertThat(tree.getBody()).startsWith("EventLoop orders: ").containsPattern(
                "── \\(T\\) text-tree-job \\[id=" + job.getId() + ", PENDING\\] at io\\.asyncruntime\\.spring\\.app\\."
                        + "StarterOnlyAppHttpTests\\.lambda\\$theWholeLoopAsTextWithEachTasksNewestFrame\\$\\d+\\(StarterOnlyAppHttpTests\\.java:\\d+\\)");
        ResponseEntity<String> refused = http.exchange("/actuator/tasks?limit=-1", org.springframework.http.HttpMethod.GET,
                new HttpEntity<>(text), String.class);
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(refused.getBody()).contains("limit");
        runtime.cancel(job.getId(), "test over");
    }

    @Test
    void theLoopMetersAreScrapedByPrometheus() throws Exception {
        runtime.run(() -> Async.sleep(java.time.Duration.ofMillis(10), null));
        CountDownLatch release = new CountDownLatch(1);
        runtime.createTask(() -> release.await(10, TimeUnit.SECONDS), "blocker");
        List<String> expected = List.of(
                "async_loop_blocked_total{loop=\"orders\"} ",
                "async_loop_latency_seconds_bucket{loop=\"orders\",le=",
                "async_loop_lag_seconds{loop=\"orders\"}",
                "async_loop_queue_size_tasks{loop=\"orders\"}",
                "async_loop_slow_callbacks_total{loop=\"orders\"}",
                "async_tasks_active_tasks{loop=\"orders\"}",
                "async_tasks_created_tasks_total{loop=\"orders\"}",
                "async_tasks_finished_tasks_total{loop=\"orders\",outcome=\"success\"}",
                "async_task_duration_seconds_count{loop=\"orders\"}");
        String scrape = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !(containsAll(scrape, expected) && blockedCount(scrape) >= 1)) {
            Thread.sleep(20);
            scrape = http.getForObject("/actuator/prometheus", String.class);
        }
        release.countDown();
        assertThat(scrape).contains(expected);
        // At least the blocker (a long pause of the whole JVM on a loaded machine could add one, never less).
        assertThat(blockedCount(scrape)).isGreaterThanOrEqualTo(1);
    }

    private static double blockedCount(String scrape) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("^async_loop_blocked_total\\{loop=\"orders\"} (\\S+)$", java.util.regex.Pattern.MULTILINE)
                .matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static boolean containsAll(String text, List<String> parts) {
        return parts.stream().allMatch(text::contains);
    }
}
