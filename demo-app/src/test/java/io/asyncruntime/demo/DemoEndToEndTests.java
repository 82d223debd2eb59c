package io.asyncruntime.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The README's walk-through, over a real port: every seed example with its JSON, then a workload whose tasks are
 * listed with deterministic ids, inspected (stacks for the demo operator only) and cancelled (401 without
 * credentials, 200 with), seen in the history, with the meters moving.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureTestRestTemplate
class DemoEndToEndTests {

    @Autowired
    TestRestTemplate http;

    @Test
    void factorialGathersThreeTasksInTheDocumentedOrder() {
        Outcome outcome = http.getForObject("/examples/factorial?scale=0.02", Outcome.class);
        assertThat(outcome.taskName()).isEqualTo("factorial-gather");
        assertThat(outcome.output()).containsExactly(
                "Task A: Compute factorial(2)...",
                "Task B: Compute factorial(2)...",
                "Task C: Compute factorial(2)...",
                "Task A: factorial(2) = 2",
                "Task B: Compute factorial(3)...",
                "Task C: Compute factorial(3)...",
                "Task B: factorial(3) = 6",
                "Task C: Compute factorial(4)...",
                "Task C: factorial(4) = 24");
        assertThat(outcome.result()).isEqualTo(List.of(2, 6, 24));
        // Three steps of 0.02 s, run concurrently: about 0.06 s, far from the 0.12 s of running them one by one.
        assertThat(outcome.elapsedSeconds()).isGreaterThanOrEqualTo(0.06).isLessThan(2.0);
    }

    @Test
    void cancelMePrintsWhatTheDocsShow() {
        Outcome outcome = http.getForObject("/examples/cancel-me?after=0.02", Outcome.class);
        assertThat(outcome.output()).containsExactly(
                "cancel_me(): before sleep",
                "cancel_me(): cancel sleep",
                "cancel_me(): after sleep",
                "main(): cancel_me is cancelled now");
        assertThat(outcome.result()).isEqualTo("cancelled: main() is done waiting");
    }

    @Test
    void waitForGivesUpOnEternityAfterTheTimeout() {
        Outcome outcome = http.getForObject("/examples/eternity?timeout=0.05", Outcome.class);
        assertThat(outcome.output()).containsExactly("timeout!");
        assertThat(outcome.result()).isEqualTo("eternity was cancelled by the timeout");
        assertThat(outcome.elapsedSeconds()).isGreaterThanOrEqualTo(0.05).isLessThan(2.0);
    }

    @Test
    void blockingIoRunsBesideTheSleepNotAfterIt() {
        Outcome outcome = http.getForObject("/examples/blocking-io?seconds=0.5", Outcome.class);
        assertThat(outcome.output()).hasSize(4);
        assertThat(outcome.output().get(0)).startsWith("started main at");
        assertThat(outcome.output().get(1)).startsWith("start blocking_io at");
        assertThat(outcome.output().get(2)).startsWith("blocking_io complete at");
        assertThat(outcome.output().get(3)).startsWith("finished main at");
        // Concurrent: the time of one 0.5 s wait; one after the other would take 1 s or more.
        assertThat(outcome.elapsedSeconds()).isGreaterThanOrEqualTo(0.5).isLessThan(0.95);
    }

    @Test
    void sayAfterAnswersWithItsTask() {
        Outcome outcome = http.getForObject("/examples/say-after?mode=concurrent&scale=0.02", Outcome.class);
        assertThat(outcome.taskName()).isEqualTo("say-after-concurrent");
        assertThat(outcome.output()).contains("hello", "world");
    }

