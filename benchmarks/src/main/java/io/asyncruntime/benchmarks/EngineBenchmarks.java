package io.asyncruntime.benchmarks;

import io.asyncruntime.Async;
import io.asyncruntime.EventLoop;
import io.asyncruntime.Future;
import io.asyncruntime.Task;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * The five engine workloads of the core issue, each run with warm-up rounds and then measured rounds
 * whose median is printed with its unit.
 *
 * <pre>
 *   W1 spawn     200,000 tasks returning a trivial value, all awaited          tasks/s
 *   W2 ping-pong two tasks completing a future the other awaits, 1,000,000   switches/s
 *   W3 yield     1,000 tasks x 1,000 sleep(0)                                  yields/s
 *   W4 memory    100,000 tasks suspended on one future                         heap bytes/task, ms for all stacks
 *   W5 timers    100,000 tasks each sleeping a random 0-100 ms                 lateness p50/p99, total ms
 * </pre>
 *
 * Arguments: {@code --quick} for fewer rounds. The engine mode is whatever the JVM allows (FAST with
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED}); {@code -Dasyncruntime.mode=portable} forces PORTABLE.
 */
public final class EngineBenchmarks {
    /* Enough warm-up for C2 to compile the engine's paths: with fewer, W1 measures the interpreter. */
    private static int warmups = 10;
    private static int rounds = 7;

    private EngineBenchmarks() {
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--quick")) {
            warmups = 3;
            rounds = 3;
        }
        String mode = Async.run(() -> Async.getRunningLoop().engineMode().name());
        System.out.printf(Locale.ROOT, "asyncruntime engine benchmarks: mode=%s, JDK %s, %d cores, %d warm-up + %d measured rounds (median)%n",
                mode, Runtime.version(), Runtime.getRuntime().availableProcessors(), warmups, rounds);
        report("W1 spawn 200k tasks + await", median(EngineBenchmarks::spawn), "tasks/s");
        report("W2 ping-pong 1M switches", median(EngineBenchmarks::pingPong), "switches/s");
        report("W3 1,000 tasks x 1,000 sleep(0)", median(EngineBenchmarks::yields), "yields/s");
        memory();
        timers();
    }

    private static void report(String name, double value, String unit) {
        System.out.printf(Locale.ROOT, "%-34s %,14.0f %s%n", name, value, unit);
    }

    private static double median(DoubleSupplier round) {
        for (int i = 0; i < warmups; i++) {
            round.getAsDouble();
        }
        double[] r = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            r[i] = round.getAsDouble();
        }
        Arrays.sort(r);
        return r[rounds / 2];
    }

    static double spawn() {
        int n = 200_000;
        long t0 = System.nanoTime();
        Async.run(() -> {
            List<Task<Integer>> tasks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int k = i;
                tasks.add(Async.createTask(() -> k));
            }
            long sum = 0;
            for (Task<Integer> t : tasks) {
                sum += t.await();
            }
            return sum;
        });
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    @SuppressWarnings("unchecked")
    static double pingPong() {
        int switches = 1_000_000;
        long t0 = System.nanoTime();
        Async.run(() -> {
            EventLoop loop = Async.getRunningLoop();
            Future<Void>[] inbox = new Future[] {loop.createFuture(), loop.createFuture()};
            Task<Void> a = Async.createTask(() -> {
                for (int i = 0; i < switches / 2; i++) {
                    inbox[1].setResult(null);
                    inbox[0].await();
                    inbox[0] = loop.createFuture();
                }
                return null;
            });
            Task<Void> b = Async.createTask(() -> {
                for (int i = 0; i < switches / 2; i++) {
                    inbox[1].await();
                    inbox[1] = loop.createFuture();
                    inbox[0].setResult(null);
                }
                return null;
            });
            a.await();
            b.await();
            return null;
        });
        return switches / ((System.nanoTime() - t0) / 1e9);
    }

    static double yields() {
        int tasks = 1_000;
        int each = 1_000;
        long t0 = System.nanoTime();
        Async.run(() -> {
            List<Task<Void>> all = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                all.add(Async.createTask(() -> {
                    for (int j = 0; j < each; j++) {
                        Async.sleep(0);
                    }
                    return null;
                }));
            }
            for (Task<Void> t : all) {
                t.await();
            }
            return null;
        });
        return (double) tasks * each / ((System.nanoTime() - t0) / 1e9);
    }

    static void memory() {
        int n = 100_000;
        double[] result = new double[2];
        for (int round = 0; round < 3; round++) {
            long heapBefore = usedHeapAfterGc();
            Async.run(() -> {
                EventLoop loop = Async.getRunningLoop();
                Future<Void> gate = loop.createFuture();
                List<Task<Void>> all = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    all.add(Async.createTask(() -> gate.await()));
                }
                Async.sleep(0);
                Async.sleep(0);
                long heapDuring = usedHeapAfterGc();
                long t0 = System.nanoTime();
                long frames = 0;
                for (Task<Void> t : all) {
                    frames += t.getStack().size();
                }
                double stacksMs = (System.nanoTime() - t0) / 1e6;
                result[0] = (double) (heapDuring - heapBefore) / n;
                result[1] = stacksMs;
                if (frames < n) {
                    throw new IllegalStateException("stacks came back empty");
                }
                gate.setResult(null);
                for (Task<Void> t : all) {
                    t.await();
                }
                return null;
            });
        }
        report("W4 heap per suspended task", result[0], "bytes");
        System.out.printf(Locale.ROOT, "%-34s %,14.0f ms (%.1f us/task)%n", "W4 stacks of 100k suspended tasks",
                result[1], result[1] * 1000 / n);
    }

    static void timers() {
        int n = 100_000;
        double[] p50 = new double[rounds];
        double[] p99 = new double[rounds];
        double[] total = new double[rounds];
        for (int round = -warmups; round < rounds; round++) {
            double[] lateness = new double[n];
            long t0 = System.nanoTime();
            Async.run(() -> {
                SplittableRandom random = new SplittableRandom(42);
                EventLoop loop = Async.getRunningLoop();
                List<Task<Void>> all = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int k = i;
                    double delay = random.nextDouble() * 0.1;
                    all.add(Async.createTask(() -> {
                        double due = loop.time() + delay;
                        Async.sleep(delay);
                        lateness[k] = loop.time() - due;
                        return null;
                    }));
                }
                for (Task<Void> t : all) {
                    t.await();
                }
                return null;
            });
            if (round >= 0) {
                total[round] = (System.nanoTime() - t0) / 1e6;
                Arrays.sort(lateness);
                p50[round] = lateness[n / 2] * 1000;
                p99[round] = lateness[(int) (n * 0.99)] * 1000;
            }
        }
        Arrays.sort(p50);
        Arrays.sort(p99);
        Arrays.sort(total);
        System.out.printf(Locale.ROOT, "%-34s %,14.2f ms p50, %.2f ms p99 (total %.0f ms)%n", "W5 100k timers 0-100 ms lateness",
                p50[rounds / 2], p99[rounds / 2], total[rounds / 2]);
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
