package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * The engine's one contract in both modes: one task at a time, nothing between two awaits, no silent hang.
 * The build runs this suite twice, with and without the FAST flag.
 */
class EngineTest {

    @Test
    void theBuildRunsTheModeItMeansToTest() {
        String expected = System.getProperty("asyncruntime.expectMode");
        EngineMode best = EngineMode.best();
        EngineMode chosen = EngineMode.configuredDefault();
        if (expected != null) {
            assertThat(chosen).isEqualTo(EngineMode.valueOf(expected));
        }
        assertThat(best).as("best() never picks DIRECT").isNotEqualTo(EngineMode.DIRECT);
        assertThat(chosen).isEqualTo(chosen == EngineMode.DIRECT ? EngineMode.DIRECT : best);
        if (best == EngineMode.PORTABLE) {
            assertThat(EngineMode.fastModeUnavailableReason()).contains("--add-opens java.base/java.lang=ALL-UNNAMED");
        } else {
            assertThat(EngineMode.fastModeUnavailableReason()).isNull();
        }
        if (chosen == EngineMode.DIRECT) {
            assertThat(EngineMode.directModeUnavailableReason()).isNull();
        } else {
            // The other executions run without the flag: asking for DIRECT says which flag is missing.
            assertThat(EngineMode.directModeUnavailableReason()).contains("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED");
            assertThatThrownBy(() -> EventLoop.builder().mode(EngineMode.DIRECT).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("DIRECT mode is not available")
                    .hasMessageContaining("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED");
        }
        assertThat(Async.run(() -> Async.getRunningLoop().engineMode())).isEqualTo(chosen);
    }

    /* A task that blocks in Thread.sleep beside a task that is ready: records who ran when. */
    private static List<String> blockerBesideAReadyTask(EventLoop loop) {
        List<String> order = new CopyOnWriteArrayList<>();
        loop.runUntilComplete(() -> {
            Task<Void> blocker = Async.createTask(() -> {
                order.add("blocker before");
                Thread.sleep(50);
                order.add("blocker after");
                return null;
            });
            Task<Void> other = Async.createTask(() -> {
                order.add("other");
                return null;
            });
            blocker.await();
            other.await();
            return null;
        });
        loop.close();
        return order;
    }

    @Test
    void aBlockingCallHoldsTheLoopAsInAsyncio() {
        assertThat(blockerBesideAReadyTask(new EventLoop())).containsExactly("blocker before", "blocker after", "other");
    }

    @Test
    void blockingCallsSuspendIsAnExplicitFastModeOptIn() {
        if (EngineMode.configuredDefault() == EngineMode.DIRECT) {
            // A task of DIRECT runs on the loop thread itself: a blocking call cannot be anything but a hold.
            assertThatThrownBy(() -> EventLoop.builder().blockingCallsSuspend(true).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("blockingCallsSuspend needs FAST mode")
                    .hasMessageContaining("DIRECT");
            return;
        }
        if (EngineMode.best() == EngineMode.PORTABLE) {
            assertThatThrownBy(() -> EventLoop.builder().blockingCallsSuspend(true).build())
                    .isInstanceOf(IllegalStateException.class);
            return;
        }
        assertThat(blockerBesideAReadyTask(EventLoop.builder().blockingCallsSuspend(true).build()))
                .containsExactly("blocker before", "other", "blocker after");
    }

    @Test
    void aForeignWakeUpRacingWithTheParkIsNeverLost() throws Exception {
        // Regression: when another thread unparks a task while it is still parking, the JDK resubmits the
        // continuation from the loop thread itself; that resume used to be queued while the loop held for it.
        try (AsyncRuntime runtime = AsyncRuntime.start("park-race")) {
            java.util.concurrent.CompletableFuture<Integer> done = runtime.submit(() -> {
                int rounds = 3000;
                for (int i = 0; i < rounds; i++) {
                    CountDownLatch latch = new CountDownLatch(1);
                    Thread.ofPlatform().start(latch::countDown);
                    latch.await(); // a blocking call: the loop holds for this task
                }
                return rounds;
            });
            assertThat(done.get(30, TimeUnit.SECONDS)).isEqualTo(3000);
        }
    }

    @Test
    void anInterruptedLoopThreadKeepsServingWithoutSpinning() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.start("interrupted-loop")) {
            runtime.thread().interrupt();
            assertThat(runtime.run(() -> Async.sleep(java.time.Duration.ofMillis(20), "still running"))).isEqualTo("still running");
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long before = mx.getThreadCpuTime(runtime.thread().threadId());
            Thread.sleep(300);
            long spentNanos = mx.getThreadCpuTime(runtime.thread().threadId()) - before;
            assertThat(spentNanos).as("CPU time of an idle loop thread over 300 ms").isLessThan(100_000_000L);
        }
    }

