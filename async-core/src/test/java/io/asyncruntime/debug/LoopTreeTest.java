package io.asyncruntime.debug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.Async;
import io.asyncruntime.EventLoop;
import io.asyncruntime.Future;
import io.asyncruntime.ManualClock;
import io.asyncruntime.Runner;
import io.asyncruntime.Task;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link LoopTree}: the whole loop as a tree of who awaits whom, like {@code python -m asyncio pstree} (3.14). */
class LoopTreeTest {

    private static Runner virtualRunner() {
        return new Runner(EventLoop.builder().clock(new ManualClock()).name("tree-loop")::build);
    }

    private static String leafWaits(Future<String> gate) {
        return gate.await();
    }

    @Test
    void tasksHangUnderTheTasksThatAwaitThemThroughGather() {
        try (Runner runner = virtualRunner()) {
            String tree = runner.run(() -> {
                Future<String> gate = Async.getRunningLoop().createFuture();
                Task<String> a = Async.createTask(() -> leafWaits(gate), "a");
                Task<String> b = Async.createTask(() -> io.asyncruntime.Async.sleep(java.time.Duration.ofSeconds(5), "b"), "b");
                Task<Object> top = Async.createTask(() -> Async.gather(a, b).await(), "top");
                Task<Void> ticker = Async.createTask(() -> {
                    Async.sleep(60);
                    return null;
                }, "ticker");
                Async.sleep(0);
                Async.sleep(0);
                String text = LoopTree.format(Async.getRunningLoop());
                gate.setResult("go");
                top.cancel();
                ticker.cancel();
                return text;
            });
            List<String> lines = tree.lines().toList();
            assertThat(lines.get(0)).isEqualTo("EventLoop tree-loop: 5 pending tasks");
            assertThat(lines).hasSize(6);
            assertThat(lines.get(1)).startsWith("└── (T) Task-").contains(", RUNNING]");
            assertThat(lines.get(2)).startsWith("└── (T) top [id=").contains(", PENDING]").contains(" awaiting ");
            assertThat(lines.get(3)).startsWith("    ├── (T) a [id=").contains(", PENDING] at ")
                    .contains("LoopTreeTest.leafWaits(");
            assertThat(lines.get(4)).startsWith("    └── (T) b [id=").contains(", PENDING]");
            assertThat(lines.get(5)).startsWith("└── (T) ticker [id=");
        }
    }

    @Test
    void aTaskAwaitingATaskShowsItAsAChildNotAsWhatItAwaits() {
        try (Runner runner = virtualRunner()) {
            String tree = runner.run(() -> {
                Future<String> gate = Async.getRunningLoop().createFuture();
                Task<String> inner = Async.createTask(() -> leafWaits(gate), "inner");
                Task<String> outer = Async.createTask(inner::await, "outer");
                Async.sleep(0);
                String text = LoopTree.format(Async.getRunningLoop());
                gate.setResult("done");
                assertThat(outer.await()).isEqualTo("done");
                return text;
            });
            assertThat(tree).contains("└── (T) outer [id=");
            assertThat(tree.lines().filter(l -> l.contains("(T) outer")).findFirst().orElseThrow()).doesNotContain("awaiting");
            assertThat(tree).contains("    └── (T) inner [id=");
        }
    }

