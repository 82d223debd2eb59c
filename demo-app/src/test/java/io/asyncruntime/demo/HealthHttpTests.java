package io.asyncruntime.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** /actuator/health over real HTTP: the loop's health goes DOWN while a task blocks it. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.endpoint.health.show-details=always", "async.runtime.blocked-threshold=200ms"})
@AutoConfigureTestRestTemplate
class HealthHttpTests {

    @Autowired
    TestRestTemplate http;

    @Autowired
    AsyncRuntime runtime;

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"}) // JSON bodies read as plain Maps
    void healthGoesDownWhileTheLoopIsBlockedAndUpAfter() throws Exception {
        ResponseEntity<Map> up = http.getForEntity("/actuator/health", Map.class);
        assertThat(up.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat((Map<String, Object>) ((Map<String, Object>) up.getBody().get("components")).get("asyncLoop"))
                .containsEntry("status", "UP");

        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        runtime.createTask(() -> {
            entered.countDown();
            release.await(10, TimeUnit.SECONDS);
            return null;
        }, "blocking-the-loop");
        try {
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            ResponseEntity<Map> down = http.getForEntity("/actuator/health", Map.class);
            assertThat(down.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            Map<String, Object> loop = (Map<String, Object>) ((Map<String, Object>) down.getBody().get("components")).get("asyncLoop");
            assertThat(loop).containsEntry("status", "DOWN");
            assertThat((String) ((Map<String, Object>) loop.get("details")).get("blockedBy")).startsWith("blocking-the-loop");
        } finally {
            release.countDown();
        }
    }
}
