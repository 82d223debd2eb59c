package io.asyncruntime.benchmarks;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Future;
import io.asyncruntime.debug.TaskHistory;
import io.asyncruntime.spring.actuate.TasksEndpoint;
import io.asyncruntime.spring.actuate.TasksEndpoint.TasksReport;
import io.asyncruntime.spring.metrics.EventLoopMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;

/**
 * W6: what looking costs. The Actuator task list over 100,000 live tasks (the endpoint object called directly,
 * as the web layer calls it, without HTTP in between), and the cost of the loop meters on W2.
 *
 * <pre>
 *   W6_page     GET /actuator/tasks: the first page (100 tasks) and the total           ms per call
 *   W6_full     the whole list, 10 pages of 10,000                                      ms per page
 *   W6_metrics  W2 ping-pong with the starter's EventLoopMetrics bound vs not             percent slower
 * </pre>
 */
final class IntrospectionBenchmarks {
    private static final int TASKS = 100_000;

    private IntrospectionBenchmarks() {
    }

    static void run(int warmups, int rounds) {
        try (AsyncRuntime runtime = AsyncRuntime.start("introspection-bench")) {
            TaskHistory history = TaskHistory.attach(runtime.loop(), 100);
            TasksEndpoint endpoint = new TasksEndpoint(runtime, history, Show.ALWAYS, Set.of());
            Future<Void> gate = runtime.run(() -> {
                Future<Void> g = Async.getRunningLoop().createFuture();
                for (int i = 0; i < TASKS; i++) {
                    Async.createTask(() -> g.await(), "worker-" + i);
                }
                Async.sleep(0);
                return g;
            });
            double page = EngineBenchmarks.median(() -> timeMillis(() -> {
                TasksReport report = endpoint.tasks(SecurityContext.NONE, null, null, null, null);
                check(report.total() >= TASKS && report.tasks().size() == 100);
            }));
            double fullPerPage = EngineBenchmarks.median(() -> timeMillis(() -> {
                int seen = 0;
                for (int offset = 0; offset < TASKS; offset += 10_000) {
                    seen += endpoint.tasks(SecurityContext.NONE, null, null, String.valueOf(offset), "10000").tasks().size();
                }
                check(seen >= TASKS);
            }) / (TASKS / 10_000));
            EngineBenchmarks.result("W6_page", page, "ms");
            EngineBenchmarks.result("W6_full", fullPerPage, "ms/page");
            runtime.loop().callSoonThreadsafe(() -> gate.setResult(null));
        }
        EngineBenchmarks.result("W6_metrics", metricsOverheadPercent(warmups, rounds), "percent");
    }

    /*
     * W2 with and without the meters, alternating so that drift of the machine hits both alike; the overhead is
     * the relative loss of the median switch rate.
     */
    private static double metricsOverheadPercent(int warmups, int rounds) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        for (int i = 0; i < warmups; i++) {
            EngineBenchmarks.pingPong();
            EngineBenchmarks.pingPong(loop -> bind(loop, registry));
        }
        double[] without = new double[rounds];
        double[] with = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            without[i] = EngineBenchmarks.pingPong();
            with[i] = EngineBenchmarks.pingPong(loop -> bind(loop, registry));
        }
        Arrays.sort(without);
        Arrays.sort(with);
        return (without[rounds / 2] - with[rounds / 2]) / without[rounds / 2] * 100;
    }

    private static void bind(io.asyncruntime.EventLoop loop, SimpleMeterRegistry registry) {
        // As the starter binds them: task hooks, stall hooks and the 100 ms latency probe.
        new EventLoopMetrics(loop, Duration.ofMillis(100), List.of()).bindTo(registry);
    }

    private static double timeMillis(Runnable call) {
        long t0 = System.nanoTime();
        call.run();
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void check(boolean ok) {
        if (!ok) {
            throw new IllegalStateException("the task list did not return what was asked");
        }
    }
}