    @Test
    void aVirtualThreadStartedInsideATaskRunsOffTheLoop() throws Exception {
        boolean ranWhileTheLoopWasHeld = Async.run(() -> {
            CountDownLatch childRan = new CountDownLatch(1);
            Thread child = Thread.ofVirtual().start(childRan::countDown);
            // Blocks the task (and so the loop): the child must not need the loop to run.
            boolean ran = childRan.await(10, TimeUnit.SECONDS);
            child.join();
            return ran;
        });
        assertThat(ranWhileTheLoopWasHeld).isTrue();
    }

    @Test
    void anotherThreadCanNameAndReadTheStackOfTheTaskThatHoldsTheLoop() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.start("held-loop")) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Task<String> stuck = runtime.createTask(() -> {
                entered.countDown();
                release.await();
                return "released";
            }, "stuck-in-blocking-call");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            Task<?> current = null;
            for (int i = 0; i < 1000 && current == null; i++) {
                current = runtime.currentTask().orElse(null);
                if (current == null) {
                    Thread.sleep(1);
                }
            }
            assertThat(current).isSameAs(stuck);
            assertThat(stuck.getStack()).anyMatch(f -> f.getClassName().equals(CountDownLatch.class.getName()));
            release.countDown();
            assertThat(runtime.run(stuck::await)).isEqualTo("released");
        }
    }

    static final class AwaitsInItsInitializer {
        static final String VALUE;

        static {
            Future<String> never = Async.getRunningLoop().createFuture();
            VALUE = never.await();
        }

        private AwaitsInItsInitializer() {
        }
    }

    @Test
    void anAwaitWhilePinnedIsAClearErrorNotAHang() {
        LogCapture logs = LogCapture.of(EventLoop.class, r -> r.getMessage().contains("awaited while pinned"));
        Throwable failure;
        try (logs) {
            failure = awaitWhilePinned();
        }
        assertThat(failure).isInstanceOf(ExceptionInInitializerError.class);
        if (EngineMode.configuredDefault() == EngineMode.DIRECT) {
            // DIRECT: the JDK refuses at once to suspend a continuation with a class initializer on its stack;
            // the await raises that, named, in the task: no watchdog needed, nothing logged.
            assertThat(failure.getCause()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot suspend here (Pinned: NATIVE)")
                    .hasMessageContaining("class initializer");
            assertThat(logs.records()).isEmpty();
        } else if (EngineMode.best() == EngineMode.FAST) {
            // The watchdog woke the pinned thread with a clear error well before main gave up, and said so.
            assertThat(failure.getCause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("pinned");
            assertThat(logs.messages(Level.SEVERE)).singleElement().asString().contains("awaited while pinned to loop");
        } else {
            // PORTABLE: a pinned virtual thread parks its own carrier, not the loop: the await simply waits,
            // the loop goes on, and the cancellation reaches it.
            assertThat(failure.getCause()).isInstanceOf(CancelledError.class).hasMessage("gave up waiting");
            assertThat(logs.records()).isEmpty();
        }
    }

    @Test
    void aSuspensionSlowToUnmountIsNotTakenForAnAwaitWhilePinned() {
        // A loaded OS can keep the loop thread off a core between a task's decision to suspend and its unmount
        // for longer than two watchdog ticks (seen at load 15 on 2 cores). That thread reads RUNNABLE, not
        // WAITING as a thread parked while pinned does: the watchdog must not raise in it.
        LogCapture logs = LogCapture.of(EventLoop.class, r -> r.getMessage().contains("awaited while pinned"));
        try (logs) {
            String outcome = Async.run(() -> {
                EventLoop loop = Async.getRunningLoop();
                Task<?> me = Async.currentTask().orElseThrow();
                if (!(me.runner instanceof CarrierTaskRunner c)) {
                    return loop.engineMode() + ": no pinned-await watchdog";
                }
                java.lang.reflect.Field carrier = CarrierTaskRunner.class.getDeclaredField("carrier");
                carrier.setAccessible(true);
                TaskThread thread = (TaskThread) carrier.get(c);
                thread.suspending = true; // white-box: as if this task were on its way to unmount
                try {
                    assertThat(c.suspendingButMounted()).isTrue();
                    for (int i = 0; i < 3; i++) {
                        loop.watchdogTick(); // the loop thread is running this very task: not parked
                    }
                } finally {
                    thread.suspending = false;
                }
                Async.sleep(0); // a normal await, not an IllegalStateException
                return me.pinnedAbort ? "alarm" : "no alarm";
            });
            EngineMode mode = EngineMode.configuredDefault();
            assertThat(outcome).isEqualTo(mode == EngineMode.FAST ? "no alarm" : mode + ": no pinned-await watchdog");
            assertThat(logs.records()).isEmpty();
        }
    }

    private static Throwable awaitWhilePinned() {
        return Async.run(() -> {
            Task<String> t = Async.createTask(() -> AwaitsInItsInitializer.VALUE);
            for (int i = 0; i < 100 && !t.done(); i++) {
                Async.sleep(0.02);
            }
            t.cancel("gave up waiting");
            try {
                t.await();
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
    }
}
