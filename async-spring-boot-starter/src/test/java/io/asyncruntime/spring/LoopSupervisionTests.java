package io.asyncruntime.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.CancelledError;
import io.asyncruntime.Task;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the starter does around the loop: the blocked-loop warning with the live stack, the executor behind
 * toThread, and the report of tasks cancelled at shutdown.
 */
@ExtendWith(OutputCaptureExtension.class)
class LoopSupervisionTests {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class));

    static void holdTheLoopUntil(CountDownLatch release) throws InterruptedException {
        assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
    }

    static void awaitOutput(CapturedOutput output, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!output.getAll().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(output.getAll()).contains(text);
    }

    @Test
    void aBlockedLoopIsLoggedWhileBlockedWithTheTaskAndItsLiveStack(CapturedOutput output) {
        runner.withPropertyValues("async.runtime.loop-name=watched", "async.runtime.blocked-threshold=100ms").run(context -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            assertThat(runtime.loop().getBlockedThreshold()).isEqualTo(Duration.ofMillis(100));
            CountDownLatch release = new CountDownLatch(1);
            Task<Void> stuck = runtime.createTask("stuck-task", () -> {
                holdTheLoopUntil(release);
                return null;
            });
            awaitOutput(output, "Event loop 'watched' blocked for");
            // Logged while the task still holds the loop, naming it and showing where it is stuck.
            assertThat(stuck.done()).isFalse();
            assertThat(output.getAll()).contains("by task 'stuck-task' (id " + stuck.getId() + ")")
                    .contains("\tat io.asyncruntime.spring.LoopSupervisionTests.holdTheLoopUntil(LoopSupervisionTests.java:")
                    .doesNotContain("ContextSnapshotTaskDecorator");
            release.countDown();
            awaitOutput(output, "Event loop 'watched' running again: task 'stuck-task' (id " + stuck.getId() + ") held it for about");
        });
    }

    @Test
    void blockedThresholdMustBePositive() {
        runner.withPropertyValues("async.runtime.blocked-threshold=0s").run(context ->
                assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("async.runtime.blocked-threshold must be positive"));
    }

    @Test
    void toThreadRunsOnAVirtualThreadByDefault() {
        runner.run(context -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            assertThat(runtime.run(() -> Async.toThread(() -> Thread.currentThread().isVirtual()))).isTrue();
        });
    }

    @Test
    void toThreadRunsOnAFixedPoolWhenMaxThreadsIsSet() {
        runner.withPropertyValues("async.runtime.loop-name=pooled", "async.runtime.executor.max-threads=2").run(context -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            String thread = runtime.run(() -> Async.toThread(() -> {
                Thread me = Thread.currentThread();
                return (me.isVirtual() ? "virtual " : "platform ") + me.getName();
            }));
            assertThat(thread).isEqualTo("platform pooled-executor-1");
        });
    }

    @Test
    void negativeMaxThreadsIsRefused() {
        runner.withPropertyValues("async.runtime.executor.max-threads=-1").run(context ->
                assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("max-threads must not be negative"));
    }

    @Test
    void anApplicationExecutorBeanIsUsedForToThread() {
        runner.withUserConfiguration(OwnExecutor.class).run(context -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            assertThat(runtime.run(() -> Async.toThread(() -> Thread.currentThread().getName()))).isEqualTo("app-worker");
        });
    }

    @Test
    void shutdownCancelsRunningTasksWithAMessageAndReportsThem(CapturedOutput output) {
        Task<?>[] sleeper = new Task<?>[1];
        runner.withPropertyValues("async.runtime.loop-name=closing", "async.runtime.shutdown-timeout=2s").run(context -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            sleeper[0] = runtime.createTask("nightly-report", () -> {
                Async.sleep(3600);
                return null;
            });
            runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
        });
        assertThat(sleeper[0].cancelled()).isTrue();
        assertThatThrownBy(sleeper[0]::result).isInstanceOf(CancelledError.class)
                .hasMessage(AsyncRuntimeLifecycle.CANCEL_MESSAGE);
        assertThat(output.getAll()).contains("Event loop 'closing' cancelling 1 task(s) still running: nightly-report (id "
                + sleeper[0].getId() + ")");
    }

    @Test
    void shutdownReportsTasksThatIgnoreCancellation(CapturedOutput output) {
        runner.withPropertyValues("async.runtime.loop-name=stubborn", "async.runtime.shutdown-timeout=100ms").run(context -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            runtime.createTask("stubborn-task", () -> {
                for (;;) {
                    try {
                        Async.sleep(3600);
                    } catch (CancelledError ignored) {
                        // Refuses to stop: shutdown must not wait for it forever.
                    }
                }
            });
            runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
        });
        assertThat(output.getAll()).contains("Event loop 'stubborn' abandoned 1 task(s)").contains("stubborn-task");
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnExecutor {
        @Bean(name = AsyncRuntimeAutoConfiguration.EXECUTOR_BEAN_NAME, destroyMethod = "shutdownNow")
        ExecutorService asyncRuntimeExecutor() {
            return Executors.newSingleThreadExecutor(r -> new Thread(r, "app-worker"));
        }
    }
}
