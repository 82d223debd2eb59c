package io.asyncruntime.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one table of the benchmark run, in Markdown: every workload's figure on each runtime, and how many times
 * better asyncruntime's FAST engine does than each peer (above 1: ours is better, whichever way the unit points).
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
            BenchmarkSuite.PORTABLE, BenchmarkSuite.CPYTHON, BenchmarkSuite.NODE);

    private ResultsTable() {
    }

    static String render(Map<String, Map<String, Double>> figures, List<String> versions) {
        StringBuilder b = new StringBuilder();
        b.append("| workload | unit | ").append(String.join(" | ", RUNTIMES)).append(" | FAST vs CPython | FAST vs Node.js |\n");
        b.append("| --- | --- |").append(" ---: |".repeat(RUNTIMES.size() + 2)).append('\n');
        for (Row row : ROWS) {
            Double ours = value(figures, BenchmarkSuite.FAST, row.key);
            b.append("| ").append(row.label).append(" | ").append(row.unit);
            for (String runtime : RUNTIMES) {
                b.append(" | ").append(number(value(figures, runtime, row.key)));
            }
            for (String peer : List.of(BenchmarkSuite.CPYTHON, BenchmarkSuite.NODE)) {
                b.append(" | ").append(ratio(ours, value(figures, peer, row.key), row.higherIsBetter));
            }
            b.append(" |\n");
        }
        b.append("\nRatios: how many times better asyncruntime FAST, on the JVM's default collector (G1), does than the "
                + "peer (above 1 is better, for rates and for costs alike); n/a where a peer has no equivalent.\n\n");
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
