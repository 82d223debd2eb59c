package io.asyncruntime.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs every workload on asyncruntime (FAST, PORTABLE and DIRECT), CPython's asyncio, Node.js and kotlinx.coroutines, and
 * the limit (the JDK's continuations driven directly, {@link ContinuationLimit}), each in processes of its own on
 * the same machine in the same run, then prints one table with the ratios, and runs the growth curves (W1 and W4
 * at 10k, 100k and 1M tasks, a fresh process per point) into a CSV and a PNG plot.
 *
 * <p>Arguments: {@code --quick} for fewer rounds; {@code --no-growth} to skip the curves. Output goes to
 * {@code results/} under the working directory (the benchmarks module when run by {@code benchmarks/run}).
 */
public final class BenchmarkSuite {
    static final String FAST = "asyncruntime FAST";
    static final String FAST_PARALLEL_GC = "asyncruntime FAST, ParallelGC";
    static final String PORTABLE = "asyncruntime PORTABLE";
    static final String DIRECT = "asyncruntime DIRECT";
    static final String CPYTHON = "CPython asyncio";
    static final String NODE = "Node.js";
    static final String KOTLIN = "kotlinx.coroutines";
    static final String LIMIT = "JDK continuations (limit)";
    /* peers/kotlin/CoroutinesBench.kt, compiled by the kotlin-peer profile that benchmarks/run turns on. */
    static final String KOTLIN_MAIN = "io.asyncruntime.benchmarks.peers.CoroutinesBench";
    /* The limit reaches jdk.internal.vm.Continuation, which java.base does not export. */
    static final String LIMIT_FLAGS = "--add-exports java.base/jdk.internal.vm=ALL-UNNAMED";
    static final int[] GROWTH_SIZES = {10_000, 100_000, 1_000_000};
    private static final String ENGINE_MAIN = EngineBenchmarks.class.getName();
    private static final String LIMIT_MAIN = ContinuationLimit.class.getName();
    private static final String FAST_FLAGS = "--add-opens java.base/java.lang=ALL-UNNAMED";
    private static final String PORTABLE_FLAGS = "-Dasyncruntime.mode=portable";
    /* DIRECT is never chosen silently: the property asks for it, and the flag lets the library reach the JDK's
       continuations (FAST's flag stays, so that the run differs from FAST's in the engine only). */
    private static final String DIRECT_FLAGS = FAST_FLAGS + " " + LIMIT_FLAGS + " -Dasyncruntime.mode=direct";

    /*
     * The heap of every JVM of the table: the same size for all, and touched at start-up. Without pre-touching, a
     * young generation that G1 grows hands out memory the OS has never backed, and the first write to each page
     * is a page fault; on a virtual machine that costs enough to dominate the allocation-heavy rounds (DIRECT's W5
     * lateness p99 measured 46-436 ms over runs without it, 38-48 ms with it), and the noise falls hardest on
     * whoever allocates most. Pre-touching takes that out of every JVM row alike.
     */
    static final String HEAP_FLAGS = "-Xms2g -Xmx2g -XX:+AlwaysPreTouch";

    private final String java = ProcessHandle.current().info().command().orElse("java");
    private final String classpath = System.getProperty("java.class.path");
    private final Path peers = Path.of("peers");
    private final Path results = Path.of("results");
    private final boolean quick;

    private BenchmarkSuite(boolean quick) {
        this.quick = quick;
    }

    public static void main(String[] args) throws IOException {
        List<String> arguments = List.of(args);
        BenchmarkSuite suite = new BenchmarkSuite(arguments.contains("--quick"));
        Files.createDirectories(suite.results);
        Map<String, Map<String, Double>> figures = new LinkedHashMap<>();
        List<String> versions = new ArrayList<>();
        versions.add("machine: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", " + memoryGiB() + " GiB; "
                + "load average at the start " + loadAverage() + " (other work on the machine slows every figure)");
        String extra = suite.quick ? "--quick" : null;
        figures.put(FAST, suite.collect(FAST, suite.javaCommand(FAST_FLAGS + " " + HEAP_FLAGS, ENGINE_MAIN, extra), versions));
        // The JVM's default collector (G1) is what a Spring application runs with; the throughput collector shows
        // how much of the engine's cost is the collector's.
        figures.put(FAST_PARALLEL_GC, suite.collect(FAST_PARALLEL_GC, suite.javaCommand(FAST_FLAGS + " " + HEAP_FLAGS + " -XX:+UseParallelGC",
                ENGINE_MAIN, extra), versions));
        figures.put(PORTABLE, suite.collect(PORTABLE, suite.javaCommand(PORTABLE_FLAGS + " " + HEAP_FLAGS, ENGINE_MAIN, extra), versions));
        figures.put(DIRECT, suite.collect(DIRECT, suite.javaCommand(DIRECT_FLAGS + " " + HEAP_FLAGS, ENGINE_MAIN, extra), versions));
        figures.put(CPYTHON, suite.collect(CPYTHON, command("python3", suite.peers.resolve("asyncio_bench.py").toString(), extra), versions));
        figures.put(NODE, suite.collect(NODE, command("node", "--expose-gc", suite.peers.resolve("node_bench.mjs").toString(), extra), versions));
        // Kotlin and the limit run in the same kind of JVM as FAST: same JDK, heap and collector.
        figures.put(KOTLIN, suite.collect(KOTLIN, suite.javaCommand(HEAP_FLAGS, KOTLIN_MAIN, extra), versions));
        figures.put(LIMIT, suite.collect(LIMIT, suite.javaCommand(LIMIT_FLAGS + " " + HEAP_FLAGS, LIMIT_MAIN, extra), versions));

        Map<String, Map<String, Map<Integer, Double>>> growth = new LinkedHashMap<>();
        if (!arguments.contains("--no-growth")) {
            growth = suite.growth();
            // W4's process memory is only meaningful in a fresh process: take the table's figure from the curve.
            for (String runtime : List.of(FAST, CPYTHON, NODE, KOTLIN, LIMIT)) {
                Double rss = growth.getOrDefault(runtime, Map.of()).getOrDefault("W4 rss_bytes_per_task", Map.of()).get(100_000);
                if (rss != null) {
                    figures.get(runtime).put("W4_rss", rss);
                }
            }
        }
        String table = ResultsTable.render(figures, versions);
        System.out.println();
        System.out.println(table);
        Files.writeString(suite.results.resolve("results.md"), table, StandardCharsets.UTF_8);
        if (!growth.isEmpty()) {
            Files.writeString(suite.results.resolve("growth.csv"), GrowthPlot.csv(growth), StandardCharsets.UTF_8);
            GrowthPlot.write(growth, suite.results.resolve("growth.png"));
            System.out.println("Growth curves: results/growth.csv and results/growth.png");
        }
    }

    /* runtime -> "W1 ns_per_task" -> n -> value; a fresh process for every point. */
    private Map<String, Map<String, Map<Integer, Double>>> growth() {
        Map<String, Map<String, Map<Integer, Double>>> curves = new LinkedHashMap<>();
        for (int n : GROWTH_SIZES) {
            for (String workload : List.of("W1", "W4")) {
                String size = String.valueOf(n);
                // Room for a million suspended tasks; no -Xms, so that untouched heap does not count as resident.
                record(curves, FAST, collectGrowth(javaCommand(FAST_FLAGS + " -Xmx8g", ENGINE_MAIN, "--growth", workload, size)));
                record(curves, CPYTHON, collectGrowth(command("python3", peers.resolve("asyncio_bench.py").toString(), "--growth", workload, size)));
                record(curves, NODE, collectGrowth(command("node", "--expose-gc", "--max-old-space-size=8192",
                        peers.resolve("node_bench.mjs").toString(), "--growth", workload, size)));
                record(curves, KOTLIN, collectGrowth(javaCommand("-Xmx8g", KOTLIN_MAIN, "--growth", workload, size)));
                record(curves, LIMIT, collectGrowth(javaCommand(LIMIT_FLAGS + " -Xmx8g", LIMIT_MAIN, "--growth", workload, size)));
            }
        }
        return curves;
    }

    private static void record(Map<String, Map<String, Map<Integer, Double>>> curves, String runtime, List<String[]> points) {
        for (String[] p : points) {
            // GROWTH <workload> <n> <metric> <value>
            curves.computeIfAbsent(runtime, r -> new LinkedHashMap<>())
                    .computeIfAbsent(p[1] + " " + p[3], m -> new TreeMap<>())
                    .put(Integer.parseInt(p[2]), Double.parseDouble(p[4]));
        }
    }

    /* A JVM on the suite's own JDK and class path; null when the main class was not built (the Kotlin peer). */
    private List<String> javaCommand(String flags, String main, String... args) {
        try {
            Class.forName(main, false, BenchmarkSuite.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(List.of(flags.split(" ")));
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(main);
        for (String a : args) {
            if (a != null) {
                cmd.add(a);
            }
        }
        return cmd;
    }

    private static List<String> command(String... parts) {
        List<String> cmd = new ArrayList<>();
        for (String p : parts) {
            if (p != null) {
                cmd.add(p);
            }
        }
        return cmd;
    }

    /*
     * Runs a benchmark process, echoing its output, and returns its RESULT figures; empty if it cannot run. A process
     * that fails part-way keeps the figures it printed before (each is a finished measurement), and the failure is
     * noted under the table.
     */
    private Map<String, Double> collect(String label, List<String> cmd, List<String> versions) {
        Map<String, Double> figures = new LinkedHashMap<>();
        List<String> lines = run(cmd);
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[0].equals("RESULT")) {
                figures.put(f[1], Double.parseDouble(f[2]));
            } else if (!line.isBlank() && figures.isEmpty() && !line.startsWith("WARNING")
                    && (line.startsWith("asyncruntime ") || line.startsWith("CPython") || line.startsWith("Node.js")
                            || line.startsWith("kotlinx.coroutines ") || line.startsWith("JDK continuations"))) {
                versions.add(label + ": " + line.trim());
            }
        }
        if (!lines.isEmpty() && lines.getLast().startsWith(EXITED)) {
            versions.add(label + ": " + lines.getLast().trim() + " after " + String.join(", ", figures.keySet())
                    + "; the figures after those are missing");
        }
        return figures;
    }

    private List<String[]> collectGrowth(List<String> cmd) {
        List<String[]> points = new ArrayList<>();
        for (String line : run(cmd)) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 5 && f[0].equals("GROWTH")) {
                points.add(f);
            }
        }
        return points;
    }

    private static final String EXITED = "failed: exited with ";

    private static List<String> run(List<String> cmd) {
        if (cmd == null) {
            System.out.println("== " + KOTLIN_MAIN + " is not built (benchmarks/run builds it with -Pkotlin-peer); its figures are left out");
            return List.of();
        }
        System.out.println("== " + String.join(" ", cmd.stream().map(BenchmarkSuite::shortened).toList()));
        List<String> lines = new ArrayList<>();
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    System.out.println("   " + line);
                    lines.add(line);
                }
            }
            int exit = p.waitFor();
            if (exit != 0) {
                String failed = EXITED + exit;
                System.out.println("   " + failed + "; the figures it printed before are kept");
                lines.add(failed);
            }
        } catch (IOException e) {
            System.out.println("   (could not run: " + e.getMessage() + "; its figures are left out)");
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted", e));
        }
        return lines;
    }

    /* The CPU's model name, as lscpu shows it. */
    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return System.getProperty("os.arch");
        }
        return System.getProperty("os.arch");
    }

    /* The 1-minute load average: above the core count, the run shared the CPUs with other work. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String memoryGiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return String.valueOf(Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0));
                }
            }
        } catch (IOException e) {
            return "?";
        }
        return "?";
    }

    private static String shortened(String arg) {
        return arg.length() > 80 ? arg.substring(0, 40) + "..." : arg;
    }

    static String format(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }
}
