package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watchdog's stall reports: a step that holds the loop is reported while it still runs, with its task and
 * live stack, and once more when it ends; an idle loop and short steps are never reported. These need real
 * time (the watchdog samples a real clock), so delays are short and bounds generous.
 */
class LoopStallTest {
    private final AsyncRuntime runtime = AsyncRuntime.builder().name("stall-loop")
            .slowCallbackDuration(Duration.ofMillis(50)).blockedThreshold(Duration.ofMillis(150)).start();
    private final Recorder recorder = new Recorder();

    @AfterEach
    void close() {
        runtime.close();
    }

    /** Records every report in order, as "slow:<task>", "blocked:<task>", "unblocked:<task>". */
    static final class Recorder implements LoopStallListener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final List<LoopStall> stalls = new CopyOnWriteArrayList<>();
        final List<Duration> totals = new CopyOnWriteArrayList<>();

        @Override
        public void slowStep(EventLoop loop, Task<?> taskOrNull) {
            events.add("slow:" + (taskOrNull == null ? "callback" : taskOrNull.getName()));
        }

        @Override
        public void blocked(LoopStall stall) {
            stalls.add(stall);
            events.add("blocked:" + (stall.task() == null ? "callback" : stall.task().getName()));
        }

        @Override
        public void unblocked(LoopStall stall, Duration total) {
            totals.add(total);
            events.add("unblocked:" + (stall.task() == null ? "callback" : stall.task().getName()));
        }

