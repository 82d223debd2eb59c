package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The thread-safe facade: one loop on its own thread, driven from others. */
class AsyncRuntimeTest {
    private final AsyncRuntime runtime = AsyncRuntime.builder().name("test-runtime").shutdownTimeout(Duration.ofSeconds(5)).start();

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void runAndSubmitMayNameTheirTask() throws Exception {
        assertThat(runtime.run(() -> Async.currentTask().orElseThrow().getName(), "nightly-report")).isEqualTo("nightly-report");
        assertThat(runtime.submit(() -> Async.currentTask().orElseThrow().getName(), "export").get()).isEqualTo("export");
        assertThat(runtime.run(() -> Async.currentTask().orElseThrow().getName(), null)).startsWith("Task-");
    }

    @Test
    void theLoopRunsOnItsOwnNamedThread() {
        assertThat(runtime.thread().getName()).isEqualTo("test-runtime");
        assertThat(runtime.loop().isRunning()).isTrue();
        assertThat(runtime.run(() -> Thread.currentThread() == runtime.thread()
                || Async.getRunningLoop() == runtime.loop())).isTrue();
    }

    @Test
    void createTaskFromAnyThreadAndWaitForIt() throws Exception {
        Task<String> t = runtime.createTask(() -> {
            Async.sleep(0.01);
            return Async.currentTask().orElseThrow().getName();
        }, "named-from-outside");
        assertThat(t.getName()).isEqualTo("named-from-outside");
        assertThat(runtime.run(t::await)).isEqualTo("named-from-outside");
        CompletableFuture<Integer> cf = runtime.submit(() -> 6 * 7);
        assertThat(cf.get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void failuresReachTheCallerAsTheVeryException() {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        assertThatThrownBy(() -> runtime.run(() -> {
            throw boom;
        })).isSameAs(boom);
        CompletableFuture<Object> cf = runtime.submit(() -> {
            throw boom;
        });
        assertThatThrownBy(cf::get).isInstanceOf(ExecutionException.class).cause().isSameAs(boom);
    }

    @Test
    void cancelByIdWithAMessage() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        Task<String> t = runtime.createTask(() -> {
            started.countDown();
            try {
                Async.sleep(3600);
                return "slept";
            } catch (CancelledError e) {
                seen.add(e.getMessage());
                throw e;
            }
        }, "sleeper");
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(runtime.findTask(t.getId())).containsSame(t);
        assertThat(runtime.allTasks()).contains(t);
        assertThat(runtime.cancel(t.getId(), "operator said stop")).isTrue();
        assertThatThrownBy(() -> runtime.run(t::await)).isInstanceOf(CancelledError.class).hasMessage("operator said stop");
        assertThat(seen).containsExactly("operator said stop");
        assertThat(runtime.cancel(t.getId(), "again")).isFalse();
        assertThat(runtime.cancel(-1, "unknown")).isFalse();
        assertThat(runtime.findTask(t.getId())).isEmpty();
    }

    @Test
    void cancellingTheCompletableFutureCancelsTheTask() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<String> cf = runtime.submit(() -> {
            started.countDown();
            Async.sleep(3600);
            return "slept";
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(runtime.allTasks()).hasSize(1);
        cf.cancel(true);
        for (int i = 0; i < 1000 && !runtime.allTasks().isEmpty(); i++) {
            Thread.sleep(5);
        }
        assertThat(runtime.allTasks()).isEmpty();
    }

    @Test
    void waitingOnTheLoopThreadIsRefused() {
        Throwable t = runtime.run(() -> {
            try {
                runtime.run(() -> 1);
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        });
        assertThat(t).hasMessageContaining("would block the event loop");
    }

    @Test
    void closeCancelsPendingTasksLetsThemCleanUpAndRefusesNewWork() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        List<String> cleanups = new CopyOnWriteArrayList<>();
        runtime.createTask(() -> {
            started.countDown();
            try {
                Async.sleep(3600);
            } finally {
                cleanups.add("cleaned up");
            }
            return null;
        }, "long-running");
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(runtime.shutdown(Duration.ofSeconds(5))).isEmpty();
        assertThat(cleanups).containsExactly("cleaned up");
        assertThat(runtime.isClosed()).isTrue();
        assertThat(runtime.loop().isClosed()).isTrue();
        runtime.thread().join(5_000);
        assertThat(runtime.thread().isAlive()).isFalse();
        assertThatThrownBy(() -> runtime.createTask(() -> 1, "late")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> runtime.submit(() -> 1)).isInstanceOf(IllegalStateException.class);
        assertThat(runtime.shutdown(Duration.ZERO)).isEmpty();
    }

    @Test
    void shutdownReportsTasksThatRefuseToFinish() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Task<Void> stubborn = runtime.createTask(() -> {
            started.countDown();
            while (true) {
                try {
                    Async.sleep(3600);
                } catch (CancelledError refused) {
                    // keeps running
                }
            }
        }, "stubborn");
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        try (LogCapture log = LogCapture.of(AsyncRuntime.class)) {
            assertThat(runtime.shutdown(Duration.ofMillis(100))).containsExactly(stubborn);
            runtime.thread().join(10_000);
            assertThat(stubborn.cancelled()).isTrue();
            assertThat(log.messages(Level.WARNING)).singleElement().asString()
                    .contains("abandoned 1 task(s) still pending").contains("stubborn (id " + stubborn.getId() + ")");
        }
    }

    /*
     * A runtime whose loop was stopped from outside (loop().stop()) ends closed: run and runCoroutineThreadsafe
     * refuse at once instead of waiting for a loop that will not run again.
     */
    @Test
    void aRuntimeWhoseLoopWasStoppedFromOutsideFailsFast() throws Exception {
        AsyncRuntime rt = AsyncRuntime.start("stopped-from-outside");
        rt.loop().stop();
        rt.thread().join(10_000);
        assertThat(rt.isClosed()).isTrue();
        assertThatThrownBy(() -> rt.run(() -> "x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Async.runCoroutineThreadsafe(() -> "x", rt.loop())).isInstanceOf(IllegalStateException.class);
        rt.close();
    }

    @Test
    void builderRejectsBadOptions() {
        assertThatThrownBy(() -> AsyncRuntime.builder().shutdownTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AsyncRuntime.builder().name(null)).isInstanceOf(NullPointerException.class);
    }
}
