package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** EventLoop's contract, after CPython's test_base_events.py. */
class EventLoopTest {
    private final EventLoop loop = Loops.virtual();

    @AfterEach
    void closeLoop() {
        if (!loop.isRunning()) {
            loop.close();
        }
    }

    private void runFor(double seconds) {
        loop.callLater(seconds, loop::stop);
        loop.runForever();
    }

    @Test
    void callSoonRunsInFifoOrderInTheNextIteration() {
        List<Integer> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int k = i;
            loop.callSoon(() -> calls.add(k));
        }
        loop.callSoon(loop::stop);
        loop.runForever();
        assertThat(calls).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void timersRunByDeadlineThenInTheOrderTheyWereScheduled() {
        List<String> calls = new ArrayList<>();
        loop.callLater(0.2, () -> calls.add("b@0.2"));
        loop.callLater(0.1, () -> calls.add("a@0.1"));
        loop.callLater(0.2, () -> calls.add("c@0.2"));
        loop.callAt(loop.time() + 0.15, () -> calls.add("at@0.15"));
        loop.callLater(Duration.ofMillis(50), () -> calls.add("d@0.05"));
        runFor(1);
        assertThat(calls).containsExactly("d@0.05", "a@0.1", "at@0.15", "b@0.2", "c@0.2");
        assertThat(loop.time()).isEqualTo(1.0);
    }

    @Test
    void cancelledCallbacksAndTimersDoNotRun() {
        List<String> calls = new ArrayList<>();
        Handle h = loop.callSoon(() -> calls.add("soon"));
        TimerHandle t = loop.callLater(0.1, () -> calls.add("later"));
        assertThat(t.when()).isEqualTo(0.1);
        h.cancel();
        t.cancel();
        assertThat(h.cancelled()).isTrue();
        assertThat(t.cancelled()).isTrue();
        runFor(1);
        assertThat(calls).isEmpty();
    }

