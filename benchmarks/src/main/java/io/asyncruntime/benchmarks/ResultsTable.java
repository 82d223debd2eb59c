package io.asyncruntime.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one table of the benchmark run, in Markdown: every workload's figure on each runtime, and how many times
 * better asyncruntime's FAST engine does than each peer and than the limit (above 1: ours is better, whichever way
 * the unit points), and PORTABLE against Kotlin and the limit. The limit has figures only where it means something
 * (W1, W2, W3, W4 memory); its other cells show "—".
 */
final class ResultsTable {

    private record Row(String key, String label, String unit, boolean higherIsBetter) {
    }

    private static final List<Row> ROWS = List.of(
            new Row("W1", "W1 spawn 200k trivial tasks, all awaited", "tasks/s", true),
            new Row("W1_eager", "W1 with eager start (asyncio 3.12+ eager task factory)", "tasks/s", true),
            new Row("W2", "W2 ping-pong, 1M switches", "switches/s", true),
            new Row("W3", "W3 1,000 tasks × 1,000 sleep(0)", "yields/s", true),
            new Row("W4_heap", "W4 heap per suspended task (100k)", "bytes", false),
            new Row("W4_rss", "W4 RSS per suspended task (100k, fresh process)", "bytes", false),
            new Row("W4_stacks", "W4 stacks of all 100k suspended tasks", "ms", false),
            new Row("W5_p50", "W5 100k timers 0–100 ms: lateness p50", "ms", false),
            new Row("W5_p99", "W5 100k timers 0–100 ms: lateness p99", "ms", false),
            new Row("W5_total", "W5 100k timers 0–100 ms: total", "ms", false),
            new Row("W6_page", "W6 task list, first page, 100k live tasks", "ms/call", false),
            new Row("W6_full", "W6 task list, all 100k (pages of 10,000)", "ms/page", false),
            new Row("W6_metrics", "W6 loop meters on W2 (on vs off)", "% slower", false));

    private static final List<String> RUNTIMES = List.of(BenchmarkSuite.FAST, BenchmarkSuite.FAST_PARALLEL_GC,
            BenchmarkSuite.PORTABLE, BenchmarkSuite.DIRECT, BenchmarkSuite.CPYTHON, BenchmarkSuite.NODE, BenchmarkSuite.KOTLIN, BenchmarkSuite.LIMIT);

    private record Ratio(String ours, String peer, String heading) {
    }

    private static final List<Ratio> RATIOS = List.of(
            new Ratio(BenchmarkSuite.FAST, BenchmarkSuite.CPYTHON, "FAST vs CPython"),
            new Ratio(BenchmarkSuite.FAST, BenchmarkSuite.NODE, "FAST vs Node.js"),
            new Ratio(BenchmarkSuite.FAST, BenchmarkSuite.KOTLIN, "FAST vs Kotlin"),
            new Ratio(BenchmarkSuite.FAST, BenchmarkSuite.LIMIT, "FAST vs limit"),
            new Ratio(BenchmarkSuite.PORTABLE, BenchmarkSuite.KOTLIN, "PORTABLE vs Kotlin"),
            new Ratio(BenchmarkSuite.PORTABLE, BenchmarkSuite.LIMIT, "PORTABLE vs limit"),
            new Ratio(BenchmarkSuite.DIRECT, BenchmarkSuite.KOTLIN, "DIRECT vs Kotlin"),
            new Ratio(BenchmarkSuite.DIRECT, BenchmarkSuite.LIMIT, "DIRECT vs limit"));

    /* The workloads the limit defines; the others are not a question one can ask of bare continuations. */
    private static final Set<String> LIMIT_ROWS = Set.of("W1", "W2", "W3", "W4_heap", "W4_rss");

    private ResultsTable() {
    }

    static String render(Map<String, Map<String, Double>> figures, List<String> versions) {
        StringBuilder b = new StringBuilder();
        b.append("| workload | unit | ").append(String.join(" | ", RUNTIMES)).append(" | ")
                .append(String.join(" | ", RATIOS.stream().map(Ratio::heading).toList())).append(" |\n");
        b.append("| --- | --- |").append(" ---: |".repeat(RUNTIMES.size() + RATIOS.size())).append('\n');
        for (Row row : ROWS) {
            boolean limitDefined = LIMIT_ROWS.contains(row.key);
            b.append("| ").append(row.label).append(" | ").append(row.unit);
            for (String runtime : RUNTIMES) {
                boolean blank = runtime.equals(BenchmarkSuite.LIMIT) && !limitDefined;
                b.append(" | ").append(blank ? "—" : number(value(figures, runtime, row.key)));
            }
            for (Ratio r : RATIOS) {
                boolean blank = r.peer.equals(BenchmarkSuite.LIMIT) && !limitDefined;
                b.append(" | ").append(blank ? "—"
                        : ratio(value(figures, r.ours, row.key), value(figures, r.peer, row.key), row.higherIsBetter));
            }
            b.append(" |\n");
        }
        b.append("\nRatios: how many times better asyncruntime (FAST on the JVM's default collector, G1, PORTABLE or DIRECT) does "
                + "than the peer (above 1 is better, for rates and for costs alike); n/a where a peer has no equivalent or "
                + "did not run. Against the limit a ratio is the share of it reached (0.50× = half the limit's rate, or "
                + "twice its memory). The limit is the JDK's continuations driven directly by a loop, nothing else "
                + "(W1: created, then each run once; W2: two run in turn, each yielding after every step; W3: 1,000 × "
                + "1,000 yields round robin; W4: each suspended at its first yield): the most an engine built on them can "
                + "reach; — where it defines no figure. Kotlin is kotlinx.coroutines in runBlocking on one thread, in the "
                + "same kind of JVM as FAST.\n\n");
        for (String v : versions) {
            b.append("- ").append(v).append('\n');
        }
        return b.toString();
    }

    private static Double value(Map<String, Map<String, Double>> figures, String runtime, String key) {
        return figures.getOrDefault(runtime, Map.of()).get(key);
    }

    static String number(Double v) {
        if (v == null) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2f M", v / 1e6);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String ratio(Double ours, Double peer, boolean higherIsBetter) {
        if (ours == null || peer == null || ours <= 0 || peer <= 0) {
            return "n/a";
        }
        double r = higherIsBetter ? ours / peer : peer / ours;
        return String.format(Locale.ROOT, "%.2f×", r);
    }
}