    /*
     * Two tasks awaiting each other can be neither finished nor cancelled (cancel() recurses through the
     * waiters, as in asyncio), so this loop is closed with them pending and the "destroyed but pending"
     * reports are captured instead of logged.
     */
    @Test
    void aCycleIsCutWhereItClosesAndStillShown() {
        EventLoop loop = EventLoop.builder().clock(new ManualClock()).build();
        List<String> reports = new java.util.ArrayList<>();
        loop.setExceptionHandler((l, ctx) -> reports.add(ctx.message()));
        String tree = loop.runUntilComplete(() -> {
            AtomicReference<Task<?>> first = new AtomicReference<>();
            AtomicReference<Task<?>> second = new AtomicReference<>();
            Future<Void> ready = Async.getRunningLoop().createFuture();
            first.set(Async.createTask(() -> {
                ready.await();
                return second.get().await();
            }, "first"));
            second.set(Async.createTask(() -> {
                ready.await();
                return first.get().await();
            }, "second"));
            Async.sleep(0);
            ready.setResult(null);
            Async.sleep(0);
            Async.sleep(0);
            return LoopTree.format(Async.getRunningLoop());
        });
        loop.close();
        List<String> lines = tree.lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(1)).startsWith("└── (T) Task-").contains(", RUNNING]");
        assertThat(lines.get(2)).startsWith("└── (T) first [id=");
        assertThat(lines.get(3)).startsWith("    └── (T) second [id=");
        assertThat(lines.get(4)).startsWith("        └── (T) first [id=").endsWith(" (cycle)");
        assertThat(reports).hasSize(2).allMatch(m -> m.contains("pending"));
    }

    @Test
    void anEmptyLoopIsJustTheHeaderAndNullIsRefused() {
        EventLoop loop = EventLoop.builder().clock(new ManualClock()).name("idle").build();
        try {
            assertThat(LoopTree.format(loop)).isEqualTo("EventLoop idle: 0 pending tasks");
        } finally {
            loop.close();
        }
        assertThatThrownBy(() -> LoopTree.format(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("loop");
    }

    @Test
    void aBoundedTreeShowsAtMostThatManyTasksAndCountsTheRest() {
        try (Runner runner = virtualRunner()) {
            List<String> lines = runner.run(() -> {
                for (int i = 0; i < 5; i++) {
                    Async.createTask(() -> {
                        Async.sleep(60);
                        return null;
                    }, "sleeper-" + i);
                }
                Async.sleep(0);
                return LoopTree.format(Async.getRunningLoop(), 2).lines().toList();
            });
            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).isEqualTo("EventLoop tree-loop: 6 pending tasks");
            assertThat(lines.get(2)).startsWith("└── (T) sleeper-0 [id=");
            assertThat(lines.get(3)).isEqualTo("... 4 more pending tasks not shown");
        }
        EventLoop idle = EventLoop.builder().clock(new ManualClock()).build();
        try {
            assertThat(LoopTree.format(idle, 0)).startsWith("EventLoop ").endsWith(": 0 pending tasks");
            assertThatThrownBy(() -> LoopTree.format(idle, -1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxTasks");
        } finally {
            idle.close();
        }
    }

    /* Safe from any thread: formatted over and over from the test thread while the loop creates and ends tasks. */
    @Test
    void formattingFromAnotherThreadWhileTasksComeAndGoNeverFails() throws Exception {
        EventLoop loop = new EventLoop();
        Thread loopThread = new Thread(loop::runForever, "loop-tree-test");
        loopThread.start();
        try {
            CompletableFuture<Integer> churn = Async.runCoroutineThreadsafe(() -> {
                int rounds = 0;
                while (rounds < 2_000) {
                    Task<Object> g = Async.createTask(() -> Async.gather(
                            (io.asyncruntime.Coroutine<Integer>) () -> 1,
                            (io.asyncruntime.Coroutine<Integer>) () -> {
                                Async.sleep(0);
                                return 2;
                            }).await());
                    Async.sleep(0);
                    g.await();
                    rounds++;
                }
                return rounds;
            }, loop);
            int formatted = 0;
            while (!churn.isDone()) {
                String text = LoopTree.format(loop);
                assertThat(text).startsWith("EventLoop " + loop.name() + ": ");
                formatted++;
            }
            assertThat(churn.get(60, TimeUnit.SECONDS)).isEqualTo(2_000);
            assertThat(formatted).isPositive();
        } finally {
            loop.callSoonThreadsafe(loop::stop);
            loopThread.join(10_000);
            loop.close();
        }
    }

    // ------------------------------------------------------------------ cost, depth and values

    private static final long BOUND_SECONDS = 20;

    /*
     * LoopTree.format(loop, maxTasks, ...) stays cheap for on-demand callers (the actuator's text tree, GET
     * /actuator/tasks/{id}) whatever the shape of the await graph. A ladder of diamonds (two tasks await one task,
     * a third gathers both) doubles the paths up the awaited-by graph at each rung, so a walk of every path costs
     * 2^k for 3k+1 tasks: 64 pending tasks, maxTasks 5, must take well under 2 s.
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

    /*
     * With frames=false (show-values says the reader may not see values), neither the tree nor TaskInfo.awaiting
     * (the JSON list's "awaiting", never redacted) shows the result or exception of a future a task still awaits
     * because its wake-up is queued and has not run yet.
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

    /*
     * A chain of 40,000 tasks each awaiting the next (a recursive algorithm, a pipeline): LoopTree.format with
     * maxTasks 10 returns a string, where a walk that recursed once per link would throw StackOverflowError (an
     * Error: the actuator would answer 500).
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
}
