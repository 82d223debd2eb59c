package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** Scenarios from the independent engine review, each of which failed before its fix. */
class ReviewRegressionTest {

    @Test
    void aPendingSelfCancelIsNotRaisedByAwaitingAFutureThatIsAlreadyDone() {
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            Future<Integer> done = Async.getRunningLoop().createFuture();
            done.setResult(1);
            Async.currentTask().orElseThrow().cancel();
            seen.add("await returned " + done.await()); // CPython: awaiting a done future does not yield
            try {
                Async.sleep(0);
                seen.add("not cancelled");
            } catch (CancelledError e) {
                seen.add("cancelled at the next real suspension");
                Async.currentTask().orElseThrow().uncancel();
            }
            return null;
        });
        assertThat(seen).containsExactly("await returned 1", "cancelled at the next real suspension");
    }

    @Test
    void gatherReportsTheFirstFailureInArgumentOrder() {
        Loops.runVirtual(() -> {
            for (int round = 0; round < 50; round++) {
                List<Future<Object>> failed = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    Future<Object> f = Async.getRunningLoop().createFuture();
                    f.setException(new IllegalStateException("child" + i));
                    failed.add(f);
                }
                assertThatThrownBy(Async.gather(failed.toArray())::await).hasMessage("child0");
                failed.forEach(Future::exception);
            }
            return null;
        });
    }

    @Test
    void virtualTimeWaitsForAWrappedCompletableFuture() {
        String r = Loops.runVirtual(() -> {
            CompletableFuture<String> cf = CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "arrived";
            });
            return Async.<String>waitFor(Async.wrapFuture(cf), Duration.ofHours(1));
        });
        assertThat(r).isEqualTo("arrived");
    }

    @Test
    void timersCancelledFromAnotherThreadDoNotDisableTheHeapCleanUp() throws Exception {
        EventLoop loop = Loops.virtual();
        loop.runUntilComplete(() -> {
            EventLoop l = Async.getRunningLoop();
            List<TimerHandle> shortOnes = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                shortOnes.add(l.callLater(0.001, () -> { }));
            }
            Async.toThread(() -> {
                shortOnes.forEach(TimerHandle::cancel);
                return null;
            });
            Async.sleep(0.01);
            l.callLater(1800, () -> { });
            for (int i = 0; i < 1000; i++) {
                l.callLater(3600, () -> { }).cancel();
            }
            Async.sleep(0.01); // the next iteration looks for the next live timer and cleans up
            assertThat(l.timerHeapSize()).isEqualTo(1);
            return null;
        });
        loop.close();
    }

    @Test
    void aRunAcceptedBeforeShutdownIsFailedNotStrandedWhenTheLoopEnds() throws Exception {
        AsyncRuntime rt = AsyncRuntime.builder().name("stranded").shutdownTimeout(Duration.ofMillis(200)).start();
        rt.createTask(() -> {
            Thread.sleep(600); // holds the loop, as asyncio would
            return null;
        }, "blocker");
        Thread.sleep(50);
        CompletableFuture<Object> caller = CompletableFuture.supplyAsync(() -> {
            try {
                return rt.run(() -> "hello");
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(50);
        try (LogCapture log = LogCapture.of(AsyncRuntime.class)) {
            rt.shutdown(Duration.ofMillis(200));
            // Answered as soon as shutdown gives up on the held loop, not only when the loop ends.
            assertThat(caller.get(10, TimeUnit.SECONDS)).isInstanceOf(CancelledError.class).asString()
                    .contains("is shutting down").contains("a blocking call in blocker").contains("abandoned");
            rt.thread().join(10_000);
            assertThat(rt.loop().isClosed()).isTrue();
            assertThat(log.messages(Level.WARNING)).anySatisfy(m -> assertThat(m).contains("still holds the loop thread"));
        }
    }

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
    void aSubmissionBeforeTheLoopRunsWaitsInTheQueue() throws Exception {
        EventLoop loop = new EventLoop();
        CompletableFuture<String> f = Async.runCoroutineThreadsafe(() -> "ran once the loop ran", loop);
        assertThat(f.isDone()).isFalse();
        Future<Void> idle = loop.createFuture();
        loop.callLater(0.05, () -> idle.setResult(null));
        loop.runUntilComplete(idle);
        assertThat(f.get(1, TimeUnit.SECONDS)).isEqualTo("ran once the loop ran");
        CompletableFuture<String> late = Async.runCoroutineThreadsafe(() -> "never", loop);
        loop.close();
        assertThat(late.isCancelled()).isTrue();
        assertThatThrownBy(() -> late.get(1, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.CancellationException.class);
    }
}
