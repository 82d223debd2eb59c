package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * {@link AsyncRuntime#shutdown}: every caller gets an answer (a result, a CancelledError, or a CancelledError
 * saying the task was abandoned), work offered meanwhile is refused or cancelled, and the call returns within
 * its timeout plus the grace. Real threads, so the bounds are generous: they catch a hang, not a slow machine.
 */
class AsyncRuntimeShutdownTest {
    /* Far above what any of these shutdowns needs, far below "forever". */
    private static final long ANSWER_SECONDS = 20;

    @Test
    void aBlockingCallPastTheTimeoutStillAnswersEveryCaller() throws Exception {
        AsyncRuntime rt = AsyncRuntime.builder().name("held").start();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        try (LogCapture log = LogCapture.of(AsyncRuntime.class)) {
            CompletableFuture<Integer> blocked = rt.submit(() -> {
                blocking.countDown();
                release.await(); // a blocking call, not an await: it holds the loop thread
                return 1;
            }, "blocker");
            CompletableFuture<Integer> sleeping = rt.submit(() -> Async.sleep(Duration.ofHours(1), 2), "sleeper");
            AtomicReference<Throwable> runCaller = new AtomicReference<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    rt.run(() -> Async.sleep(Duration.ofHours(1), 3), "run-caller");
                } catch (Throwable t) {
                    runCaller.set(t);
                }
            });
            assertThat(blocking.await(ANSWER_SECONDS, TimeUnit.SECONDS)).isTrue();
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_SECONDS);
                    rt.loop().externalWaiterCount() < 3 && System.nanoTime() < end; ) {
                Thread.onSpinWait(); // the run() caller has handed its task in
            }
            assertThat(rt.loop().externalWaiterCount()).isEqualTo(3);

            long t0 = System.nanoTime();
            rt.shutdown(Duration.ofMillis(200));
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;

            assertThat(tookMillis).isLessThan(200 + AsyncRuntime.SHUTDOWN_GRACE.toMillis() + 5_000);
            assertThat(rt.thread().isAlive()).as("the loop thread is still held").isTrue();
            for (CompletableFuture<Integer> f : List.of(blocked, sleeping)) {
                assertThat(f).isDone();
                assertThat(cancelledErrorOf(f)).hasMessageContaining("is shutting down")
                        .hasMessageContaining("a blocking call in blocker (id ")
                        .hasMessageContaining("abandoned");
            }
            assertThat(cancelledErrorOf(blocked)).hasMessageContaining("blocker (id ");
            assertThat(cancelledErrorOf(sleeping)).hasMessageContaining("sleeper (id ");
            caller.join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
            assertThat(runCaller.get()).isInstanceOf(CancelledError.class).hasMessageContaining("run-caller");
            assertThat(rt.loop().externalWaiterCount()).isZero();
            assertThat(log.messages(Level.WARNING)).anySatisfy(m -> assertThat(m)
                    .contains("still holds the loop thread").contains("answered 3 waiting caller(s)"));

            // When the blocking call returns, the loop closes on its own thread and abandons what is left.
            release.countDown();
            rt.thread().join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
            assertThat(rt.thread().isAlive()).isFalse();
            assertThat(rt.loop().isClosed()).isTrue();
            assertThat(rt.allTasks()).isEmpty();
        } finally {
            release.countDown();
        }
    }

    @Test
    void aTaskThatRefusesCancellationIsAbandonedAndItsRunCallerAnswered() throws Exception {
        AsyncRuntime rt = AsyncRuntime.builder().name("stubborn").start();
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Task<?>> stubborn = new AtomicReference<>();
        AtomicReference<Throwable> answer = new AtomicReference<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                rt.run(() -> {
                    stubborn.set(Async.currentTask().orElseThrow());
                    started.countDown();
                    while (true) {
                        try {
                            Async.sleep(3600);
                        } catch (CancelledError refused) {
                            // goes on regardless
                        }
                    }
                }, "refuser");
            } catch (Throwable t) {
                answer.set(t);
            }
        });
        assertThat(started.await(ANSWER_SECONDS, TimeUnit.SECONDS)).isTrue();
        try (LogCapture log = LogCapture.of(AsyncRuntime.class)) {
            assertThat(rt.shutdown(Duration.ofMillis(100))).containsExactly(stubborn.get());
            caller.join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
            assertThat(answer.get()).isInstanceOf(CancelledError.class)
                    .hasMessageContaining("AsyncRuntime stubborn is shutting down")
                    .hasMessageContaining("abandoned");
            rt.thread().join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
            assertThat(stubborn.get().cancelled()).isTrue();
            assertThat(log.messages(Level.WARNING)).anySatisfy(m -> assertThat(m).contains("abandoned 1 task(s)")
                    .contains("refuser (id " + stubborn.get().getId() + ")"));
        }
    }

    @Test
    void tasksThatFinishInTimeAnswerWithTheirOwnOutcome() throws Exception {
        AsyncRuntime rt = AsyncRuntime.builder().name("orderly").start();
        CountDownLatch ready = new CountDownLatch(3);
        IllegalStateException failure = new IllegalStateException("cleanup failed");
        CompletableFuture<String> cleansUp = rt.submit(() -> {
            try {
                ready.countDown();
                return Async.sleep(Duration.ofHours(1), "slept");
            } catch (CancelledError e) {
                return "cleaned up after: " + e.getMessage(); // swallowing a cancel is allowed; its value counts
            }
        });
        CompletableFuture<String> fails = rt.submit(() -> {
            try {
                ready.countDown();
                return Async.sleep(Duration.ofHours(1), "slept");
            } catch (CancelledError e) {
                throw failure;
            }
        });
        CompletableFuture<String> cancelled = rt.submit(() -> {
            ready.countDown();
            return Async.sleep(Duration.ofHours(1), "slept");
        });
        assertThat(ready.await(ANSWER_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(rt.shutdown(Duration.ofSeconds(ANSWER_SECONDS))).isEmpty();

        assertThat(cleansUp.get(ANSWER_SECONDS, TimeUnit.SECONDS)).isEqualTo("cleaned up after: AsyncRuntime orderly is shutting down");
        assertThatThrownBy(fails::get).isInstanceOf(ExecutionException.class).cause().isSameAs(failure);
        assertThat(cancelled).isCancelled();
        assertThat(cancelledErrorOf(cancelled)).hasMessage("AsyncRuntime orderly is shutting down");
        assertThat(rt.loop().isClosed()).isTrue();
    }

    @Test
    void submissionsRacingShutdownAreAnsweredOrRefusedNeverLost() throws Exception {
        for (int round = 0; round < 5; round++) {
            AsyncRuntime rt = AsyncRuntime.builder().name("race-" + round).start();
            int threads = 4;
            List<CompletableFuture<?>> handedOut = new CopyOnWriteArrayList<>();
            AtomicInteger refused = new AtomicInteger();
            List<Throwable> wrongRefusals = new CopyOnWriteArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch someSubmitted = new CountDownLatch(threads * 20);
            List<Thread> submitters = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int me = i;
                submitters.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        for (int n = 0; ; n++) {
                            boolean stubborn = n % 7 == 0;
                            int value = n;
                            try {
                                handedOut.add(me % 2 == 0
                                        ? rt.submit(() -> work(value, stubborn))
                                        : Async.runCoroutineThreadsafe(() -> work(value, stubborn), rt.loop()));
                            } catch (IllegalStateException e) {
                                if (!e.getMessage().contains("shut down") && !e.getMessage().contains("closed")) {
                                    wrongRefusals.add(e);
                                }
                                refused.incrementAndGet();
                                return;
                            }
                            someSubmitted.countDown();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            go.countDown();
            assertThat(someSubmitted.await(ANSWER_SECONDS, TimeUnit.SECONDS)).isTrue();
            try (LogCapture log = LogCapture.of(AsyncRuntime.class)) {
                rt.shutdown(Duration.ofMillis(100));
                for (Thread t : submitters) {
                    t.join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
                }
                rt.thread().join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
            }
            int unanswered = 0;
            for (CompletableFuture<?> f : handedOut) {
                try {
                    f.get(ANSWER_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    unanswered++;
                } catch (ExecutionException | java.util.concurrent.CancellationException answered) {
                    // an answer
                }
            }
            assertThat(unanswered).as("futures left without an answer").isZero();
            assertThat(refused).hasValue(threads);
            assertThat(wrongRefusals).isEmpty();
            assertThat(rt.loop().externalWaiterCount()).isZero();
            assertThat(rt.allTasks()).isEmpty();
        }
    }

    /* The CancelledError a cancelled CompletableFuture was completed with (join() wraps it in a fresh one). */
    private static CancelledError cancelledErrorOf(CompletableFuture<?> f) {
        assertThat(f).isCancelled();
        try {
            f.join();
        } catch (java.util.concurrent.CancellationException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof CancelledError ce) {
                    return ce;
                }
            }
            throw new AssertionError("no CancelledError behind " + e, e);
        }
        throw new AssertionError("not cancelled: " + f);
    }

    /* Some finish at once, most sleep until cancelled, every seventh refuses cancellation. */
    private static int work(int n, boolean stubborn) {
        if (n % 3 == 0) {
            return n;
        }
        while (true) {
            try {
                return Async.sleep(Duration.ofHours(1), n);
            } catch (CancelledError e) {
                if (!stubborn) {
                    throw e;
                }
            }
        }
    }

    @Test
    void tenThousandLiveTasksShutDownAndAllAreAnswered() throws Exception {
        AsyncRuntime rt = AsyncRuntime.builder().name("ten-thousand").start();
        int count = 10_000;
        List<CompletableFuture<Integer>> futures = new ArrayList<>(count);
        CountDownLatch started = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            futures.add(rt.submit(() -> {
                started.countDown();
                return Async.sleep(Duration.ofHours(1), 0);
            }));
        }
        assertThat(started.await(ANSWER_SECONDS * 3, TimeUnit.SECONDS)).isTrue();
        assertThat(rt.allTasks()).hasSize(count);
        assertThat(rt.shutdown(Duration.ofSeconds(ANSWER_SECONDS * 3))).isEmpty();
        assertThat(futures).allSatisfy(f -> assertThat(f).isCancelled());
        assertThat(rt.loop().isClosed()).isTrue();
    }

    @Test
    void everyLaterCallerWaitsWithinItsOwnBound() throws Exception {
        AsyncRuntime rt = AsyncRuntime.builder().name("three-callers").start();
        CountDownLatch cleaning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        rt.submit(() -> {
            try {
                Async.sleep(3600);
            } finally {
                cleaning.countDown();
                release.await(ANSWER_SECONDS, TimeUnit.SECONDS); // a slow cleanup holds the first shutdown
            }
            return 1;
        });
        rt.run(() -> Async.sleep(Duration.ofMillis(5), null));
        Thread first = Thread.ofPlatform().start(() -> rt.shutdown(Duration.ofSeconds(ANSWER_SECONDS)));
        try {
            assertThat(cleaning.await(ANSWER_SECONDS, TimeUnit.SECONDS)).isTrue();
            Thread second = Thread.ofPlatform().start(() -> rt.shutdown(Duration.ofSeconds(ANSWER_SECONDS)));
            Thread.sleep(50); // the second caller is waiting for the first
            long t0 = System.nanoTime();
            rt.shutdown(Duration.ofMillis(100));
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            // Its own bound (100 ms + the grace), not the second caller's 20 s.
            assertThat(tookMillis).isLessThan(100 + AsyncRuntime.SHUTDOWN_GRACE.toMillis() + 5_000);
            assertThat(second.isAlive()).isTrue();
            release.countDown();
            second.join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
            assertThat(second.isAlive()).isFalse();
        } finally {
            release.countDown();
            first.join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
        }
        assertThat(rt.loop().isClosed()).isTrue();
    }

    @Test
    void shutdownIsIdempotentAndRefusesTheLoopThread() throws Exception {
        AsyncRuntime rt = AsyncRuntime.builder().name("twice").start();
        Throwable onLoop = rt.run(() -> {
            try {
                rt.shutdown(Duration.ZERO);
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        });
        assertThat(onLoop).hasMessageContaining("own loop thread");
        assertThatThrownBy(() -> rt.shutdown(null)).isInstanceOf(NullPointerException.class).hasMessage("timeout");
        assertThat(rt.shutdown(Duration.ofSeconds(-5))).isEmpty(); // a negative timeout: do not wait
        assertThat(rt.shutdown(Duration.ofSeconds(5))).isEmpty();
        rt.thread().join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
        assertThat(rt.loop().isClosed()).isTrue();
        assertThatThrownBy(() -> rt.run(() -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("accepts no new work");
        assertThatThrownBy(() -> Async.runCoroutineThreadsafe(() -> 1, rt.loop()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(rt.loop().externalWaiterCount()).isZero();
    }

    // ------------------------------------------------------------------ awkward callers and late tasks

    /*
     * Regression: shutdown(timeout) returns within timeout + SHUTDOWN_GRACE even when a blocking call holds the
     * loop and a caller attached a slow dependent stage (whenComplete, thenRun...) to its CompletableFuture:
     * answering the callers does not run their dependent stages inline on the shutdown thread.
     */
    @Test
    void shutdownReturnsInTimeEvenIfACallerAttachedASlowDependentStage() throws Exception {
        AsyncRuntime rt = AsyncRuntime.builder().name("slow-dependent-").start();
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch releaseBlocker = new CountDownLatch(1);
        CountDownLatch releaseDependent = new CountDownLatch(1);
        try (LogCapture logs = LogCapture.of(AsyncRuntime.class)) {
            CompletableFuture<Integer> cf = rt.submit(() -> {
                blocking.countDown();
                releaseBlocker.await(); // holds the loop thread
                return 1;
            }, "blocker");
            cf.whenComplete((v, e) -> {
                try {
                    releaseDependent.await(ANSWER_SECONDS, TimeUnit.SECONDS); // e.g. a slow log write or HTTP reply
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(blocking.await(ANSWER_SECONDS, TimeUnit.SECONDS)).isTrue();
            Thread shutdown = Thread.ofPlatform().start(() -> rt.shutdown(Duration.ofMillis(200)));
            shutdown.join(200 + AsyncRuntime.SHUTDOWN_GRACE.toMillis() + 4_000);
            assertThat(shutdown.isAlive()).as("shutdown(200 ms) still running after 4.7 s").isFalse();
            assertThat(logs.messages(java.util.logging.Level.WARNING)).anySatisfy(m -> assertThat(m)
                    .contains("a blocking call in blocker").contains("answered 1 waiting caller(s)"));
            releaseBlocker.countDown();
            rt.thread().join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
        } finally {
            releaseDependent.countDown();
            releaseBlocker.countDown();
        }
    }

    /*
     * shutdown called from a thread whose interrupt flag is set (the usual "catch InterruptedException,
     * re-interrupt, then close resources" path) still waits, bounded by its timeout, as ExecutorService.close()
     * does: the loop is not taken for held by a blocking call, and a task's 50 ms asynchronous cleanup runs within
     * its 5 s.
     */
    @Test
    void shutdownFromAnInterruptedThreadStillGivesTasksTheirTimeout() throws Exception {
        AsyncRuntime rt = AsyncRuntime.builder().name("interrupted-").start();
        AtomicBoolean cleanedUp = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        rt.submit(() -> {
            try {
                started.countDown();
                Async.sleep(3600);
            } finally {
                Async.sleep(0.05); // a short, asynchronous cleanup
                cleanedUp.set(true);
            }
            return 1;
        }, "cleaner");
        assertThat(started.await(ANSWER_SECONDS, TimeUnit.SECONDS)).isTrue();
        List<Task<?>> abandoned;
        Thread.currentThread().interrupt();
        try {
            abandoned = rt.shutdown(Duration.ofSeconds(5));
        } finally {
            Thread.interrupted();
        }
        rt.thread().join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
        assertThat(cleanedUp).as("the task's 50 ms cleanup ran within the 5 s timeout").isTrue();
        assertThat(abandoned).isEmpty();
    }

    /*
     * Two threads closing one runtime at once: the second call returns only once the runtime is shut down (within
     * its own bound), never while the loop thread still runs tasks.
     */
    @Test
    void aSecondConcurrentCloseReturnsOnlyOnceTheRuntimeIsShutDown() throws Exception {
        AsyncRuntime rt = AsyncRuntime.builder().name("two-closers").start();
        CountDownLatch inFinally = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        rt.submit(() -> {
            try {
                Async.sleep(3600);
            } finally {
                inFinally.countDown();
                release.await(2, TimeUnit.SECONDS); // a slow (blocking) cleanup inside the first shutdown's timeout
            }
            return 1;
        });
        Thread.sleep(50);
        Thread first = Thread.ofPlatform().start(() -> rt.shutdown(Duration.ofSeconds(10)));
        try {
            assertThat(inFinally.await(ANSWER_SECONDS, TimeUnit.SECONDS)).isTrue();
            rt.close();
            assertThat(rt.thread().isAlive()).as("close() returned while the loop thread still runs").isFalse();
        } finally {
            release.countDown();
            first.join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
        }
    }

    /*
     * A task created during shutdown (here from the finally block of a task being cancelled, the classic "send a
     * goodbye" cleanup) gets the rest of the timeout, or at least appears in the returned list of abandoned tasks:
     * it is never dropped silently.
     */
    @Test
    void aTaskSpawnedDuringShutdownIsGivenTheTimeoutOrReportedAsAbandoned() throws Exception {
        AsyncRuntime rt = AsyncRuntime.builder().name("spawn-in-finally-").start();
        AtomicBoolean goodbyeSent = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        rt.submit(() -> {
            try {
                started.countDown();
                Async.sleep(3600);
            } finally {
                Async.createTask(() -> {
                    Async.sleep(0.1);
                    goodbyeSent.set(true);
                    return 1;
                }, "goodbye");
            }
            return 1;
        });
        assertThat(started.await(ANSWER_SECONDS, TimeUnit.SECONDS)).isTrue();
        List<Task<?>> abandoned = rt.shutdown(Duration.ofSeconds(5));
        rt.thread().join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
        assertThat(goodbyeSent.get() || !abandoned.isEmpty())
                .as("goodbye task neither finished within the 5 s timeout nor reported abandoned").isTrue();
    }

    /*
     * shutdown(Duration.ZERO) gives the tasks one iteration of the loop to handle their cancellation: the loop
     * stops one iteration after the cancels, so every cancelled task sees its CancelledError. Ten rounds, because
     * a stop that overtakes the cancels loses them only some of the time.
     */
    @Test
    void shutdownWithZeroTimeoutLetsEveryTaskSeeItsCancellation() throws Exception {
        int rounds = 10;
        int handled = 0;
        for (int i = 0; i < rounds; i++) {
            AsyncRuntime rt = AsyncRuntime.builder().name("zero-" + i).start();
            AtomicBoolean sawCancel = new AtomicBoolean();
            CountDownLatch started = new CountDownLatch(1);
            rt.submit(() -> {
                try {
                    started.countDown();
                    Async.sleep(3600);
                } catch (CancelledError e) {
                    sawCancel.set(true); // handled synchronously: needs no further iteration
                    throw e;
                }
                return 1;
            });
            assertThat(started.await(ANSWER_SECONDS, TimeUnit.SECONDS)).isTrue();
            rt.shutdown(Duration.ZERO);
            rt.thread().join(TimeUnit.SECONDS.toMillis(ANSWER_SECONDS));
            if (sawCancel.get()) {
                handled++;
            }
        }
        assertThat(handled).as("tasks that saw their CancelledError").isEqualTo(rounds);
    }

    /*
     * Regression: a run() accepted while a blocking call holds the loop is answered with a CancelledError naming
     * the shutdown and the blocker as soon as shutdown gives up on the held loop, not stranded until the loop
     * ends.
     */
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
}