    @Test
    void manyCancelledTimersAreCleanedUp() {
        List<TimerHandle> handles = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            handles.add(loop.callLater(10 + i, () -> { }));
        }
        handles.forEach(TimerHandle::cancel);
        List<String> calls = new ArrayList<>();
        loop.callLater(1, () -> calls.add("live"));
        runFor(2);
        assertThat(calls).containsExactly("live");
        assertThat(loop.time()).isEqualTo(2.0);
    }

    /* Checked on python3.13: call_later(0), (-1), call_at(now - 5), call_later(-inf) and a call_soon made
       after them run as soon, -inf, at-5, -1, 0: due timers in deadline order, after the ready callbacks. */
    @Test
    void callLaterAtOrBelowZeroIsDueInTheNextIterationInDeadlineOrder() {
        List<String> calls = new ArrayList<>();
        loop.callLater(5, () -> calls.add("later@5"));
        loop.callLater(0, () -> calls.add("0"));
        loop.callLater(-1, () -> calls.add("-1"));
        loop.callAt(loop.time() - 5, () -> calls.add("at-5"));
        loop.callLater(Double.NEGATIVE_INFINITY, () -> calls.add("-inf"));
        loop.callLater(Duration.ofSeconds(-2), () -> calls.add("duration-2"));
        loop.callSoon(() -> calls.add("soon"));
        loop.callSoon(loop::stop);
        loop.runForever();
        assertThat(calls).containsExactly("soon", "-inf", "at-5", "duration-2", "-1", "0");
        assertThat(loop.time()).isEqualTo(0.0);
    }

    @Test
    void infiniteDelaysAndTimesNeverComeDue() {
        List<String> calls = new ArrayList<>();
        TimerHandle inf = loop.callLater(Double.POSITIVE_INFINITY, () -> calls.add("inf"));
        loop.callAt(Double.POSITIVE_INFINITY, () -> calls.add("at inf"));
        loop.callLater(Duration.ofSeconds(Long.MAX_VALUE), () -> calls.add("max duration"));
        loop.callAt(Double.NEGATIVE_INFINITY, () -> calls.add("at -inf"));
        runFor(1_000_000);
        assertThat(calls).containsExactly("at -inf");
        assertThat(inf.when()).isGreaterThan(1e9);
    }

    @Test
    void badArgumentsAreClearErrors() {
        assertThatThrownBy(() -> loop.callLater(Double.NaN, () -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("delaySeconds");
        assertThatThrownBy(() -> loop.callAt(Double.NaN, () -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("when");
        assertThatThrownBy(() -> loop.callLater((Duration) null, () -> { })).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("delay");
        assertThatThrownBy(() -> loop.callSoon(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> loop.callLater(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> loop.createTask(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> loop.runUntilComplete((Future<Object>) null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void stopRunsWhatIsAlreadyScheduledThenReturns() {
        List<String> calls = new ArrayList<>();
        loop.callSoon(() -> {
            calls.add("first");
            loop.stop();
            loop.callSoon(() -> calls.add("scheduled during the last iteration"));
        });
        loop.callSoon(() -> calls.add("second"));
        loop.runForever();
        assertThat(calls).containsExactly("first", "second");
        assertThat(loop.isRunning()).isFalse();
        loop.callSoon(loop::stop);
        loop.runForever();
        assertThat(calls).containsExactly("first", "second", "scheduled during the last iteration");
    }

    @Test
    void stopBeforeRunningRunsOneIteration() {
        List<String> calls = new ArrayList<>();
        loop.callSoon(() -> calls.add("ran"));
        loop.stop();
        loop.runForever();
        assertThat(calls).containsExactly("ran");
    }

    @Test
    void runUntilCompleteOfAStoppedLoopIsAClearError() {
        Future<String> never = loop.createFuture();
        loop.callSoon(loop::stop);
        assertThatThrownBy(() -> loop.runUntilComplete(never)).isInstanceOf(IllegalStateException.class)
                .hasMessage("Event loop stopped before Future completed.");
    }

    @Test
    void aClosedLoopRefusesWork() {
        loop.close();
        loop.close();
        assertThat(loop.isClosed()).isTrue();
        assertThatThrownBy(() -> loop.callSoon(() -> { })).isInstanceOf(IllegalStateException.class).hasMessage("Event loop is closed");
        assertThatThrownBy(() -> loop.callSoonThreadsafe(() -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> loop.callLater(1, () -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> loop.createTask(() -> 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(loop::runForever).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closingReportsTasksLeftPending() {
        List<ExceptionContext> errors = new ArrayList<>();
        loop.setExceptionHandler((l, ctx) -> errors.add(ctx));
        Task<Void> forgotten = loop.createTask(() -> {
            Async.sleep(100);
            return null;
        });
        loop.runUntilComplete(() -> null);
        loop.close();
        assertThat(errors).extracting(ExceptionContext::future).containsExactly(forgotten);
        assertThat(errors.get(0).message()).isEqualTo("Task was destroyed but it is pending!");
    }

    @Test
    void closingAbandonsPendingTasksAndStillRunsEveryDoneCallback() {
        List<ExceptionContext> errors = new ArrayList<>();
        loop.setExceptionHandler((l, ctx) -> errors.add(ctx));
        List<String> heard = new ArrayList<>();
        Future<String> plain = loop.createFuture();
        Task<String> sleeper = loop.createTask(() -> Async.sleep(Duration.ofHours(1), "slept"), "sleeper");
        Task<String> waiter = loop.createTask(sleeper::await, "waiter");
        sleeper.addDoneCallback(f -> heard.add("sleeper cancelled=" + f.cancelled()));
        waiter.addDoneCallback(f -> heard.add("waiter cancelled=" + f.cancelled()));
        List<Task<?>> unstarted = new ArrayList<>();
        loop.runUntilComplete(() -> {
            Async.sleep(0); // the sleeper and the waiter reach their awaits
            plain.setResult("done late"); // its callback is still queued when the loop stops
            plain.addDoneCallback(f -> heard.add("plain " + f.result()));
            return null;
        });
        Task<Void> late = loop.createTask(() -> null, "never-ran"); // on the stopped loop: never started
        late.addDoneCallback(f -> heard.add("never-ran cancelled=" + f.cancelled()));
        unstarted.add(late);
        loop.close();

        // Queued callbacks first, then each abandoned task's callbacks, inline: nothing waits forever.
        assertThat(heard.get(0)).isEqualTo("plain done late");
        assertThat(heard.subList(1, heard.size())).containsExactlyInAnyOrder("sleeper cancelled=true",
                "waiter cancelled=true", "never-ran cancelled=true");
        assertThat(unstarted.get(0).cancelled()).isTrue();
        assertThat(sleeper.cancelled()).isTrue();
        assertThatThrownBy(sleeper::result).isInstanceOf(CancelledError.class)
                .hasMessage("event loop " + loop.name() + " closed while the task was pending; it was abandoned");
        assertThat(loop.allTasks()).isEmpty();
        assertThat(errors).extracting(ExceptionContext::future).containsExactlyInAnyOrder(sleeper, waiter, unstarted.get(0));
    }

    @Test
    void aThreadsafeStartThatMeetsAClosedLoopIsAnswered() throws Exception {
        java.util.concurrent.CompletableFuture<Integer> handedIn = Async.runCoroutineThreadsafe(() -> 1, loop);
        assertThat(handedIn).isNotDone(); // the loop is not running: the start waits in the hand-off queue
        loop.close();
        assertThat(handedIn).isCancelled();
        assertThatThrownBy(handedIn::join).isInstanceOf(java.util.concurrent.CancellationException.class);
        assertThat(loop.externalWaiterCount()).isZero();
        assertThatThrownBy(() -> Async.runCoroutineThreadsafe(() -> 1, loop)).isInstanceOf(IllegalStateException.class);
        assertThat(loop.externalWaiterCount()).isZero();
    }

    @Test
    void aCompletionFromAnotherThreadAfterCloseStillCompletesTheFuture() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch called = new CountDownLatch(1);
        java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            List<String> heard = new CopyOnWriteArrayList<>();
            Future<String> result = loop.runInExecutor(worker, () -> {
                release.await();
                return "computed";
            });
            result.addDoneCallback(f -> {
                heard.add(f.result());
                called.countDown();
            });
            loop.close(); // the work is still on the worker thread
            release.countDown();
            assertThat(called.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(heard).containsExactly("computed");
            assertThat(result.result()).isEqualTo("computed");
        } finally {
            worker.shutdownNow();
        }
    }

    @Test
    void runningTwiceOrCloseWhileRunningOrNestingLoopsIsRefused() {
        EventLoop other = Loops.virtual();
        loop.runUntilComplete(() -> {
            assertThatThrownBy(loop::runForever).isInstanceOf(IllegalStateException.class).hasMessageContaining("already running");
            assertThatThrownBy(loop::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("running");
            assertThatThrownBy(() -> other.runUntilComplete(() -> 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another loop is running");
            assertThatThrownBy(() -> Async.run(() -> 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot be called from a running event loop");
            return null;
        });
        other.close();
    }

    @Test
    void callSoonThreadsafeWakesAnIdleLoop() throws Exception {
        EventLoop real = new EventLoop();
        CountDownLatch started = new CountDownLatch(1);
        List<String> calls = new CopyOnWriteArrayList<>();
        Thread runner = Thread.ofPlatform().start(() -> {
            real.callSoon(started::countDown);
            real.runForever();
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 100; i++) {
            int k = i;
            real.callSoonThreadsafe(() -> calls.add("c" + k));
        }
        real.callSoonThreadsafe(real::stop);
        runner.join(10_000);
        assertThat(runner.isAlive()).isFalse();
        assertThat(calls).hasSize(100).startsWith("c0", "c1").endsWith("c99");
        real.close();
    }

    @Test
    void callbacksThatThrowReachTheHandlerAndTheLoopGoesOn() {
        List<ExceptionContext> errors = new ArrayList<>();
        loop.setExceptionHandler((l, ctx) -> errors.add(ctx));
        RuntimeException boom = new RuntimeException("boom");
        List<String> calls = new ArrayList<>();
        Handle bad = loop.callSoon(() -> {
            throw boom;
        });
        loop.callSoon(() -> calls.add("after"));
        runFor(0.1);
        assertThat(calls).containsExactly("after");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).exception()).isSameAs(boom);
        assertThat(errors.get(0).handle()).isSameAs(bad);
    }

    @Test
    void aHandlerThatThrowsFallsBackToTheDefault() {
        loop.setExceptionHandler((l, ctx) -> {
            throw new IllegalStateException("handler broke");
        });
        List<String> calls = new ArrayList<>();
        loop.callSoon(() -> {
            throw new RuntimeException("boom");
        });
        loop.callSoon(() -> calls.add("after"));
        try (LogCapture logs = LogCapture.of(EventLoop.class)) {
            runFor(0.1);
            // Both reach the log: the handler's own failure, then the error it could not handle.
            assertThat(logs.messages(java.util.logging.Level.SEVERE)).satisfiesExactly(
                    m -> assertThat(m).isEqualTo("Unhandled error in exception handler"),
                    m -> assertThat(m).startsWith("Exception in callback "));
            assertThat(logs.records()).extracting(r -> r.getThrown().getMessage()).containsExactly("handler broke", "boom");
        }
        assertThat(calls).containsExactly("after");
    }

    @Test
    void debugModeLogsSlowCallbacks() {
        List<String> warnings;
        try (LogCapture logs = LogCapture.of(EventLoop.class, r -> r.getMessage().startsWith("Executing "))) {
            EventLoop debugLoop = EventLoop.builder().debug(true).slowCallbackDuration(Duration.ofMillis(20)).build();
            assertThat(debugLoop.getDebug()).isTrue();
            assertThat(debugLoop.getSlowCallbackDuration()).isEqualTo(Duration.ofMillis(20));
            debugLoop.callSoon(() -> busy(Duration.ofMillis(40)));
            debugLoop.callSoon(debugLoop::stop);
            debugLoop.runForever();
            debugLoop.close();
            warnings = logs.messages(java.util.logging.Level.WARNING);
        }
        assertThat(warnings).anyMatch(m -> m.startsWith("Executing ") && m.endsWith(" seconds"));
    }

    private static void busy(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void runInExecutorRunsOffTheLoopAndCompletesOnIt() {
        EventLoop real = new EventLoop();
        String result = real.runUntilComplete(() -> {
            EventLoop l = Async.getRunningLoop();
            Thread loopThread = l.loopThread();
            Future<String> f = l.runInExecutor(null, () -> {
                assertThat(Thread.currentThread()).isNotSameAs(loopThread);
                return "from " + (Thread.currentThread().isVirtual() ? "a virtual thread" : "a platform thread");
            });
            IllegalStateException boom = new IllegalStateException("in executor");
            Future<String> failing = l.runInExecutor(null, () -> {
                throw boom;
            });
            assertThatThrownBy(failing::await).isSameAs(boom);
            return f.await();
        });
        real.close();
        assertThat(result).isEqualTo("from a virtual thread");
    }

    @Test
    void virtualTimeWaitsForWorkHandedToOtherThreadsInsteadOfJumping() {
        String result = loop.runUntilComplete(() -> {
            EventLoop l = Async.getRunningLoop();
            Task<String> sleeper = Async.createTask(() -> Async.sleep(Duration.ofSeconds(60), "slept"));
            Future<String> f = l.runInExecutor(null, () -> {
                Thread.sleep(50);
                return "worked";
            });
            String worked = f.await();
            assertThat(sleeper.done()).isFalse();
            assertThat(l.time()).isLessThan(60.0);
            return worked + "+" + sleeper.await();
        });
        assertThat(result).isEqualTo("worked+slept");
        assertThat(loop.time()).isEqualTo(60.0);
    }

    @Test
    void asyncRunCancelsLeftoverTasksAndLetsThemCleanUp() {
        List<String> calls = new CopyOnWriteArrayList<>();
        String value = Async.run(() -> {
            Async.createTask(() -> {
                try {
                    Async.sleep(3600);
                } finally {
                    calls.add("leftover cleaned up");
                }
                return null;
            });
            Async.sleep(0);
            return "main done";
        });
        assertThat(value).isEqualTo("main done");
        assertThat(calls).containsExactly("leftover cleaned up");
    }

    @Test
    void getRunningLoopOutsideALoopIsAClearError() {
        assertThatThrownBy(Async::getRunningLoop).isInstanceOf(IllegalStateException.class).hasMessage("no running event loop");
        assertThatThrownBy(() -> Async.createTask(() -> 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Async.await(() -> 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new Future<String>()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void ensureFutureAndCoroutineChecks() throws Exception {
        Loops.runVirtual(() -> {
            Future<String> f = Async.getRunningLoop().createFuture();
            assertThat(Async.<String>ensureFuture(f)).isSameAs(f);
            Future<Integer> fromCoro = Async.ensureFuture((Coroutine<Integer>) () -> 7);
            assertThat(fromCoro).isInstanceOf(Task.class);
            assertThat(fromCoro.await()).isEqualTo(7);
            Awaitable<String> custom = () -> "custom";
            assertThat(Async.<String>ensureFuture(custom).await()).isEqualTo("custom");
            assertThatThrownBy(() -> Async.ensureFuture("nope")).isInstanceOf(IllegalArgumentException.class);
            return null;
        });
        assertThat(Async.isCoroutine("x")).isFalse();
        assertThat(Async.isCoroutineFunction(EventLoopTest.class.getDeclaredMethod("coroutineFactory"))).isTrue();
        assertThat(Async.isCoroutineFunction(EventLoopTest.class.getDeclaredMethod("busy", Duration.class))).isFalse();
    }

    static Coroutine<String> coroutineFactory() {
        return () -> "x";
    }

    // ================================================================== close, abandoned tasks, hand-offs
    // These build their own loop (most on the real clock: Loops.quietRealTime()), which shadows the field.

    private static final long BOUND_SECONDS = 20;

    /*
     * close() abandons a pending task (it ends cancelled) and unwinds its virtual thread, which terminates: a
     * thread parked for good would keep its stack, and everything the stack references, reachable (the JDK tracks
     * virtual threads), so every abandoned task would leak.
     */
    @Test
    void anAbandonedTasksVirtualThreadTerminates() throws Exception {
        EventLoop loop = Loops.quietRealTime();
        Future<Object> never = loop.createFuture();
        Future<Object> started = loop.createFuture();
        Thread[] ran = new Thread[1];
        Thread[] unwoundOn = new Thread[1];
        Task<Object> task = loop.createTask(() -> {
            ran[0] = Thread.currentThread();
            started.setResult(null);
            try {
                return never.await();
            } finally {
                unwoundOn[0] = Thread.currentThread();
            }
        });
        loop.runUntilComplete(started);
        loop.close();
        assertThat(task.cancelled()).isTrue();
        Thread thread = ran[0];
        if (loop.engineMode() == EngineMode.DIRECT) {
            // DIRECT: no thread of its own to end; close() resumed the task's continuation on this (the closing)
            // thread, so its await raised and its finally block ran before close() returned.
            assertThat(thread).isSameAs(Thread.currentThread());
            assertThat(unwoundOn[0]).isSameAs(Thread.currentThread());
            assertThat(task.getStack()).isEmpty();
            return;
        }
        thread.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(thread.isAlive()).as("abandoned task's thread, state " + thread.getState()).isFalse();
    }

    /*
     * What an abandoned task's finally block throws while it unwinds after close() reaches the log, naming the
     * task and the loop (asyncio: "Exception ignored in: <coroutine ...>" through sys.unraisablehook), where it
     * used to be dropped. Its CancelledError, the normal way out, is not reported.
     */
    @Test
    void anExceptionFromAnAbandonedTasksFinallyIsLoggedNotDropped() throws Exception {
        try (LogCapture logs = LogCapture.of(EventLoop.class, r -> r.getMessage().startsWith("Exception ignored"))) {
            EventLoop loop = Loops.quietRealTime();
            Future<Object> never = loop.createFuture();
            Future<Object> started = loop.createFuture();
            List<Thread> taskThreads = new CopyOnWriteArrayList<>();
            List<String> unwound = new CopyOnWriteArrayList<>();
            loop.createTask(() -> {
                taskThreads.add(Thread.currentThread());
                try {
                    return never.await();
                } finally {
                    unwound.add("failing");
                    throw new IllegalStateException("from finally");
                }
            }, "failing-finally");
            loop.createTask(() -> {
                taskThreads.add(Thread.currentThread());
                started.setResult(null);
                try {
                    return never.await();
                } finally {
                    unwound.add("quiet"); // its CancelledError, the normal way out, is no report
                }
            }, "quiet-finally");
            loop.runUntilComplete(started);
            loop.close();
            // FAST and PORTABLE unwind each task on its own thread after close() returns, and the thread then ends;
            // DIRECT unwinds them on this thread inside close().
            for (Thread t : taskThreads) {
                if (t != Thread.currentThread()) {
                    t.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
                    assertThat(t.isAlive()).as("the unwinding thread of an abandoned task").isFalse();
                }
            }
            assertThat(unwound).containsExactlyInAnyOrder("failing", "quiet");
            assertThat(logs.records()).singleElement().satisfies(r -> {
                assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.SEVERE);
                assertThat(r.getMessage()).contains("failing-finally").contains(loop.name() + " closed");
                assertThat(r.getThrown()).isInstanceOf(IllegalStateException.class).hasMessage("from finally");
            });
        }
    }

    /*
     * A task abandoned while it awaits runInExecutor (or wrapFuture) stays a done callback of that future. When
     * the executor work ends after close, the completion runs on the executor thread and queues nothing on the
     * closed loop (PORTABLE: resuming the abandoned task's runner would add to the closed loop's ready queue from
     * a foreign thread).
     */
    @Test
    void aCompletionAfterCloseQueuesNothingOnTheClosedLoop() throws Exception {
        EventLoop loop = Loops.quietRealTime();
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch ran = new CountDownLatch(1);
        Future<Object> started = loop.createFuture();
        loop.createTask(() -> {
            Future<Integer> f = EventLoop.runningLoopOrThrow().runInExecutor(null, () -> {
                go.await();
                return 5;
            });
            f.addDoneCallback(x -> ran.countDown());
            started.setResult(null);
            return f.await();
        });
        loop.runUntilComplete(started);
        loop.close();
        assertThat(loop.readyCount()).isZero();
        go.countDown();
        assertThat(ran.await(BOUND_SECONDS, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100);
        assertThat(loop.readyCount()).as("items queued on the closed loop by the executor thread").isZero();
    }

    /*
     * A done callback that close() runs sees the context captured by addDoneCallback ("it runs in the context
     * current now"), not the closing thread's.
     */
    @Test
    void aDoneCallbackRunByCloseRunsInItsOwnContext() {
        EventLoop loop = Loops.quietRealTime();
        ContextVar<String> var = new ContextVar<>("callback-var", "default");
        AtomicReference<String> seen = new AtomicReference<>("not run");
        Future<Object> never = loop.createFuture();
        Future<Object> started = loop.createFuture();
        loop.createTask(() -> {
            var.set("task-value");
            Async.currentTask().orElseThrow().addDoneCallback(f -> seen.set(var.get()));
            started.setResult(null);
            return never.await();
        });
        loop.runUntilComplete(started);
        loop.close();
        assertThat(seen.get()).isEqualTo("task-value");
    }

    /*
     * After close, done callbacks run inline on the completing thread; a chain of 20,000 futures whose callbacks
     * complete the next one is still answered to its end (a trampoline, not a recursion into StackOverflowError),
     * as it is through the ready queue while the loop is open.
     */
    @Test
    void aLongChainOfDoneCallbacksIsAnsweredAfterClose() {
        EventLoop loop = Loops.quietRealTime();
        Future<Object> started = loop.createFuture();
        Task<Object> head = loop.createTask(() -> {
            started.setResult(null);
            return Async.sleep(Duration.ofHours(1), null);
        });
        Future<?> prev = head;
        Future<Object> last = null;
        for (int i = 0; i < 20_000; i++) {
            Future<Object> next = loop.createFuture();
            prev.addDoneCallback(f -> next.setResult(1));
            prev = next;
            last = next;
        }
        loop.runUntilComplete(started);
        loop.close();
        assertThat(last.done()).as("last future of the chain answered").isTrue();
    }

    /*
     * close() wakes an abandoned task's thread with a CancelledError so its finally blocks run, and parks it at
     * its next asynchronous call. A stubborn task that catches Throwable around sleep, toThread or callSoon in a
     * loop is parked there too instead of spinning on the unwinding thread. Returns the task's iterations in the
     * second that follows close (after 300 ms to settle).
     */
    private static long iterationsAfterClose(String what) throws InterruptedException {
        java.util.concurrent.atomic.AtomicLong iterations = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        EventLoop loop = Loops.quietRealTime();
        try {
            loop.runUntilComplete(() -> {
                Async.createTask(() -> {
                    while (!stop.get()) {
                        iterations.incrementAndGet();
                        try {
                            switch (what) {
                                case "sleep" -> Async.sleep(0.05);
                                case "toThread" -> Async.toThread(() -> 1);
                                default -> {
                                    Async.getRunningLoop().callSoon(() -> { });
                                    Async.sleep(0.05);
                                }
                            }
                        } catch (Throwable t) {
                            // a stubborn task: logs and carries on
                        }
                    }
                    return null;
                }, "stubborn");
                Async.sleep(0.1);
                return null;
            });
            loop.close();
            Thread.sleep(300);
            long before = iterations.get();
            Thread.sleep(1_000);
            return iterations.get() - before;
        } finally {
            stop.set(true); // ends the spin for the rest of this JVM
        }
    }

    @Test
    void anAbandonedTaskCatchingThrowableAroundSleepDoesNotSpin() throws Exception {
        assertThat(iterationsAfterClose("sleep")).as("loop iterations in 1 s after close()").isLessThan(100);
    }

    @Test
    void anAbandonedTaskCatchingThrowableAroundToThreadDoesNotSpin() throws Exception {
        assertThat(iterationsAfterClose("toThread")).as("loop iterations in 1 s after close()").isLessThan(100);
    }

    @Test
    void anAbandonedTaskCatchingThrowableAroundCallSoonDoesNotSpin() throws Exception {
        assertThat(iterationsAfterClose("callSoon")).as("loop iterations in 1 s after close()").isLessThan(100);
    }

    /*
     * Regression: timers cancelled from another thread are found lazily (the loop counts only its own cancels);
     * they do not upset the count behind the heap's clean-up, so 1,000 timers cancelled later on the loop are
     * still cleaned up and the heap keeps its one live timer.
     */
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

    /*
     * runCoroutineThreadsafe on a loop that has not run yet queues the coroutine, which runs once the loop runs;
     * one still queued when the loop closes is answered cancelled.
     */
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
