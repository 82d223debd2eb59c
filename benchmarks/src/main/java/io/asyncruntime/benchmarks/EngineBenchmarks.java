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
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * The five engine workloads of the core issue, each run with warm-up rounds and then measured rounds
 * whose median is printed with its unit.
 *
 * <pre>
 *   W1 spawn     200,000 tasks returning a trivial value, all awaited          tasks/s
 *   W1_eager     the same with eager start (EventLoop.setEagerStart)         tasks/s
 *   W2 ping-pong two tasks completing a future the other awaits, 1,000,000   switches/s
 *   W3 yield     1,000 tasks x 1,000 sleep(0)                                  yields/s
 *   W4 memory    100,000 tasks suspended on one future                         heap bytes/task, ms for all stacks
 *   W5 timers    100,000 tasks each sleeping a random 0-100 ms                 lateness p50/p99, total ms
 * </pre>
 *
 * Every figure is printed as a line {@code RESULT <key> <value> <unit>} that {@link BenchmarkSuite} collects into
 * its table beside the same workloads on CPython and Node.js ({@code benchmarks/peers}).
 *
 * <p>Arguments: {@code --quick} for fewer rounds; {@code --growth W1|W4 N} for one point of the growth curve (in
 * a fresh JVM, so that process memory means something); {@code --only W2,W5} for some workloads (to profile one). The engine mode is whatever the JVM allows (FAST with
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED}); {@code -Dasyncruntime.mode=portable} forces PORTABLE, and {@code -Dasyncruntime.mode=direct} (with
 * {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}) asks for DIRECT.
 */
public final class EngineBenchmarks {
    /* Enough warm-up for C2 to compile the engine's paths: with fewer, W1 measures the interpreter. */
    private static int warmups = 10;
    private static int rounds = 7;

    private EngineBenchmarks() {
    }

    public static void main(String[] args) {
        List<String> arguments = Arrays.asList(args);
        int growth = arguments.indexOf("--growth");
        if (growth >= 0) {
            growth(arguments.get(growth + 1), Integer.parseInt(arguments.get(growth + 2)));
            return;
        }
        if (arguments.contains("--quick")) {
            warmups = 3;
            rounds = 3;
        }
        String mode = Async.run(() -> Async.getRunningLoop().engineMode().name());
        System.out.printf(Locale.ROOT, "asyncruntime %s mode, JDK %s, %d cores, %d warm-up + %d measured rounds (median)%n",
                mode, Runtime.version(), Runtime.getRuntime().availableProcessors(), warmups, rounds);
        int only = arguments.indexOf("--only");
        Set<String> selected = only >= 0 ? Set.of(arguments.get(only + 1).split(",")) : Set.of("W1", "W2", "W3", "W4", "W5", "W6");
        if (selected.contains("W1")) {
            result("W1", median(EngineBenchmarks::spawn), "tasks/s");
            result("W1_eager", median(() -> spawn(200_000, true)), "tasks/s");
        }
        if (selected.contains("W2")) {
            result("W2", median(EngineBenchmarks::pingPong), "switches/s");
        }
        if (selected.contains("W3")) {
            result("W3", median(EngineBenchmarks::yields), "yields/s");
        }
        if (selected.contains("W4")) {
            memory();
        }
        if (selected.contains("W5")) {
            timers();
        }
        if (selected.contains("W6")) {
            IntrospectionBenchmarks.run(warmups, rounds);
        }
    }

    static void result(String key, double value, String unit) {
        System.out.printf(Locale.ROOT, "RESULT %s %.6g %s%n", key, value, unit);
    }

    /* One point of a growth curve: W1's time per task or W4's memory per suspended task at n tasks. */
    private static void growth(String workload, int n) {
        switch (workload) {
            case "W1" -> {
                // A 1M-task round is long enough to warm itself; smaller ones need the usual warm-up.
                warmups = n >= 1_000_000 ? 2 : 10;
                rounds = n >= 1_000_000 ? 3 : 7;
                double perSecond = median(() -> spawn(n));
                System.out.printf(Locale.ROOT, "GROWTH W1 %d ns_per_task %.6g%n", n, 1e9 / perSecond);
            }
            case "W4" -> {
                long rssBefore = rssBytes();
                long heapBefore = usedHeapAfterGc();
                Async.run(() -> {
                    Future<Void> gate = Async.getRunningLoop().createFuture();
                    List<Task<Void>> all = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        all.add(Async.createTask(() -> gate.await()));
                    }
                    Async.sleep(0);
                    Async.sleep(0);
                    long heap = usedHeapAfterGc() - heapBefore;
                    long rss = rssBytes() - rssBefore;
                    System.out.printf(Locale.ROOT, "GROWTH W4 %d heap_bytes_per_task %.6g%n", n, (double) heap / n);
                    System.out.printf(Locale.ROOT, "GROWTH W4 %d rss_bytes_per_task %.6g%n", n, (double) rss / n);
                    gate.setResult(null);
                    for (Task<Void> t : all) {
                        t.await();
                    }
                    return null;
                });
            }
            default -> throw new IllegalArgumentException("unknown growth workload " + workload);
        }
    }

    /* The process's resident set size, as the kernel counts it (the peers read the same line). */
    static long rssBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    static double median(DoubleSupplier round) {
        return median(warmups, rounds, round);
    }

    static double median(int warmups, int rounds, DoubleSupplier round) {
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
        return spawn(200_000);
    }

    static double spawn(int n) {
        return spawn(n, false);
    }

    /* eager: every task starts inside createTask (EventLoop.setEagerStart), as with asyncio's eager task factory. */
    static double spawn(int n, boolean eager) {
        long t0 = System.nanoTime();
        Async.run(() -> {
            Async.getRunningLoop().setEagerStart(eager);
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

    static double pingPong() {
        return pingPong(null);
    }

    /* With a loop customizer (metrics bound, say) applied to the loop before the two tasks start. */
    @SuppressWarnings("unchecked")
    static double pingPong(java.util.function.Consumer<EventLoop> onLoop) {
        int switches = 1_000_000;
        long t0 = System.nanoTime();
        Async.run(() -> {
            EventLoop loop = Async.getRunningLoop();
            if (onLoop != null) {
                onLoop.accept(loop);
            }
            // Java cannot create a Future<Void>[]; both slots only ever hold loop.createFuture() results.
            @SuppressWarnings("rawtypes")
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
            // gather, not a.await() then b.await(): if one side fails, the other would wait for it forever.
            Async.gather(a, b).await();
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
        result("W4_heap", result[0], "bytes/task");
        result("W4_stacks", result[1], "ms");
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
        result("W5_p50", p50[rounds / 2], "ms");
        result("W5_p99", p99[rounds / 2], "ms");
        result("W5_total", total[rounds / 2], "ms");
    }

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
