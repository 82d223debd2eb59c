package io.asyncruntime.demo;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.EventLoop;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Measures what the tasks console's live updates cost the event loop with 100,000 live tasks: not a test (speed is
 * measured, never asserted), run by hand, as the README's "In production" section says:
 *
 * <pre>
 * ./mvnw -q -pl demo-app -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java --add-opens java.base/java.lang=ALL-UNNAMED -cp demo-app/target/test-classes:demo-app/target/classes:$(cat demo-app/target/cp.txt) \
 *     io.asyncruntime.demo.ConsoleRefreshCost [tasks] [seconds per phase]
 * </pre>
 *
 * <p>It starts the demo on a free port, creates the tasks (hour-long sleepers) in one step of the loop, and probes
 * the loop every 10 ms (how late each probe callback runs) while, in turn: nothing reads the endpoint; one console
 * refreshes at the default interval (2 s); one at the shortest allowed (0.5 s); refreshes back to back (the worst
 * case, as many consoles at once would). A refresh is the requests an open console makes: a page of 100 tasks,
 * {@code current}, the finished list, one task in detail and three meters.
 *
 * <p>Threading: the main thread drives the HTTP requests; the probe runs on the loop.
 */
public final class ConsoleRefreshCost {
    private ConsoleRefreshCost() {
    }

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        ConfigurableApplicationContext app = SpringApplication.run(DemoApplication.class, "--server.port=0",
                "--logging.level.root=warn", "--async.runtime.history-size=200");
        try {
            AsyncRuntime runtime = app.getBean(AsyncRuntime.class);
            int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
            runtime.run(() -> {
                for (int i = 0; i < tasks; i++) {
                    runtime.createTask(() -> {
                        Async.sleep(3600);
                        return null;
                    }, "idle-" + i);
                }
                return null;
            }, "create-tasks");
            long someTask = runtime.loop().allTasks().iterator().next().getId();
            Console console = new Console("http://localhost:" + port + "/actuator/", someTask);
            for (int i = 0; i < 20; i++) {
                console.refresh(); // warm up the JIT on the request path
            }
            System.out.printf(Locale.ROOT, "%,d live tasks, %d s a phase, %d cores%n", runtime.loop().taskCount(),
                    seconds, Runtime.getRuntime().availableProcessors());
            System.out.println("| console | refreshes | ms per refresh (median) | loop lateness p50 / p99 / max, ms |");
            System.out.println("| --- | ---: | ---: | --- |");
            phase("none", runtime.loop(), seconds, console, -1);
            phase("one, every 2 s", runtime.loop(), seconds, console, 2000);
            phase("one, every 0.5 s", runtime.loop(), seconds, console, 500);
            phase("back to back", runtime.loop(), seconds, console, 0);
        } finally {
            app.close();
        }
    }

    private static void phase(String name, EventLoop loop, int seconds, Console console, long intervalMillis)
            throws Exception {
        Probe probe = new Probe(loop, seconds * 100);
        probe.start();
        List<Double> refreshMillis = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (intervalMillis >= 0 && System.nanoTime() < end) {
            long start = System.nanoTime();
            console.refresh();
            refreshMillis.add((System.nanoTime() - start) / 1e6);
            long sleep = intervalMillis - (System.nanoTime() - start) / 1_000_000;
            if (sleep > 0) {
                Thread.sleep(sleep);
            }
        }
        probe.done.await();
        double[] late = probe.lateness();
        refreshMillis.sort(null);
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %.2f / %.2f / %.1f |%n", name, refreshMillis.size(),
                refreshMillis.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.1f", refreshMillis.get(refreshMillis.size() / 2)),
                pct(late, 0.50), pct(late, 0.99), late[late.length - 1]);
    }

    private static double pct(double[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))];
    }

    /** The requests one refresh of an open console makes (console.js refresh()). */
    private record Console(String base, long taskId, HttpClient client) {
        Console(String base, long taskId) {
            this(base, taskId, HttpClient.newHttpClient());
        }

        void refresh() throws Exception {
            get("tasks?offset=0&limit=100&sort=id");
            get("tasks/current");
            get("tasks/finished?limit=50");
            get("tasks/" + taskId);
            for (String meter : List.of("async.loop.latency", "async.loop.lag", "async.tasks.active")) {
                get("metrics/" + meter + "?tag=loop:demo-loop");
            }
        }

        private void get(String path) throws Exception {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(r.statusCode() + " from " + path);
            }
        }
    }

    /** A callback every 10 ms on the loop, recording how late each ran. Threading: runs on the loop. */
    private static final class Probe {
        private final EventLoop loop;
        private final double[] late;
        private int n;
        final CountDownLatch done = new CountDownLatch(1);

        Probe(EventLoop loop, int samples) {
            this.loop = loop;
            this.late = new double[samples];
        }

        void start() {
            loop.callSoonThreadsafe(this::next);
        }

        private void next() {
            double due = loop.time() + 0.010;
            loop.callAt(due, () -> {
                late[n++] = (loop.time() - due) * 1000;
                if (n < late.length) {
                    next();
                } else {
                    done.countDown();
                }
            });
        }

        double[] lateness() {
            double[] copy = Arrays.copyOf(late, n);
            Arrays.sort(copy);
            return copy;
        }
    }
}
