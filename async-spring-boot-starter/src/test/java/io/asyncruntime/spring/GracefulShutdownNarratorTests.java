package io.asyncruntime.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The narration of a long graceful wait: the opening line, the reminders while requests remain, and their end. */
class GracefulShutdownNarratorTests {
    private static final Duration AWAIT = Duration.ofSeconds(10);

    @Test
    void remindsWhatItWaitsForUntilTheDrainBeginsThenFallsSilent() throws Exception {
        AtomicInteger requests = new AtomicInteger(2);
        try (AsyncRuntime runtime = AsyncRuntime.start("reminded");
                ExpectedLogs logs = ExpectedLogs.capture(GracefulShutdownNarrator.class.getName())) {
            AsyncRuntimeLifecycle lifecycle = new AsyncRuntimeLifecycle(runtime, Duration.ofSeconds(1));
            GracefulShutdownNarrator narrator = new GracefulShutdownNarrator(lifecycle, requests::get, Duration.ofMillis(50));
            CountDownLatch started = new CountDownLatch(1);
            Task<Void> fetch = runtime.createTask(() -> {
                started.countDown();
                Async.sleep(3600);
                return null;
            }, "fetch");
            // A task created from outside the loop is registered when the loop takes it in: wait for that.
            assertThat(started.await(AWAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            lifecycle.start();
            narrator.start();

            narrator.stop();
            assertThat(logs.text()).contains("Event loop 'reminded': graceful shutdown is waiting for 2 in-flight requests; "
                    + "tasks still running: fetch (id " + fetch.getId() + ")");
            requests.set(1);
            logs.awaitText("Event loop 'reminded': graceful shutdown still waiting after ", AWAIT);
            logs.awaitText(" for 1 in-flight request; tasks still running: fetch (id " + fetch.getId() + ")", AWAIT);

            try (ExpectedLogs closing = ExpectedLogs.capture(AsyncRuntimeLifecycle.class.getName())) {
                lifecycle.stop();
                assertThat(closing.text()).contains("1 task: 1 cancelled");
            }
            int reminders = logs.events().size();
            TimeUnit.MILLISECONDS.sleep(300); // six reminder intervals: none may come once the drain began
            assertThat(logs.events()).hasSize(reminders);
        }
    }

    @Test
    void saysNothingWhenNoRequestIsInFlight() {
        try (AsyncRuntime runtime = AsyncRuntime.start("unhurried");
                ExpectedLogs logs = ExpectedLogs.capture(GracefulShutdownNarrator.class.getName())) {
            AsyncRuntimeLifecycle lifecycle = new AsyncRuntimeLifecycle(runtime, Duration.ofSeconds(1));
            GracefulShutdownNarrator narrator = new GracefulShutdownNarrator(lifecycle, () -> 0, Duration.ofMillis(50));
            narrator.start();
            narrator.stop();
            assertThat(logs.events()).isEmpty();
            assertThat(narrator.isRunning()).isFalse();
        }
    }
}
