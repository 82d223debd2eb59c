package io.asyncruntime.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * {@code /actuator/tasks/current} over real HTTP while a task blocks the loop: it names the task and how long it
 * has held the loop (the console's banner), with its stack for the demo's OPERATOR only; once the task returns,
 * {@code blocked} is gone. (Same properties as {@link HealthHttpTests}, so the two share one application.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.endpoint.health.show-details=always", "async.runtime.blocked-threshold=200ms"})
@AutoConfigureTestRestTemplate
@ExtendWith(OutputCaptureExtension.class)
class BlockedLoopHttpTests {

    @Autowired
    TestRestTemplate http;

    @Autowired
    AsyncRuntime runtime;

    @SuppressWarnings("unchecked")
    private Map<String, Object> blocked(TestRestTemplate client) {
        return (Map<String, Object>) client.getForObject("/actuator/tasks/current", Map.class).get("blocked");
    }

    @Test
    @SuppressWarnings("unchecked") // JSON bodies read as plain Maps
    void currentNamesTheTaskThatBlocksTheLoopWithItsStackForAnOperatorOnly(CapturedOutput output) throws Exception {
        assertThat(blocked(http)).isNull();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Task<?> hog = runtime.createTask(() -> {
            entered.countDown();
            release.await(30, TimeUnit.SECONDS);
            return null;
        }, "holding-the-loop");
        try {
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            Map<String, Object> anonymous = await().atMost(Duration.ofSeconds(20)).until(() -> blocked(http), b -> b != null);
            assertThat(anonymous).containsEntry("taskName", "holding-the-loop")
                    .containsEntry("taskId", (int) hog.getId()).doesNotContainKey("stack");
            assertThat((Double) anonymous.get("heldForMillis")).isGreaterThanOrEqualTo(200.0);
            Map<String, Object> operator = blocked(http.withBasicAuth("demo", "demo"));
            assertThat((List<String>) operator.get("stack")).anyMatch(f -> f.contains("BlockedLoopHttpTests"));
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> blocked(http) == null);
        assertThat(output).contains("blocked for").contains("by task 'holding-the-loop'");
    }
}
