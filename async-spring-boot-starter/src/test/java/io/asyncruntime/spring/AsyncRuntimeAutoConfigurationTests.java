package io.asyncruntime.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.EngineMode;
import io.asyncruntime.spring.diagnostics.FastModeUnavailableException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class AsyncRuntimeAutoConfigurationTests {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class));

    @Test
    void providesARunningRuntimeOnANamedThread() {
        runner.run(context -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            assertThat(runtime.loop().isRunning()).isTrue();
            assertThat(runtime.thread().getName()).isEqualTo("asyncio-loop");
            assertThat(runtime.run(() -> Async.sleep(java.time.Duration.ofMillis(5), "ran"))).isEqualTo("ran");
            assertThat(context.getBean(AsyncRuntimeLifecycle.class).isRunning()).isTrue();
        });
    }

    @Test
    void customizersChangeTheBuilderInOrderAfterTheProperties() {
        runner.withPropertyValues("async.runtime.loop-name=from-properties")
                .withBean("second", AsyncRuntimeBuilderCustomizer.class,
                        () -> new OrderedCustomizer(2, b -> b.name("from-the-last-customizer")))
                .withBean("first", AsyncRuntimeBuilderCustomizer.class,
                        () -> new OrderedCustomizer(1, b -> b.name("from-the-first-customizer").clock(new io.asyncruntime.ManualClock())))
                .run(context -> {
                    AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                    assertThat(runtime.thread().getName()).isEqualTo("from-the-last-customizer");
                    // On the virtual clock an hour of sleep passes at once, and the loop's time says so exactly.
                    long t0 = System.nanoTime();
                    double slept = runtime.run(() -> {
                        double start = Async.getRunningLoop().time();
                        Async.sleep(Duration.ofHours(1));
                        return Async.getRunningLoop().time() - start;
                    });
                    assertThat(slept).isEqualTo(3600.0);
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
                });
    }

    private record OrderedCustomizer(int order, AsyncRuntimeBuilderCustomizer body)
            implements AsyncRuntimeBuilderCustomizer, org.springframework.core.Ordered {
        @Override
        public void customize(AsyncRuntime.Builder builder) {
            body.customize(builder);
        }

        @Override
        public int getOrder() {
            return order;
        }
    }

    @Test
    void propertiesConfigureTheLoop() {
        runner.withPropertyValues("async.runtime.loop-name=orders-loop", "async.runtime.debug=true",
                        "async.runtime.slow-callback-duration=250ms", "async.runtime.mode=portable",
                        "async.runtime.shutdown-timeout=2s")
                .run(context -> {
                    AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                    assertThat(runtime.thread().getName()).isEqualTo("orders-loop");
                    assertThat(runtime.loop().getDebug()).isTrue();
                    assertThat(runtime.loop().getSlowCallbackDuration()).isEqualTo(Duration.ofMillis(250));
                    assertThat(runtime.loop().engineMode()).isEqualTo(EngineMode.PORTABLE);
                    assertThat(context.getBean(AsyncRuntimeProperties.class).getShutdownTimeout()).isEqualTo(Duration.ofSeconds(2));
                });
    }

    @Test
    void creationSitesAreRecordedUnlessTurnedOff() {
        runner.run(context -> assertThat(context.getBean(AsyncRuntime.class).loop().getRecordCreationSites()).isTrue());
        runner.withPropertyValues("async.runtime.record-creation-sites=false")
                .run(context -> assertThat(context.getBean(AsyncRuntime.class).loop().getRecordCreationSites()).isFalse());
    }

    @Test
    void closingTheContextShutsTheLoopDown() {
        AsyncRuntime[] seen = new AsyncRuntime[1];
        runner.run(context -> seen[0] = context.getBean(AsyncRuntime.class));
        assertThat(seen[0].isClosed()).isTrue();
        assertThat(seen[0].loop().isClosed()).isTrue();
    }

    @Test
    void stoppingTheContextCancelsTasksAndStartingItAgainKeepsTheLoopUsable() throws Exception {
        runner.withPropertyValues("async.runtime.shutdown-timeout=2s").run(context -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            io.asyncruntime.Task<Void> sleeper = runtime.createTask(() -> {
                started.countDown();
                Async.sleep(3600);
                return null;
            }, "long");
            assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            context.stop();
            assertThat(sleeper.cancelled()).isTrue();
            assertThat(runtime.isClosed()).isFalse();
            context.start();
            assertThat(runtime.run(() -> "still usable")).isEqualTo("still usable");
        });
    }

    @Test
    void backsOffWhenTheApplicationDefinesItsOwnRuntime() {
        runner.withUserConfiguration(OwnRuntime.class).run(context -> {
            assertThat(context).hasSingleBean(AsyncRuntime.class);
            assertThat(context.getBean(AsyncRuntime.class).thread().getName()).isEqualTo("mine");
        });
    }

    @Test
    void backsOffWithoutTheCoreOnTheClasspath() {
        runner.withClassLoader(new FilteredClassLoader(AsyncRuntime.class))
                .run(context -> assertThat(context).doesNotHaveBean(AsyncRuntimeLifecycle.class));
    }

    @Test
    void fastIsRefusedWithItsReasonOnlyWhenAskedForAndUnavailable() {
        assertThatThrownBy(() -> AsyncRuntimeAutoConfiguration.requireEngine(EngineMode.FAST, "java.lang is not opened"))
                .isInstanceOf(FastModeUnavailableException.class)
                .hasMessage("async.runtime.mode=fast, but the FAST engine is not available: java.lang is not opened");
        assertThatNoException().isThrownBy(() -> {
            AsyncRuntimeAutoConfiguration.requireEngine(EngineMode.FAST, null);
            AsyncRuntimeAutoConfiguration.requireEngine(EngineMode.PORTABLE, "java.lang is not opened");
            AsyncRuntimeAutoConfiguration.requireEngine(null, "java.lang is not opened");
        });
    }

    @Test
    void directWithoutItsFlagFailsTheStartNamingTheFlag() {
        // This JVM has java.lang opened (FAST) but not jdk.internal.vm exported: DIRECT is asked for and missing.
        assertThat(EngineMode.directModeUnavailableReason()).isNotNull();
        runner.withPropertyValues("async.runtime.mode=direct").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED"));
    }

    @Test
    void theStartLineNamesTheLoopAndItsEngine() {
        try (ExpectedLogs logs = ExpectedLogs.capture(AsyncRuntimeLifecycle.class.getName())) {
            runner.withPropertyValues("async.runtime.loop-name=orders-loop", "async.runtime.mode=portable")
                    .run(context -> assertThat(logs.text()).contains("Event loop 'orders-loop' running in PORTABLE mode"));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnRuntime {
        @Bean
        AsyncRuntime myRuntime() {
            return AsyncRuntime.start("mine");
        }
    }
}
