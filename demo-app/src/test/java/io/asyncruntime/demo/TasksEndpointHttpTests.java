package io.asyncruntime.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
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

/** The Actuator tasks endpoint over real HTTP: list, detail with stack, current, cancel, history, errors. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureTestRestTemplate
class TasksEndpointHttpTests {

    @Autowired
    TestRestTemplate http;

    /** Starts {@code count} hour-long sleepers, each through a one-task workload (so each is named sleeper-1). */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> startSleepers(int count) {
        List<Map<String, Object>> all = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, Object> started = http.postForObject("/examples/workload?count=1&seconds=3600", null, Map.class);
            all.addAll((List<Map<String, Object>>) started.get("tasks"));
        }
        return all;
    }

    private static long id(Map<String, Object> task) {
        return ((Number) task.get("id")).longValue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void listFilterAndPage() {
        startSleepers(3);
        Map<String, Object> report = http.getForObject("/actuator/tasks?name=sleeper-&state=pending&limit=2", Map.class);
        assertThat(report.get("loop")).isEqualTo("demo-loop");
        assertThat(report.get("mode")).isEqualTo("FAST");
        assertThat((Integer) report.get("total")).isGreaterThanOrEqualTo(3);
        List<Map<String, Object>> tasks = (List<Map<String, Object>>) report.get("tasks");
        assertThat(tasks).hasSize(2).allSatisfy(t -> {
            assertThat((String) t.get("name")).startsWith("sleeper-");
            assertThat(t.get("state")).isEqualTo("PENDING");
            assertThat((String) t.get("awaiting")).isEqualTo("<Future pending>");
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void oneTaskWithItsStackAndCallGraph() {
        long id = id(startSleepers(1).get(0));
        Map<String, Object> detail = http.getForObject("/actuator/tasks/" + id, Map.class);
        Map<String, Object> task = (Map<String, Object>) detail.get("task");
        assertThat(id(task)).isEqualTo(id);
        assertThat((List<String>) detail.get("stack")).anyMatch(f -> f.contains("WorkloadService"));
        assertThat((String) detail.get("callGraph")).startsWith("* Task(name='sleeper-1', id=" + id + ")");
    }

    @Test
    @SuppressWarnings("unchecked")
    void cancelWithAMessageThenFindItInTheHistory() throws Exception {
        long id = id(startSleepers(1).get(0));
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        ResponseEntity<Map> response = http.withBasicAuth("demo", "demo").postForEntity("/actuator/tasks/" + id,
                new HttpEntity<>("{\"msg\":\"operator said stop\"}", headers), Map.class);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getBody()).containsEntry("cancelRequested", true).containsEntry("alreadyDone", false)
                .containsEntry("message", "operator said stop");
        List<Map<String, Object>> finished = List.of();
        for (int i = 0; i < 200 && finished.stream().noneMatch(t -> id(t) == id); i++) {
            Thread.sleep(10);
            finished = (List<Map<String, Object>>) http.getForObject("/actuator/tasks/finished", Map.class).get("tasks");
        }
        assertThat(finished).filteredOn(t -> id(t) == id).singleElement()
                .satisfies(t -> {
                    assertThat(t.get("state")).isEqualTo("CANCELLED");
                    assertThat(t.get("cancelMessage")).isEqualTo("operator said stop");
                });
        assertThat(http.getForEntity("/actuator/tasks/" + id, String.class).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        ResponseEntity<String> again = http.withBasicAuth("demo", "demo").postForEntity("/actuator/tasks/" + id,
                new HttpEntity<>("{\"msg\":\"again\"}", headers), String.class);
        assertThat(again.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCurrentTaskWhileTheLoopIsIdle() {
        Map<String, Object> current = http.getForObject("/actuator/tasks/current", Map.class);
        assertThat(current.get("loop")).isEqualTo("demo-loop");
        // Between requests the loop waits for work: idle, and no task (null fields are left out of the JSON).
        assertThat(current).containsKey("idle");
        if (Boolean.TRUE.equals(current.get("idle"))) {
            assertThat(current.get("task")).isNull();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void loopMetricsAreServedByTheMetricsEndpoint() {
        startSleepers(2);
        Map<String, Object> created = http.getForObject("/actuator/metrics/async.tasks.created", Map.class);
        List<Map<String, Object>> measurements = (List<Map<String, Object>>) created.get("measurements");
        assertThat(((Number) measurements.get(0).get("value")).doubleValue()).isGreaterThanOrEqualTo(2);
        assertThat(http.getForEntity("/actuator/metrics/async.loop.latency", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
    }

    @Test
    void badInputIsA400AndUnknownIdsA404() {
        assertThat(http.getForEntity("/actuator/tasks?state=sideways", String.class).getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(http.getForEntity("/actuator/tasks?limit=-1", String.class).getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(http.getForEntity("/actuator/tasks/not-a-number", String.class).getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(http.getForEntity("/actuator/tasks/987654321", String.class).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(http.getForEntity("/actuator/tasks/finished?limit=-1", String.class).getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(http.getForEntity("/actuator/tasks/finished?limit=1", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(http.postForEntity("/examples/workload?count=0", null, String.class).getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    }
}
