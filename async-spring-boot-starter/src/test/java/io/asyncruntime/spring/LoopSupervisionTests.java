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
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the starter does around the loop: the blocked-loop warning with the live stack, the executor behind
 * toThread, and the report of tasks cancelled at shutdown.
 */
class LoopSupervisionTests {
    private static final Duration AWAIT = Duration.ofSeconds(10);
    private static final String SPRING_CONTEXT = "org.springframework.context.annotation.AnnotationConfigApplicationContext";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class));

    static void holdTheLoopUntil(CountDownLatch release) throws InterruptedException {
        assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aBlockedLoopIsLoggedWhileBlockedWithTheTaskAndItsLiveStack() {
        try (ExpectedLogs output = ExpectedLogs.capture(BlockedLoopLogger.class.getName())) {
            runner.withPropertyValues("async.runtime.loop-name=watched", "async.runtime.blocked-threshold=100ms").run(context -> {
                AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                assertThat(runtime.loop().getBlockedThreshold()).isEqualTo(Duration.ofMillis(100));
                CountDownLatch release = new CountDownLatch(1);
                Task<Void> stuck = runtime.createTask(() -> {
                    holdTheLoopUntil(release);
                    return null;
                }, "stuck-task");
                output.awaitText("WARN " + BlockedLoopLogger.class.getName() + " - Event loop 'watched' blocked for", AWAIT);
                // Logged while the task still holds the loop, naming it and showing where it is stuck.
                assertThat(stuck.done()).isFalse();
                assertThat(output.text()).contains("by task 'stuck-task' (id " + stuck.getId() + ")")
                        .contains("\tat io.asyncruntime.spring.LoopSupervisionTests.holdTheLoopUntil(LoopSupervisionTests.java:")
                        .doesNotContain("ContextSnapshotTaskDecorator");
                release.countDown();
                output.awaitText("Event loop 'watched' running again: task 'stuck-task' (id " + stuck.getId()
                        + ") held it for about", AWAIT);
            });
        }
    }

    @Test
    void blockedThresholdMustBePositive() {
        try (ExpectedLogs logs = ExpectedLogs.capture(SPRING_CONTEXT)) {
            runner.withPropertyValues("async.runtime.blocked-threshold=0s").run(context ->
                    assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("async.runtime.blocked-threshold must be positive"));
            assertThat(logs.text()).contains("WARN " + SPRING_CONTEXT).contains("cancelling refresh attempt");
        }
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
        try (ExpectedLogs logs = ExpectedLogs.capture(SPRING_CONTEXT)) {
            runner.withPropertyValues("async.runtime.executor.max-threads=-1").run(context ->
                    assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("max-threads must not be negative"));
            assertThat(logs.text()).contains("cancelling refresh attempt");
        }
    }

    @Test
    void anApplicationExecutorBeanIsUsedForToThread() {
        runner.withUserConfiguration(OwnExecutor.class).run(context -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            assertThat(runtime.run(() -> Async.toThread(() -> Thread.currentThread().getName()))).isEqualTo("app-worker");
        });
    }

    @Test
    void shutdownCancelsRunningTasksWithAMessageAndReportsThem() {
        Task<?>[] sleeper = new Task<?>[1];
        try (ExpectedLogs logs = ExpectedLogs.capture(AsyncRuntimeLifecycle.class.getName())) {
            runner.withPropertyValues("async.runtime.loop-name=closing", "async.runtime.shutdown-timeout=2s").run(context -> {
                AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                sleeper[0] = runtime.createTask(() -> {
                    Async.sleep(3600);
                    return null;
                }, "nightly-report");
                runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
            });
            assertThat(sleeper[0].cancelled()).isTrue();
            assertThatThrownBy(sleeper[0]::result).isInstanceOf(CancelledError.class)
                    .hasMessage(AsyncRuntimeLifecycle.CANCEL_MESSAGE);
            assertThat(logs.text()).contains("INFO " + AsyncRuntimeLifecycle.class.getName()
                            + " - Event loop 'closing' cancelling 1 task(s) still running: nightly-report (id " + sleeper[0].getId() + ")")
                    .containsPattern("INFO " + AsyncRuntimeLifecycle.class.getName()
                            + " - Event loop 'closing' shut down in \\d+(\\.\\d s| ms): 1 task: 1 cancelled\\R")
                    .doesNotContain("abandoned");
        }
    }

    @Test
    void aTaskThatCatchesItsCancellationAndReturnsCountsAsFinished() {
        try (ExpectedLogs logs = ExpectedLogs.capture(AsyncRuntimeLifecycle.class.getName())) {
            runner.withPropertyValues("async.runtime.loop-name=polite").run(context -> {
                AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                runtime.createTask(() -> {
                    try {
                        Async.sleep(3600);
                    } catch (CancelledError e) {
                        return "flushed"; // asyncio: a task that swallows its cancellation is not cancelled()
                    }
                    return "slept";
                }, "flusher");
                runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
            });
            assertThat(logs.text()).contains("Event loop 'polite' shut down in").contains(": 1 task: 1 finished\n");
        }
    }

    @Test
    void anIdleShutdownSaysSo() {
        try (ExpectedLogs logs = ExpectedLogs.capture(AsyncRuntimeLifecycle.class.getName())) {
            runner.withPropertyValues("async.runtime.loop-name=idle").run(context -> { });
            assertThat(logs.text()).contains("Event loop 'idle' shut down in").contains(": no tasks were running");
        }
    }

    @Test
    void shutdownReportsTasksThatIgnoreCancellation() throws InterruptedException {
        Task<?>[] stubborn = new Task<?>[1];
        AsyncRuntime[] loop = new AsyncRuntime[1];
        try (ExpectedLogs logs = ExpectedLogs.capture("io.asyncruntime")) {
            runner.withPropertyValues("async.runtime.loop-name=stubborn", "async.runtime.shutdown-timeout=100ms").run(context -> {
                AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                loop[0] = runtime;
                stubborn[0] = runtime.createTask(() -> {
                    for (;;) {
                        try {
                            Async.sleep(3600);
                        } catch (CancelledError ignored) {
                            // Refuses to stop: shutdown must not wait for it forever.
                        }
                    }
                }, "stubborn-task");
                runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
            });
            assertThat(logs.text()).contains("WARN " + AsyncRuntimeLifecycle.class.getName() + " - Event loop 'stubborn' shut down in ")
                    .contains(": 1 task: 1 abandoned (stubborn-task (id " + stubborn[0].getId() + "): did not stop within 0.1 s)");
            // The loop closed with the task still pending: the core says so, as asyncio does.
            Thread loopThread = loop[0].thread();
            loopThread.join(AWAIT.toMillis());
            assertThat(loopThread.isAlive()).isFalse();
            // The loop closed without it: abandoned (finished as cancelled), said once by the core.
            assertThat(logs.text()).contains("WARN io.asyncruntime.AsyncRuntime - AsyncRuntime stubborn: abandoned 1 task(s)"
                    + " still pending when the loop closed");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnExecutor {
        @Bean(name = AsyncRuntimeAutoConfiguration.EXECUTOR_BEAN_NAME, destroyMethod = "shutdownNow")
        ExecutorService asyncRuntimeExecutor() {
            return Executors.newSingleThreadExecutor(r -> new Thread(r, "app-worker"));
        }
    }
}