    @Test
    void badInputIsA400WithTheReason() {
        ResponseEntity<String> response = http.getForEntity("/examples/factorial?scale=0", String.class);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(response.getHeaders().getContentType()).hasToString("application/problem+json");
        assertThat(response.getBody()).contains("\"detail\":\"scale must be in (0, 10]\"");
        assertThat(http.getForEntity("/examples/eternity?timeout=-1", String.class).getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(http.postForEntity("/examples/workload?count=10001", null, String.class).getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"}) // JSON bodies read as plain Maps
    void aWorkloadIsListedInspectedAndCancelledWithAMessage() throws Exception {
        double cancelledBefore = metric("async.tasks.finished", "outcome:cancelled");
        double createdBefore = metric("async.tasks.created", null);

        Map<String, Object> started = http.postForObject("/examples/workload?count=3&seconds=3600", null, Map.class);
        List<Map<String, Object>> tasks = (List<Map<String, Object>>) started.get("tasks");
        assertThat(tasks).extracting(t -> t.get("kind")).containsExactly("sleeping", "task-group", "blocking-call");
        // Deterministic ids: the workload's tasks are created in one loop step, so they are numbered in order and
        // the group's two children come right after them (the README's walk-through relies on it).
        long first = ((Number) tasks.get(0).get("id")).longValue();
        assertThat(tasks).extracting(t -> ((Number) t.get("id")).longValue()).containsExactly(first, first + 1, first + 2);
        Map<String, Object> blocked = tasks.get(2);
        long id = ((Number) blocked.get("id")).longValue();
        String name = (String) blocked.get("name");
        TestRestTemplate operator = http.withBasicAuth("demo", "demo");

        // Listed, with what it awaits once its first step has handed the call to a worker thread; the group's
        // children are listed too, with the next ids. Where each task was created is for operators only.
        List<Map<String, Object>> listed = eventually(
                () -> (List<Map<String, Object>>) operator.getForObject("/actuator/tasks?limit=10000", Map.class).get("tasks"),
                l -> l.stream().anyMatch(t -> ((Number) t.get("id")).longValue() == id && "PENDING".equals(t.get("state"))));
        assertThat(listed).anySatisfy(t -> {
            assertThat(((Number) t.get("id")).longValue()).isEqualTo(id);
            assertThat(t.get("name")).isEqualTo(name);
            assertThat(t.get("state")).isEqualTo("PENDING");
            assertThat((String) t.get("createdAt")).contains("WorkloadService");
        });
        for (int child = 1; child <= 2; child++) {
            String childName = tasks.get(1).get("name") + "-child-" + child;
            long childId = first + 2 + child;
            assertThat(listed).anySatisfy(t -> {
                assertThat(t.get("name")).isEqualTo(childName);
                assertThat(((Number) t.get("id")).longValue()).isEqualTo(childId);
            });
        }
        assertThat((List<Map<String, Object>>) http.getForObject("/actuator/tasks?limit=10000", Map.class).get("tasks"))
                .isNotEmpty().allSatisfy(t -> assertThat(t).doesNotContainKey("createdAt"));

        // One task in detail: where it is stuck (for an operator).
        Map<String, Object> detail = operator.getForObject("/actuator/tasks/" + id, Map.class);
        assertThat((List<String>) detail.get("stack")).anyMatch(f -> f.contains("WorkloadService"));
        assertThat(http.getForObject("/actuator/tasks/" + id, Map.class)).doesNotContainKey("stack");

        // Cancel: refused without credentials, done with them.
        HttpHeaders json = new HttpHeaders();
        json.setContentType(MediaType.APPLICATION_JSON);
        HttpEntity<String> body = new HttpEntity<>("{\"msg\":\"operator said stop\"}", json);
        assertThat(http.postForEntity("/actuator/tasks/" + id, body, String.class).getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(http.withBasicAuth("demo", "wrong").postForEntity("/actuator/tasks/" + id, body, String.class).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        ResponseEntity<Map> cancelled = http.withBasicAuth("demo", "demo").postForEntity("/actuator/tasks/" + id, body, Map.class);
        assertThat(cancelled.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(cancelled.getBody()).containsEntry("cancelRequested", true).containsEntry("alreadyDone", false);

        // Gone from the list, explained by the history, counted by the meters.
        List<Map<String, Object>> finished = eventually(() -> (List<Map<String, Object>>) operator
                .getForObject("/actuator/tasks/finished", Map.class).get("tasks"),
                f -> f.stream().anyMatch(t -> ((Number) t.get("id")).longValue() == id));
        assertThat(finished).filteredOn(t -> ((Number) t.get("id")).longValue() == id).singleElement().satisfies(t -> {
            assertThat(t.get("state")).isEqualTo("CANCELLED");
            assertThat(t.get("cancelMessage")).isEqualTo("operator said stop");
        });
        assertThat(http.getForEntity("/actuator/tasks/" + id, String.class).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(metric("async.tasks.finished", "outcome:cancelled")).isGreaterThanOrEqualTo(cancelledBefore + 1);
        assertThat(metric("async.tasks.created", null)).isGreaterThanOrEqualTo(createdBefore + 5);
        String scrape = http.getForObject("/actuator/prometheus", String.class);
        assertThat(scrape).contains("async_loop_latency_seconds_bucket{loop=\"demo-loop\"")
                .contains("async_tasks_finished_tasks_total{loop=\"demo-loop\",outcome=\"cancelled\"}");

        // The rest of the workload: cancelled too, so the loop is left as it was found.
        for (Map<String, Object> t : tasks.subList(0, 2)) {
            http.withBasicAuth("demo", "demo").postForEntity("/actuator/tasks/" + t.get("id"), body, Map.class);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRequestWhoseTaskIsCancelledMeanwhileIsAnsweredWithTheMessage() throws Exception {
        // Starts a 20-second say_after and cancels it through the endpoint while the client still waits.
        java.util.concurrent.CompletableFuture<ResponseEntity<String>> waiting = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> http.getForEntity("/examples/say-after?mode=concurrent&scale=10", String.class));
        List<Map<String, Object>> found = eventually(() -> (List<Map<String, Object>>) http
                .getForObject("/actuator/tasks?name=say-after-concurrent", Map.class).get("tasks"), l -> !l.isEmpty());
        assertThat(found).isNotEmpty();
        HttpHeaders json = new HttpHeaders();
        json.setContentType(MediaType.APPLICATION_JSON);
        http.withBasicAuth("demo", "demo").postForEntity("/actuator/tasks/" + found.get(0).get("id"),
                new HttpEntity<>("{\"msg\":\"maintenance window\"}", json), Map.class);
        ResponseEntity<String> answer = waiting.get(10, TimeUnit.SECONDS);
        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(answer.getBody()).contains("maintenance window").contains("Task cancelled");
    }

    @Test
    @SuppressWarnings("unchecked")
    void readsAreOpenAndHealthIsUp() {
        assertThat(http.getForEntity("/actuator/tasks", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(http.getForEntity("/actuator/metrics/async.loop.latency", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
        Map<String, Object> health = http.getForObject("/actuator/health", Map.class);
        assertThat(health.get("status")).isEqualTo("UP");
    }

    @SuppressWarnings("unchecked")
    private double metric(String name, String tag) {
        Map<String, Object> body = http.getForObject("/actuator/metrics/" + name + (tag == null ? "" : "?tag=" + tag), Map.class);
        List<Map<String, Object>> measurements = (List<Map<String, Object>>) body.get("measurements");
        return ((Number) measurements.get(0).get("value")).doubleValue();
    }

    private static <T> T eventually(Supplier<T> read, java.util.function.Predicate<T> until) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        T value = read.get();
        while (!until.test(value) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            value = read.get();
        }
        return value;
    }
}
