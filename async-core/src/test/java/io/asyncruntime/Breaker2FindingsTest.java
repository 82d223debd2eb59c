package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.debug.LoopTree;
import io.asyncruntime.debug.TaskInfo;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Defects found by the second breaker session (branch breaker2, written against 1585592). Each test fails on
 * that code and states the expected behaviour. Real-time bounds are generous.
 */
class Breaker2FindingsTest {
    private static final long BOUND_SECONDS = 20;

    // ------------------------------------------------------------------ LoopTree cost

    /*
     * LoopTree.format(loop, maxTasks, ...) is documented as bounded for on-demand callers, but it calls
     * Async.captureCallGraph(t, 0) for EVERY pending task, and FutureCallGraph.capture walks every path up the
     * awaited-by graph without memoising (visiting only guards the current path). A ladder of diamonds (two tasks
     * await the same task, a third gathers both) doubles the paths per rung: 3k+1 tasks cost 2^k. With 64 pending
     * tasks and maxTasks = 5 the call does not return in 20 s (measured: 55 tasks ~3 s, doubling per rung). The
     * actuator's text/plain tree (limit=1) and GET /actuator/tasks/{id} run this on a web thread.
     */
    @Test
    void loopTreeOfALadderOfDiamondsIsCheap() throws Exception {
        CompletableFuture<Long> millis = new CompletableFuture<>();
        Thread runner = Thread.ofPlatform().daemon().start(() -> {
            try (Runner r = new Runner()) {
                r.run(() -> {
                    Future<String> gate = Async.getRunningLoop().createFuture();
                    Task<?> prev = Async.createTask(gate::await, "n0");
                    for (int i = 1; i <= 21; i++) {
                        Task<?> p = prev;
                        Task<?> x = Async.createTask(p::await, "a" + i);
                        Task<?> y = Async.createTask(p::await, "b" + i);
                        prev = Async.createTask(() -> Async.gather(x, y).await(), "n" + i);
                    }
                    for (int j = 0; j < 5; j++) {
                        Async.sleep(0);
                    }
                    long t0 = System.nanoTime();
                    LoopTree.format(Async.getRunningLoop(), 5, false);
                    millis.complete((System.nanoTime() - t0) / 1_000_000);
                    gate.setResult("go");
                    prev.await();
                    return null;
                });
            } catch (Throwable t) {
                millis.completeExceptionally(t);
            }
        });
        try {
            long ms = millis.get(BOUND_SECONDS, TimeUnit.SECONDS);
            assertThat(ms).as("LoopTree.format of 64 tasks, maxTasks 5").isLessThan(2_000);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("LoopTree.format of 64 pending tasks (maxTasks 5) still running after "
                    + BOUND_SECONDS + " s: the awaited-by walk is exponential", e);
        } finally {
            runner.interrupt();
        }
    }

    // ------------------------------------------------------------------ values leak past show-values

    /*
     * With frames=false (show-values says the reader may not see values) LoopTree still describes what a task
     * awaits with waiter.toString(); a plain Future that has just finished (its waiter's wake-up is queued but
     * has not run yet, so futWaiter still points at it) prints "<Future finished result=...>" or
     * "exception=<class>: <message>". TaskInfo.awaiting (the JSON list's "awaiting", never redacted) does the
     * same. Expected: no result or exception text without show-values.
     */
    @Test
    void loopTreeWithoutValuesDoesNotPrintTheResultOfWhatATaskAwaits() {
        try (Runner r = new Runner()) {
            String[] seen = r.run(() -> {
                Future<String> secret = Async.getRunningLoop().createFuture();
                Future<String> failing = Async.getRunningLoop().createFuture();
                Task<String> a = Async.createTask(secret::await, "holder");
                Task<String> b = Async.createTask(failing::await, "holder2");
                Async.sleep(0);
                secret.setResult("s3cret-token");
                failing.setException(new IllegalStateException("password=hunter2"));
                // a's and b's wake-ups are queued, not run: both still await their finished futures
                String tree = LoopTree.format(Async.getRunningLoop(), 100, false);
                String info = TaskInfo.of(a).awaiting() + " " + TaskInfo.of(b).awaiting();
                a.await();
                try {
                    b.await();
                } catch (IllegalStateException expected) {
                    // provoked
                }
                return new String[] {tree, info};
            });
            assertThat(seen[0]).as("text tree for a reader without show-values").doesNotContain("s3cret-token")
                    .doesNotContain("hunter2");
            assertThat(seen[1]).as("TaskInfo.awaiting (JSON 'awaiting', not redacted)").doesNotContain("s3cret-token")
                    .doesNotContain("hunter2");
        }
    }

