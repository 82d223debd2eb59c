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

/**
 * The Actuator tasks endpoint over real HTTP, as the demo configures it: list, detail with stack (for the
 * OPERATOR role only), current, cancel (OPERATOR only), history, and bad input answered as problem details.
 */
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
    void oneTaskWithItsStackAndCallGraphForAnOperatorOnly() {
        long id = id(startSleepers(1).get(0));
        Map<String, Object> detail = http.withBasicAuth("demo", "demo").getForObject("/actuator/tasks/" + id, Map.class);
        Map<String, Object> task = (Map<String, Object>) detail.get("task");
        assertThat(id(task)).isEqualTo(id);
        assertThat((String) task.get("createdAt")).contains("WorkloadService");
        assertThat((List<String>) detail.get("stack")).anyMatch(f -> f.contains("WorkloadService"));
        assertThat((String) detail.get("callGraph")).startsWith("* Task(name='sleeper-1', id=" + id + ")");

        // management.endpoint.tasks.show-values=when-authorized, roles=OPERATOR: an anonymous reader sees the task,
        // not where it is, nor where it was created.
        Map<String, Object> anonymous = http.getForObject("/actuator/tasks/" + id, Map.class);
        assertThat(anonymous).doesNotContainKeys("stack", "callGraph");
        assertThat((Map<String, Object>) anonymous.get("task")).containsEntry("name", "sleeper-1")
                .doesNotContainKey("createdAt");
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"}) // JSON bodies read as plain Maps
    void cancelWithAMessageThenFindItInTheHistory() throws Exception {
        long id = id(startSleepers(1).get(0));
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        ResponseEntity<Map> response = http.withBasicAuth("demo", "demo").postForEntity("/actuator/tasks/" + id,
                new HttpEntity<>("{\"msg\":\"operator said stop\"}", headers), Map.class);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getBody()).containsEntry("cancelRequested", true).containsEntry("alreadyDone", false)
                .containsEntry("message", "operator said stop");
        TestRestTemplate operator = http.withBasicAuth("demo", "demo");
        List<Map<String, Object>> finished = List.of();
        for (int i = 0; i < 200 && finished.stream().noneMatch(t -> id(t) == id); i++) {
            Thread.sleep(10);
            finished = (List<Map<String, Object>>) operator.getForObject("/actuator/tasks/finished", Map.class).get("tasks");
        }
        assertThat(finished).filteredOn(t -> id(t) == id).singleElement()
                .satisfies(t -> {
                    assertThat(t.get("state")).isEqualTo("CANCELLED");
                    assertThat(t.get("cancelMessage")).isEqualTo("operator said stop");
                });
        // Anonymous readers see the outcome, not the operator's message.
        assertThat(http.getForObject("/actuator/tasks/finished", String.class)).doesNotContain("operator said stop");
        ResponseEntity<String> gone = http.getForEntity("/actuator/tasks/" + id, String.class);
        assertThat(gone.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(gone.getBody()).contains("has finished (CANCELLED)");
        // Cancelling it again: it is done, and the history still says how.
        ResponseEntity<Map> again = operator.postForEntity("/actuator/tasks/" + id, null, Map.class);
        assertThat(again.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(again.getBody()).containsEntry("alreadyDone", true).containsEntry("cancelRequested", false)
                .containsEntry("state", "CANCELLED");
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
    void badInputIsAProblemDetailWithTheReasonAndUnknownIdsA404() {
        assertProblem(getJson("/actuator/tasks?state=sideways"), HttpStatus.BAD_REQUEST,
                "\"parameter\":\"state\"", "PENDING", "RUNNING", "CANCELLING");
        assertProblem(getJson("/actuator/tasks?state=done"), HttpStatus.BAD_REQUEST,
                "/actuator/tasks/finished");
        assertProblem(getJson("/actuator/tasks?limit=-1"), HttpStatus.BAD_REQUEST,
                "\"parameter\":\"limit\"", "0 to 10000");
        assertProblem(getJson("/actuator/tasks/not-a-number"), HttpStatus.BAD_REQUEST,
                "\"parameter\":\"id\"");
        assertProblem(getJson("/actuator/tasks/987654321"), HttpStatus.NOT_FOUND, "987654321");
        assertProblem(getJson("/actuator/tasks/finished?limit=-1"), HttpStatus.BAD_REQUEST,
                "\"parameter\":\"limit\"");
        assertProblem(http.withBasicAuth("demo", "demo").postForEntity("/actuator/tasks/abc", null, String.class),
                HttpStatus.BAD_REQUEST, "\"parameter\":\"id\"");
        assertThat(getJson("/actuator/tasks?offset=2147483647").getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(getJson("/actuator/tasks/finished?limit=1").getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(http.postForEntity("/examples/workload?count=0", null, String.class).getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    }

    @Test
    void cancelNeedsTheOperatorRole() {
        long id = id(startSleepers(1).get(0));
        assertThat(http.postForEntity("/actuator/tasks/" + id, null, String.class).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        ResponseEntity<String> cancelled = http.withBasicAuth("demo", "demo").postForEntity("/actuator/tasks/" + id, null,
                String.class);
        assertThat(cancelled.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(cancelled.getBody()).contains("\"cancelRequested\":true");
    }

    /* A JSON reader: a bare String client would also accept text/plain, which /actuator/tasks answers as a tree. */
    private ResponseEntity<String> getJson(String path) {
        org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders();
        headers.setAccept(java.util.List.of(org.springframework.http.MediaType.APPLICATION_JSON));
        return http.exchange(path, org.springframework.http.HttpMethod.GET, new org.springframework.http.HttpEntity<>(headers),
                String.class);
    }

    private static void assertProblem(ResponseEntity<String> response, HttpStatus status, String... mentions) {
        assertThat(response.getStatusCode()).isEqualTo(status);
        assertThat(String.valueOf(response.getHeaders().getContentType())).startsWith("application/problem+json");
        assertThat(response.getBody()).contains("\"type\":\"tag:asyncruntime.io,2026:tasks/", "\"title\":",
                "\"status\":" + status.value(), "\"detail\":").contains(mentions);
    }
}