        String next() throws InterruptedException {
            String e = events.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("a stall report within 10 s").isNotNull();
            return e;
        }
    }

    static void holdTheLoop(CountDownLatch release) {
        try {
            // A blocking wait inside a step: exactly the mistake the watchdog exists to point at.
            assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aBlockingTaskIsReportedWhileBlockedWithItsLiveStackThenWhenItEnds() throws Exception {
        runtime.loop().addStallListener(recorder);
        CountDownLatch release = new CountDownLatch(1);
        Task<String> culprit = runtime.createTask(() -> {
            holdTheLoop(release);
            return "done";
        }, "culprit");

        assertThat(recorder.next()).isEqualTo("slow:culprit");
        assertThat(recorder.next()).isEqualTo("blocked:culprit");
        LoopStall stall = recorder.stalls.get(0);
        // Reported while it still holds the loop: the release has not happened yet.
        assertThat(culprit.done()).isFalse();
        assertThat(stall.loop()).isSameAs(runtime.loop());
        assertThat(stall.task()).isSameAs(culprit);
        assertThat(stall.heldFor()).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(stall.culprit()).isEqualTo("task 'culprit' (id " + culprit.getId() + ")");
        assertThat(stall.stack()).anySatisfy(f -> assertThat(f.getMethodName()).isEqualTo("holdTheLoop"));
        assertThat(stall.stackText()).contains("\tat io.asyncruntime.LoopStallTest.holdTheLoop(LoopStallTest.java:");

        release.countDown();
        assertThat(recorder.next()).isEqualTo("unblocked:culprit");
        assertThat(recorder.totals.get(0)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(runtime.run(culprit::await)).isEqualTo("done");
        // One stall, reported once; a loaded machine may make the short step above look slow, nothing more.
        assertThat(recorder.events).allMatch(e -> e.startsWith("slow:"));
    }

    @Test
    void aBlockingCallbackIsReportedWithoutATask() throws Exception {
        runtime.loop().addStallListener(recorder);
        CountDownLatch release = new CountDownLatch(1);
        runtime.loop().callSoonThreadsafe(() -> holdTheLoop(release));

        assertThat(recorder.next()).isEqualTo("slow:callback");
        assertThat(recorder.next()).isEqualTo("blocked:callback");
        LoopStall stall = recorder.stalls.get(0);
        assertThat(stall.task()).isNull();
        assertThat(stall.threadName()).isEqualTo("stall-loop");
        assertThat(stall.culprit()).isEqualTo("a callback on thread 'stall-loop'");
        assertThat(stall.stack()).anySatisfy(f -> assertThat(f.getMethodName()).isEqualTo("holdTheLoop"));
        release.countDown();
        assertThat(recorder.next()).isEqualTo("unblocked:callback");
    }

    @Test
    void aStepSlowerThanTheSlowThresholdButShortOfBlockedIsOnlySlow() throws Exception {
        runtime.loop().addStallListener(recorder);
        runtime.run(() -> {
            Thread.sleep(60); // holds the loop: blocking calls do not suspend by default
            return null;
        });
        // 60 ms is over the 50 ms slow threshold and far from the 150 ms blocked one, but the watchdog samples: it may or may not have seen it.
        Thread.sleep(200);
        assertThat(recorder.events).allMatch(e -> e.startsWith("slow:"));
        assertThat(recorder.stalls).isEmpty();
    }

    @Test
    void anIdleLoopAndShortStepsAreNeverReported() throws Exception {
        // Thresholds far above any step here (microseconds), so that a loaded machine descheduling the loop
        // thread for a few milliseconds cannot pass for a stall.
        runtime.loop().setSlowCallbackDuration(Duration.ofMillis(250));
        runtime.loop().setBlockedThreshold(Duration.ofMillis(500));
        runtime.loop().addStallListener(recorder);
        runtime.run(() -> {
            Async.sleep(0.3); // idle: nothing runs
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < end) {
                Async.sleep(0); // busy, but every step is short
            }
            return null;
        });
        assertThat(recorder.events).isEmpty();
    }

    @Test
    void aFailingListenerDoesNotStopTheOthersNorTheWatch() throws Exception {
        runtime.loop().addStallListener(new LoopStallListener() {
            @Override
            public void blocked(LoopStall stall) {
                throw new IllegalStateException("listener bug");
            }
        });
        runtime.loop().addStallListener(recorder);
        try (LogCapture logs = LogCapture.of(EventLoop.class, r -> r.getMessage().equals("Loop stall listener failed"))) {
            for (int round = 0; round < 2; round++) {
                CountDownLatch release = new CountDownLatch(1);
                runtime.loop().callSoonThreadsafe(() -> holdTheLoop(release));
                assertThat(recorder.next()).isEqualTo("slow:callback");
                assertThat(recorder.next()).isEqualTo("blocked:callback");
                release.countDown();
                assertThat(recorder.next()).isEqualTo("unblocked:callback");
            }
            // Each failure is logged with the listener's exception, and the watch goes on.
            assertThat(logs.records()).filteredOn(r -> r.getLevel() == Level.SEVERE).hasSizeGreaterThanOrEqualTo(2)
                    .allSatisfy(r -> {
                        assertThat(r.getMessage()).isEqualTo("Loop stall listener failed");
                        assertThat(r.getThrown()).hasMessage("listener bug");
                    });
        }
    }

    @Test
    void aRemovedListenerHearsNothing() throws Exception {
        runtime.loop().addStallListener(recorder);
        runtime.loop().removeStallListener(recorder);
        CountDownLatch release = new CountDownLatch(1);
        runtime.loop().callSoonThreadsafe(() -> holdTheLoop(release));
        Thread.sleep(400);
        release.countDown();
        assertThat(recorder.events).isEmpty();
    }

    @Test
    void badInputIsRejected() {
        EventLoop loop = runtime.loop();
        assertThatThrownBy(() -> loop.addStallListener(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> loop.setBlockedThreshold(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> loop.setBlockedThreshold(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loop.setBlockedThreshold(null)).isInstanceOf(NullPointerException.class);
        assertThat(loop.getBlockedThreshold()).isEqualTo(Duration.ofMillis(150));
        loop.setBlockedThreshold(Duration.ofDays(365_000));
        assertThat(loop.getBlockedThreshold()).isGreaterThan(Duration.ofDays(365));
    }
}