    // ------------------------------------------------------------------ abandoned tasks that refuse to end

    /*
     * close() abandons a pending task and wakes its thread with a CancelledError so its finally blocks run; a
     * second await is meant to park the thread for good (Task.checkAbandoned). But the everyday stubborn loop
     * "while (true) { try { Async.sleep(...) } catch (Throwable t) { log } }" never reaches that park: on the
     * unwinding thread Async.sleep / Async.toThread / Async.getRunningLoop() return or throw at once, so the
     * thread spins at 100% of a core for good after close (measured ~1.2 million iterations a second, both
     * engines). Expected: the unwinding thread parks (or ends) at its next asynchronous call.
     */
    private static long iterationsAfterClose(String what) throws InterruptedException {
        java.util.concurrent.atomic.AtomicLong iterations = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        EventLoop loop = EventLoop.builder().build();
        loop.setExceptionHandler((l, c) -> { });
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

    // ------------------------------------------------------------------ LoopTree depth

    /*
     * A chain of tasks each awaiting the next (a recursive algorithm, a pipeline): FutureCallGraph.capture
     * recurses once per link, for every task (O(n^2) work), and LoopTree.format throws StackOverflowError at
     * 40,000 links even with maxTasks = 10 (an Error: the actuator answers 500). Expected: a bounded tree.
     */
    @Test
    void loopTreeOfALongChainIsBoundedAndDoesNotOverflow() throws Exception {
        int n = 40_000;
        try (Runner r = new Runner()) {
            Object outcome = r.run(() -> {
                Future<String> gate = Async.getRunningLoop().createFuture();
                Task<Object> top = Async.createTask(() -> link(gate, n), "top");
                for (int k = 0; k < n + 5; k++) {
                    Async.sleep(0);
                }
                Object result;
                try {
                    result = LoopTree.format(Async.getRunningLoop(), 10, false);
                } catch (Throwable t) {
                    result = t;
                }
                gate.setResult("x");
                top.await();
                return result;
            });
            assertThat(outcome).as("LoopTree.format of a 40,000-task chain").isInstanceOf(String.class);
        }
    }

    private static Object link(Future<String> gate, int i) {
        if (i == 0) {
            return gate.await();
        }
        Task<Object> next = Async.createTask(() -> link(gate, i - 1), "c" + i);
        return next.await();
    }

    // ------------------------------------------------------------------ await cycles

    /*
     * Two tasks that await each other (a deadlock a user can write; LoopTree shows it as "(cycle)"): cancelling
     * either recurses Task.cancel -> futWaiter.cancel -> ... round the cycle until StackOverflowError (through a
     * gather: GatheringFuture.cancel too). The same happens inside AsyncRuntime.shutdown's cancel round and
     * Runner.close. asyncio recurses the same way (RecursionError), but the JVM's Error escapes callers that
     * catch RuntimeException. Expected: cancel() returns true and both tasks end cancelled.
     */
    @Test
    void cancellingATaskInAnAwaitCycleDoesNotOverflowTheStack() {
        // A awaits B awaits A: a deadlock, in asyncio too (where cancel() recurses until RecursionError). Here the
        // cancel comes round the cycle once, stops, and is recorded on both; the tasks stay deadlocked, as they
        // were, until their loop closes and abandons them.
        EventLoop loop = Loops.virtual();
        loop.setExceptionHandler((l, c) -> { }); // "Task was destroyed but it is pending!" for the two, expected
        java.util.concurrent.atomic.AtomicReference<Task<?>> rb = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.List<Task<?>> both = new java.util.ArrayList<>();
        Object outcome = loop.runUntilComplete(() -> {
            Task<?> a = Async.createTask(() -> {
                Async.sleep(0);
                return rb.get().await();
            }, "A");
            Task<Object> b = Async.createTask(() -> {
                Async.sleep(0);
                return a.await();
            }, "B");
            rb.set(b);
            both.add(a);
            both.add(b);
            for (int i = 0; i < 3; i++) {
                Async.sleep(0);
            }
            Object result;
            try {
                result = a.cancel();
            } catch (Throwable t) {
                result = t;
            }
            return result + " A cancelling=" + a.cancelling() + " B cancelling=" + b.cancelling();
        });
        loop.close();
        assertThat(String.valueOf(outcome)).isEqualTo("true A cancelling=1 B cancelling=1");
        assertThat(both).allSatisfy(t -> assertThat(t.cancelled()).isTrue()); // abandoned by close()
    }

    // ------------------------------------------------------------------ nested timeouts
}
