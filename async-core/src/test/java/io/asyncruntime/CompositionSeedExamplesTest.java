package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The composition examples of the asyncio page, with their documented output and time (scaled down). */
class CompositionSeedExamplesTest {

    private static Coroutine<Integer> factorial(Loops.Log out, String name, int number) {
        return () -> {
            int f = 1;
            for (int i = 2; i <= number; i++) {
                out.add("Task " + name + ": Compute factorial(" + i + ")...");
                Async.sleep(1);
                f *= i;
            }
            out.add("Task " + name + ": factorial(" + number + ") = " + f);
            return f;
        };
    }

    @Test
    void gatherFactorials() {
        Loops.Log out = new Loops.Log();
        EventLoop loop = Loops.virtual();
        List<Object> results = loop.runUntilComplete(() ->
                Async.gather(factorial(out, "A", 2), factorial(out, "B", 3), factorial(out, "C", 4)).await());
        assertThat(out.lines()).containsExactly(
                "Task A: Compute factorial(2)...",
                "Task B: Compute factorial(2)...",
                "Task C: Compute factorial(2)...",
                "Task A: factorial(2) = 2",
                "Task B: Compute factorial(3)...",
                "Task C: Compute factorial(3)...",
                "Task B: factorial(3) = 6",
                "Task C: Compute factorial(4)...",
                "Task C: factorial(4) = 24");
        assertThat(results).containsExactly(2, 6, 24);
        assertThat(loop.time()).isEqualTo(3.0);
        loop.close();
    }

    @Test
    void waitForEternityTimesOut() {
        Loops.Log out = new Loops.Log();
        EventLoop loop = Loops.virtual();
        loop.runUntilComplete(() -> {
            Coroutine<Void> eternity = () -> {
                Async.sleep(3600);
                out.add("yay!");
                return null;
            };
            try {
                Async.waitFor(eternity, Duration.ofSeconds(1));
            } catch (TimeoutError e) {
                out.add("timeout!");
            }
            return null;
        });
        assertThat(out.lines()).containsExactly("timeout!");
        assertThat(loop.time()).isEqualTo(1.0);
        loop.close();
    }

    @Test
    void toThreadRunsBlockingIoBesideASleep() {
        // 1 s of the docs becomes 100 ms: both finish together, ~100 ms, not 200.
        double seconds = 0.1;
        Loops.Log out = new Loops.Log();
        long t0 = System.nanoTime();
        Async.run(() -> {
            out.add("started main");
            Async.gather(
                    (Coroutine<Void>) () -> Async.toThread(() -> {
                        out.add("start blocking_io");
                        Thread.sleep((long) (seconds * 1000));
                        out.add("blocking_io complete");
                        return null;
                    }),
                    (Coroutine<Void>) () -> {
                        Async.sleep(seconds);
                        return null;
                    }).await();
            out.add("finished main");
            return null;
        });
        double elapsed = (System.nanoTime() - t0) / 1e9;
        assertThat(out.lines()).containsExactly("started main", "start blocking_io", "blocking_io complete", "finished main");
        assertThat(elapsed).isGreaterThanOrEqualTo(seconds).isLessThan(2 * seconds + 1.5);
    }

    @Test
    void runCoroutineThreadsafeFromAnotherThread() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.start("threadsafe-seed")) {
            CompletableFuture<Integer> future = Async.runCoroutineThreadsafe(() -> {
                Async.sleep(0.01);
                return 3;
            }, runtime.loop());
            assertThat(future.get(10, TimeUnit.SECONDS)).isEqualTo(3);

            IllegalStateException boom = new IllegalStateException("in the coroutine");
            CompletableFuture<Integer> failing = Async.runCoroutineThreadsafe(() -> {
                throw boom;
            }, runtime.loop());
            try {
                failing.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isSameAs(boom);
            }

            CompletableFuture<Integer> slow = Async.runCoroutineThreadsafe(() -> {
                Async.sleep(3600);
                return 0;
            }, runtime.loop());
            try {
                slow.get(50, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                slow.cancel(true);
            }
            assertThat(slow.isCancelled()).isTrue();
            for (int i = 0; i < 1000 && !runtime.allTasks().isEmpty(); i++) {
                Thread.sleep(5);
            }
            assertThat(runtime.allTasks()).isEmpty();
        }
    }
}
