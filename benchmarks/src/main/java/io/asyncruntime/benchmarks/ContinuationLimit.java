package io.asyncruntime.benchmarks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The limit row: the JDK's own continuations ({@code jdk.internal.vm.Continuation}) driven directly by a loop,
 * with nothing else around them (no task, no future, no ready-queue record, no virtual thread). Every engine built
 * on JDK continuations, FAST included, pays at least this per spawn and per switch, so it is the most such an
 * engine can reach on this machine. A measurement only: the class is internal to the JDK and needs
 * {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}; nothing in the product uses it.
 *
 * <pre>
 *   W1       200,000 continuations created, then each run once to its end         continuations/s
 *   W2       two continuations run in turn by a loop, each yielding after a step,
 *            1,000,000 runs (one run = one resume and one yield = one switch)     switches/s
 *   W3       1,000 continuations x 1,000 yields, round robin through a queue      yields/s
 *   W4_heap  100,000 continuations each suspended at its first yield               heap bytes/continuation
 * </pre>
 *
 * The workloads W1_eager, W4_stacks and W5 have no meaning here. Arguments: {@code --quick} for fewer rounds;
 * {@code --growth W1|W4 N} for one point of the growth curve. Prints the same {@code RESULT} and {@code GROWTH}
 * lines as {@link EngineBenchmarks}.
 */
