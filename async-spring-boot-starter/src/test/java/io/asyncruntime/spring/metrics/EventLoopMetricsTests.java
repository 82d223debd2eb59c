package io.asyncruntime.spring.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.CancelledError;
import io.asyncruntime.spring.AsyncRuntimeAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class EventLoopMetricsTests {

    @Test
    void tasksAndLoopLatencyAreReadBackFromTheRegistry() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (AsyncRuntime runtime = AsyncRuntime.start("metrics-loop")) {
            new EventLoopMetrics(runtime.loop(), Duration.ofMillis(10), List.of()).bindTo(registry);
            for (int i = 0; i < 3; i++) {
                runtime.run(() -> Async.sleep(Duration.ofMillis(5), "ok"));
            }
            assertThatThrownBy(() -> runtime.run(() -> {
                throw new IllegalStateException("boom");
            })).hasMessage("boom");
            assertThatThrownBy(() -> runtime.run(() -> {
                Async.currentTask().orElseThrow().cancel("self");
                Async.sleep(1);
                return null;
            })).isInstanceOf(CancelledError.class);

            Tags loop = Tags.of("loop", "metrics-loop");
            assertThat(registry.get("async.tasks.created").tags(loop).functionCounter().count()).isEqualTo(5);
            assertThat(registry.get("async.tasks.finished").tags(loop).tag("outcome", "success").functionCounter().count()).isEqualTo(3);
            assertThat(registry.get("async.tasks.finished").tag("outcome", "failure").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("async.tasks.finished").tag("outcome", "cancelled").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("async.tasks.finished").tag("outcome", "success").functionCounter().getId().getBaseUnit()).isEqualTo("tasks");
            Timer duration = registry.get("async.task.duration").tags(loop).timer();
            assertThat(duration.count()).isEqualTo(5);
            assertThat(duration.max(java.util.concurrent.TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(5);
            assertThat(registry.get("async.tasks.active").tags(loop).gauge().value()).isZero();
            assertThat(registry.get("async.loop.queue.size").tags(loop).gauge().value()).isGreaterThanOrEqualTo(0);

            Timer latency = registry.get("async.loop.latency").tags(loop).timer();
            for (int i = 0; i < 500 && latency.count() < 3; i++) {
                Thread.sleep(10);
            }
            assertThat(latency.count()).isGreaterThanOrEqualTo(3);
            assertThat(latency.takeSnapshot().percentileValues()).extracting(v -> v.percentile())
                    .containsExactly(0.5, 0.95, 0.99);
            assertThat(registry.get("async.loop.lag").tags(loop).gauge().getId().getBaseUnit()).isEqualTo("seconds");
        }
    }

    @Test
    void slowAndBlockingStepsAreCounted() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (AsyncRuntime runtime = AsyncRuntime.builder().name("stalled-loop").slowCallbackDuration(Duration.ofMillis(50))
                .blockedThreshold(Duration.ofMillis(250)).start()) {
            new EventLoopMetrics(runtime.loop(), Duration.ofMillis(10), List.of()).bindTo(registry);
            Tags loop = Tags.of("loop", "stalled-loop");
            assertThat(registry.get("async.loop.slow.callbacks").tags(loop).functionCounter().count()).isZero();
            assertThat(registry.get("async.loop.blocked").tags(loop).functionCounter().count()).isZero();

            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            runtime.createTask(() -> release.await(10, java.util.concurrent.TimeUnit.SECONDS), "blocker");
            for (int i = 0; i < 1000 && registry.get("async.loop.blocked").functionCounter().count() < 1; i++) {
                Thread.sleep(10);
            }
            release.countDown();
            assertThat(registry.get("async.loop.blocked").tags(loop).functionCounter().count()).isEqualTo(1);
            // At least the blocker; a loaded machine may make another step look slow, never less.
            assertThat(registry.get("async.loop.slow.callbacks").tags(loop).functionCounter().count()).isGreaterThanOrEqualTo(1);
            // Short steps afterwards count as neither.
            for (int i = 0; i < 20; i++) {
                runtime.run(() -> Async.sleep(Duration.ofMillis(1), null));
            }
            assertThat(registry.get("async.loop.blocked").functionCounter().count()).isEqualTo(1);
        }
    }

    @Test
    void aNonPositiveProbeIntervalIsRefused() {
        try (AsyncRuntime runtime = AsyncRuntime.start("bad-probe")) {
            assertThatThrownBy(() -> new EventLoopMetrics(runtime.loop(), Duration.ZERO, List.of()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class, AsyncRuntimeMetricsAutoConfiguration.class));

    @Test
    void autoConfiguredWhenARegistryIsPresent() {
        runner.withUserConfiguration(Registry.class).run(context -> assertThat(context).hasSingleBean(EventLoopMetrics.class));
    }

    @Test
    void backsOffWithoutARegistryOrWithoutMicrometer() {
        runner.run(context -> assertThat(context).doesNotHaveBean(EventLoopMetrics.class));
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(EventLoopMetrics.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class Registry {
        @Bean
        SimpleMeterRegistry registry() {
            return new SimpleMeterRegistry();
        }
    }
}
