package io.asyncruntime.spring.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.AsyncRuntimeAutoConfiguration;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class AsyncLoopHealthTests {
    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class, AsyncLoopHealthAutoConfiguration.class));

    @Test
    void upWhileTheLoopAnswers() {
        runner.run(context -> {
            Health health = context.getBean(AsyncLoopHealthIndicator.class).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("loop", "asyncio-loop").containsKey("probeMillis");
        });
    }

    @Test
    void canBeDisabled() {
        runner.withPropertyValues("management.health.asyncloop.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(AsyncLoopHealthIndicator.class));
    }

    @Test
    void downWhenBlockedNamingTheTaskThenUpAgain() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.start("health-loop")) {
            AsyncLoopHealthIndicator indicator = new AsyncLoopHealthIndicator(runtime, Duration.ofMillis(100));
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            runtime.createTask(() -> {
                entered.countDown();
                release.await(); // a blocking call holds the loop, as in asyncio
                return null;
            }, "stuck");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            Health blocked = indicator.health(true);
            assertThat(blocked.getStatus()).isEqualTo(Status.DOWN);
            assertThat((String) blocked.getDetails().get("blockedBy")).startsWith("stuck (id ");
            release.countDown();
            Health later = indicator.health(true);
            for (int i = 0; i < 100 && later.getStatus() != Status.UP; i++) {
                later = indicator.health(true);
            }
            assertThat(later.getStatus()).isEqualTo(Status.UP);
        }
    }

    @Test
    void downOnceClosed() {
        AsyncRuntime runtime = AsyncRuntime.start("closed-loop");
        runtime.close();
        Health health = new AsyncLoopHealthIndicator(runtime, Duration.ofMillis(100)).health(true);
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("reason", "closed");
    }
}
