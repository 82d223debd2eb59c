package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The examples of the asyncio "Coroutines and Tasks" pages (../shared/seeds), with their documented output. */
class SeedExamplesTest {

    private static void sayAfter(Loops.Log out, double delay, String what) {
        Async.sleep(delay);
        out.add(what);
    }

    private static String at(EventLoop loop) {
        return String.format("%.1f", loop.time());
    }

    @Test
    void helloWorld() {
        Loops.Log out = new Loops.Log();
        EventLoop loop = Loops.virtual();
        loop.runUntilComplete(() -> {
            out.add("hello " + at(loop));
            Async.sleep(1);
            out.add("world " + at(loop));
            return null;
        });
        assertThat(out.lines()).containsExactly("hello 0.0", "world 1.0");
    }

    @Test
    void callingACoroutineAloneRunsNothing() {
        Loops.Log out = new Loops.Log();
        Coroutine<Integer> nested = () -> {
            out.add("nested ran");
            return 42;
        };
        assertThat(Async.isCoroutine(nested)).isTrue();
        assertThat(out.lines()).isEmpty();
        assertThat(Loops.runVirtual(() -> Async.await(nested))).isEqualTo(42);
        assertThat(out.lines()).containsExactly("nested ran");
    }

    @Test
    void sayAfterSequentialTakesThreeSeconds() {
        Loops.Log out = new Loops.Log();
        EventLoop loop = Loops.virtual();
        loop.runUntilComplete(() -> {
            out.add("started at " + at(loop));
            Async.await(() -> {
                sayAfter(out, 1, "hello");
                return null;
            });
            Async.await(() -> {
                sayAfter(out, 2, "world");
                return null;
            });
            out.add("finished at " + at(loop));
            return null;
        });
        assertThat(out.lines()).containsExactly("started at 0.0", "hello", "world", "finished at 3.0");
    }

    @Test
    void sayAfterConcurrentTakesTwoSeconds() {
        Loops.Log out = new Loops.Log();
        EventLoop loop = Loops.virtual();
        loop.runUntilComplete(() -> {
            Task<Void> task1 = Async.createTask(() -> {
                sayAfter(out, 1, "hello");
                return null;
            });
            Task<Void> task2 = Async.createTask(() -> {
                sayAfter(out, 2, "world");
                return null;
            });
            out.add("started at " + at(loop));
            task1.await();
            task2.await();
            out.add("finished at " + at(loop));
            return null;
        });
        assertThat(out.lines()).containsExactly("started at 0.0", "hello", "world", "finished at 2.0");
    }

    @Test
    void sayAfterTakesTheDocumentedTimeOnTheRealClockScaledDown() {
        // 1 s and 2 s of the docs become 40 ms and 80 ms: sequential ~120 ms, concurrent ~80 ms.
        double scale = 0.04;
        Loops.Log out = new Loops.Log();
        long t0 = System.nanoTime();
        Async.run(() -> {
            sayAfter(out, 1 * scale, "hello");
            sayAfter(out, 2 * scale, "world");
            return null;
        });
        double sequential = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        Async.run(() -> {
            Task<Void> a = Async.createTask(() -> {
                sayAfter(out, 1 * scale, "hello");
                return null;
            });
            Task<Void> b = Async.createTask(() -> {
                sayAfter(out, 2 * scale, "world");
                return null;
            });
            a.await();
            b.await();
            return null;
        });
        double concurrent = (System.nanoTime() - t1) / 1e9;
        assertThat(out.lines()).containsExactly("hello", "world", "hello", "world");
        assertThat(sequential).isGreaterThanOrEqualTo(3 * scale).isLessThan(3 * scale + 2.0);
        assertThat(concurrent).isGreaterThanOrEqualTo(2 * scale).isLessThan(2 * scale + 2.0);
    }

    @Test
    void nestedTaskCanBeAwaited() {
        int value = Loops.runVirtual(() -> {
            Task<Integer> task = Async.createTask(() -> 42);
            return task.await();
        });
        assertThat(value).isEqualTo(42);
    }

    @Test
    void displayDatePrintsEverySecondForFiveSeconds() {
        Loops.Log out = new Loops.Log();
        EventLoop loop = Loops.virtual();
        loop.runUntilComplete(() -> {
            EventLoop running = Async.getRunningLoop();
            double endTime = running.time() + 5.0;
            while (true) {
                out.add(at(running));
                if (running.time() + 1.0 >= endTime) {
                    break;
                }
                Async.sleep(1);
            }
            return null;
        });
        assertThat(out.lines()).containsExactly("0.0", "1.0", "2.0", "3.0", "4.0");
    }

    @Test
    void cancelMeInterceptsTheCancellation() {
        Loops.Log out = new Loops.Log();
        Loops.runVirtual(() -> {
            Task<Void> task = Async.createTask(() -> {
                out.add("cancel_me(): before sleep");
                try {
                    Async.sleep(3600);
                } catch (CancelledError e) {
                    out.add("cancel_me(): cancel sleep");
                    throw e;
                } finally {
                    out.add("cancel_me(): after sleep");
                }
                return null;
            });
            Async.sleep(1);
            task.cancel();
            try {
                task.await();
            } catch (CancelledError e) {
                out.add("main(): cancel_me is cancelled now");
            }
            return null;
        });
        assertThat(out.lines()).containsExactly(
                "cancel_me(): before sleep",
                "cancel_me(): cancel sleep",
                "cancel_me(): after sleep",
                "main(): cancel_me is cancelled now");
    }

    @Test
    void chainingCoroutines() {
        Loops.Log out = new Loops.Log();
        EventLoop loop = Loops.virtual();
        loop.runUntilComplete(() -> {
            int x = 1;
            int y = 2;
            int result = Async.await(() -> {
                out.add("Compute " + x + " + " + y + " ...");
                Async.sleep(1.0);
                return x + y;
            });
            out.add(x + " + " + y + " = " + result + " at " + at(loop));
            return null;
        });
        loop.close();
        assertThat(out.lines()).containsExactly("Compute 1 + 2 ...", "1 + 2 = 3 at 1.0");
    }

    @Test
    void futureWithRunUntilComplete() {
        EventLoop loop = Loops.virtual();
        Future<String> future = loop.createFuture();
        loop.createTask(() -> {
            Async.sleep(1);
            future.setResult("Future is done!");
            return null;
        });
        loop.runUntilComplete(future);
        assertThat(future.result()).isEqualTo("Future is done!");
        assertThat(loop.time()).isEqualTo(1.0);
        loop.close();
    }

    @Test
    void futureWithRunForeverAndADoneCallback() {
        Loops.Log out = new Loops.Log();
        EventLoop loop = Loops.virtual();
        Future<String> future = loop.createFuture();
        loop.createTask(() -> {
            Async.sleep(1);
            future.setResult("Future is done!");
            return null;
        });
        future.addDoneCallback(f -> {
            out.add(f.result());
            loop.stop();
        });
        try {
            loop.runForever();
        } finally {
            loop.close();
        }
        assertThat(out.lines()).containsExactly("Future is done!");
        assertThatThrownBy(loop::runForever).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void tasksAreScheduledToRunSoonAndInCreationOrder() {
        Loops.Log out = new Loops.Log();
        Loops.runVirtual(() -> {
            for (String name : List.of("a", "b", "c")) {
                Async.createTask(() -> {
                    out.add(name);
                    return null;
                });
            }
            out.add("main before yield");
            Async.sleep(0);
            out.add("main after yield");
            return null;
        });
        assertThat(out.lines()).containsExactly("main before yield", "a", "b", "c", "main after yield");
    }
}