public final class ContinuationLimit {
    /*
     * Method handles instead of compiled references: javac refuses --add-exports of a JDK package together with
     * --release 21, which the build sets. Held in static finals, C2 treats them as constants and inlines the call
     * as if it were direct, so they cost nothing in the measured loops.
     */
    private static final MethodHandle NEW_CONTINUATION;
    private static final MethodHandle RUN;
    private static final MethodHandle IS_DONE;
    private static final MethodHandle YIELD;
    private static final Object SCOPE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Class<?> scope = Class.forName("jdk.internal.vm.ContinuationScope");
            Class<?> continuation = Class.forName("jdk.internal.vm.Continuation");
            SCOPE = lookup.findConstructor(scope, MethodType.methodType(void.class, String.class)).invoke("limit");
            NEW_CONTINUATION = lookup.findConstructor(continuation, MethodType.methodType(void.class, scope, Runnable.class))
                    .asType(MethodType.methodType(Object.class, Object.class, Runnable.class));
            RUN = lookup.findVirtual(continuation, "run", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            IS_DONE = lookup.findVirtual(continuation, "isDone", MethodType.methodType(boolean.class))
                    .asType(MethodType.methodType(boolean.class, Object.class));
            YIELD = lookup.findStatic(continuation, "yield", MethodType.methodType(boolean.class, scope))
                    .asType(MethodType.methodType(boolean.class, Object.class));
        } catch (Throwable e) {
            throw new ExceptionInInitializerError(new IllegalStateException(
                    "jdk.internal.vm.Continuation is not reachable: run with --add-exports java.base/jdk.internal.vm=ALL-UNNAMED", e));
        }
    }

    private static int warmups = 10;
    private static int rounds = 7;

    private ContinuationLimit() {
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
        System.out.printf(Locale.ROOT, "JDK continuations, driven directly (the limit), JDK %s, %d cores, %d warm-up + %d measured rounds (median)%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), warmups, rounds);
        EngineBenchmarks.result("W1", EngineBenchmarks.median(warmups, rounds, () -> spawn(200_000)), "continuations/s");
        EngineBenchmarks.result("W2", EngineBenchmarks.median(warmups, rounds, ContinuationLimit::pingPong), "switches/s");
        EngineBenchmarks.result("W3", EngineBenchmarks.median(warmups, rounds, ContinuationLimit::yields), "yields/s");
        double heap = 0;
        for (int round = 0; round < 3; round++) {
            heap = heapPerSuspended(100_000);
        }
        EngineBenchmarks.result("W4_heap", heap, "bytes/continuation");
    }

    private static void growth(String workload, int n) {
        switch (workload) {
            case "W1" -> {
                double perSecond = EngineBenchmarks.median(n >= 1_000_000 ? 2 : 10, n >= 1_000_000 ? 3 : 7, () -> spawn(n));
                System.out.printf(Locale.ROOT, "GROWTH W1 %d ns_per_task %.6g%n", n, 1e9 / perSecond);
            }
            case "W4" -> {
                long rssBefore = EngineBenchmarks.rssBytes();
                double heap = heapPerSuspended(n, () -> System.out.printf(Locale.ROOT, "GROWTH W4 %d rss_bytes_per_task %.6g%n",
                        n, (double) (EngineBenchmarks.rssBytes() - rssBefore) / n));
                System.out.printf(Locale.ROOT, "GROWTH W4 %d heap_bytes_per_task %.6g%n", n, heap);
            }
            default -> throw new IllegalArgumentException("unknown growth workload " + workload);
        }
    }

    /* W1: create n continuations with a trivial body, then run each once to its end. */
    static double spawn(int n) {
        long t0 = System.nanoTime();
        int[] values = new int[n];
        Object[] all = new Object[n];
        for (int i = 0; i < n; i++) {
            int k = i;
            all[i] = create(() -> values[k] = k);
        }
        long sum = 0;
        for (int i = 0; i < n; i++) {
            run(all[i]);
            sum += values[i];
        }
        check(sum == (long) n * (n - 1) / 2);
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    /* W2: two continuations, each yielding after every step; the loop resumes them in turn. */
    static double pingPong() {
        int switches = 1_000_000;
        Runnable side = () -> {
            for (int i = 0; i < switches / 2; i++) {
                yieldNow();
            }
        };
        long t0 = System.nanoTime();
        Object a = create(side);
        Object b = create(side);
        int runs = 0;
        while (!isDone(a) || !isDone(b)) {
            run(a);
            run(b);
            runs += 2;
        }
        double rate = switches / ((System.nanoTime() - t0) / 1e9);
        // switches/2 yields each, and one last run each that returns from the body.
        check(runs == switches + 2);
        return rate;
    }

    /* W3: 1,000 continuations x 1,000 yields; a FIFO queue plays the ready queue. */
    static double yields() {
        int count = 1_000;
        int each = 1_000;
        Runnable body = () -> {
            for (int j = 0; j < each; j++) {
                yieldNow();
            }
        };
        long t0 = System.nanoTime();
        ArrayDeque<Object> ready = new ArrayDeque<>(count);
        for (int i = 0; i < count; i++) {
            ready.add(create(body));
        }
        for (Object c; (c = ready.poll()) != null; ) {
            run(c);
            if (!isDone(c)) {
                ready.add(c);
            }
        }
        return (double) count * each / ((System.nanoTime() - t0) / 1e9);
    }

    static double heapPerSuspended(int n) {
        return heapPerSuspended(n, () -> { });
    }

    /* W4: n continuations each suspended at its first yield: used heap after GC, before and after, per one. */
    static double heapPerSuspended(int n, Runnable whileSuspended) {
        Runnable body = ContinuationLimit::yieldNow;
        long before = EngineBenchmarks.usedHeapAfterGc();
        Object[] all = new Object[n];
        for (int i = 0; i < n; i++) {
            all[i] = create(body);
            run(all[i]);
        }
        double perContinuation = (double) (EngineBenchmarks.usedHeapAfterGc() - before) / n;
        whileSuspended.run();
        for (Object c : all) {
            run(c);
            check(isDone(c));
        }
        return perContinuation;
    }

    private static Object create(Runnable body) {
        try {
            return NEW_CONTINUATION.invokeExact(SCOPE, body);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static void run(Object continuation) {
        try {
            RUN.invokeExact(continuation);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isDone(Object continuation) {
        try {
            return (boolean) IS_DONE.invokeExact(continuation);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static void yieldNow() {
        boolean yielded;
        try {
            yielded = (boolean) YIELD.invokeExact(SCOPE);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        check(yielded);
    }

    private static void check(boolean condition) {
        if (!condition) {
            throw new IllegalStateException("the workload did not do what it should");
        }
    }
}
