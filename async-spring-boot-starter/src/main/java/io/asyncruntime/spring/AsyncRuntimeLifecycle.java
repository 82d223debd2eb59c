package io.asyncruntime.spring;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Drains the {@link AsyncRuntime} gracefully when the application context stops: cancels the tasks still
 * pending, waits up to the shutdown timeout, and ends with one line that accounts for every task seen since
 * shutdown began (finished, cancelled, abandoned). The loop itself keeps running (a stopped context may be
 * started again, as the test framework's context cache does) and is closed when the bean is destroyed.
 *
 * <p>Its phase is below the web server's start/stop phase, so the loop stops only after in-flight requests,
 * which may be awaiting tasks, have drained. While they drain, {@link GracefulShutdownNarrator} says what the
 * server waits for and hands this bean the tasks it saw, so the closing line also counts those that finished
 * during the wait.
 *
 * <p>Threading: {@link #start()}, {@link #stop()} and {@link #destroy()} are called by the context's lifecycle
 * processor, one call at a time; {@link #shutdownBegins} by the narrator, before {@link #stop()}.
 */
public class AsyncRuntimeLifecycle implements SmartLifecycle, DisposableBean {
    /** Stops after the web server (graceful shutdown at DEFAULT_PHASE - 1024, start/stop at DEFAULT_PHASE - 2048). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

    /** The message every task still running at shutdown is cancelled with. */
    public static final String CANCEL_MESSAGE = "application context is stopping";

    private static final int NAMES_LOGGED = 20;

    /* How long the close after a drain waits for the loop (see destroy). */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

    private static final Log logger = LogFactory.getLog(AsyncRuntimeLifecycle.class);

    private final AsyncRuntime runtime;
    private final Duration shutdownTimeout;
    private volatile boolean running;
    /* Threading: written by the narrator's stop, read and reset by stop() (a later phase, same thread). */
    private volatile long shutdownBeganNanos;
    private volatile Set<Task<?>> seenAtShutdown = Set.of();
    private volatile @Nullable Runnable whenDrainBegins;
    /* Threading: lifecycle processor only. Whether stop() already gave the tasks their shutdown timeout. */
    private boolean drained;

    public AsyncRuntimeLifecycle(AsyncRuntime runtime, Duration shutdownTimeout) {
        this.runtime = runtime;
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public void start() {
        running = true;
        drained = false;
        if (logger.isInfoEnabled()) {
            logger.info("Event loop '" + runtime.loop().name() + "' running in " + runtime.loop().engineMode() + " mode");
        }
    }

    /**
     * Records that shutdown has begun (the web server's graceful phase is about to wait) and the tasks pending then,
     * so that {@link #stop()} times the whole shutdown and accounts for these tasks too; {@code whenDrainBegins}
     * runs when {@link #stop()} starts (the server has stopped waiting).
     */
    void shutdownBegins(Collection<Task<?>> pending, Runnable whenDrainBegins) {
        seenAtShutdown = Set.copyOf(pending);
        this.whenDrainBegins = whenDrainBegins;
        shutdownBeganNanos = System.nanoTime();
    }

    @Override
    public void stop() {
        long began = shutdownBeganNanos != 0 ? shutdownBeganNanos : System.nanoTime();
        Set<Task<?>> seen = new LinkedHashSet<>(seenAtShutdown);
        Runnable narrator = whenDrainBegins;
        shutdownBeganNanos = 0;
        seenAtShutdown = Set.of();
        whenDrainBegins = null;
        if (narrator != null) {
            narrator.run();
        }
        if (!runtime.isClosed()) {
            Set<Task<?>> pending = runtime.allTasks();
            seen.addAll(pending);
            if (!pending.isEmpty() && logger.isInfoEnabled()) {
                logger.info("Event loop '" + runtime.loop().name() + "' cancelling " + pending.size()
                        + " task(s) still running: " + names(pending));
            }
            List<Task<?>> abandoned = runtime.cancelAll(CANCEL_MESSAGE, shutdownTimeout);
            logOutcome(seen, abandoned, System.nanoTime() - began);
            drained = true;
        }
        running = false;
    }

    /* One line for every task seen since shutdown began: a WARN when some would not stop, else an INFO. */
    private void logOutcome(Set<Task<?>> seen, List<Task<?>> abandoned, long nanos) {
        Outcome outcome = Outcome.of(seen, abandoned);
        String line = "Event loop '" + runtime.loop().name() + "' shut down in " + seconds(nanos) + ": "
                + outcome.describe(shutdownTimeout);
        if (outcome.notStopped().isEmpty()) {
            logger.info(line);
        } else {
            logger.warn(line);
        }
    }

    /**
     * What became of the tasks seen since shutdown began, each classified once from one reading of its state, so
     * a task finishing meanwhile is never counted twice. A task that caught its cancellation and returned counts as
     * finished, as it does in asyncio ({@code cancelled()} is false).
     */
    record Outcome(int total, int finished, int cancelled, Set<Task<?>> notStopped) {

        static Outcome of(Collection<Task<?>> seen, Collection<Task<?>> abandoned) {
            Set<Task<?>> all = new LinkedHashSet<>(seen);
            all.addAll(abandoned);
            int finished = 0;
            int cancelled = 0;
            // A task still pending that cancelAll did not report was created after it looked: not waited for either.
            Set<Task<?>> notStopped = new LinkedHashSet<>();
            for (Task<?> t : all) {
                switch (t.state()) {
                    case SUCCESS, FAILED -> finished++;
                    case CANCELLED -> cancelled++;
                    default -> notStopped.add(t);
                }
            }
            return new Outcome(all.size(), finished, cancelled, notStopped);
        }

        /**
         * Returns "no tasks were running", or "3 tasks: 1 finished, 1 cancelled, 1 abandoned (a (id 9): did not stop
         * within 10.0 s)", naming only the outcomes that occurred.
         */
        String describe(Duration timeout) {
            if (total == 0) {
                return "no tasks were running";
            }
            List<String> parts = new ArrayList<>(3);
            if (finished > 0) {
                parts.add(finished + " finished");
            }
            if (cancelled > 0) {
                parts.add(cancelled + " cancelled");
            }
            if (!notStopped.isEmpty()) {
                parts.add(notStopped.size() + " abandoned (" + names(notStopped) + ": did not stop within "
                        + seconds(timeout) + ")");
            }
            return total + (total == 1 ? " task: " : " tasks: ") + String.join(", ", parts);
        }
    }

    /**
     * Closes the runtime. A task still running after {@link #stop()} already had its shutdown timeout, so the
     * close waits at most {@link #CLOSE_GRACE} for it, not a second full timeout (Ctrl-C would otherwise take
     * twice {@code async.runtime.shutdown-timeout}); the grace also lets the loop thread finish closing.
     */
    @Override
    public void destroy() {
        runtime.shutdown(drained && shutdownTimeout.compareTo(CLOSE_GRACE) > 0 ? CLOSE_GRACE : shutdownTimeout);
    }

    /* Names enough tasks to recognise the workload without flooding the log when there are thousands. */
    static String names(Collection<Task<?>> tasks) {
        return tasks.stream().sorted(Comparator.comparingLong(Task::getId)).limit(NAMES_LOGGED)
                .map(t -> t.getName() + " (id " + t.getId() + ")")
                .collect(Collectors.joining(", ", "", tasks.size() > NAMES_LOGGED ? ", ..." : ""));
    }

    static String seconds(Duration d) {
        return seconds(d.toNanos());
    }

    /* Tenths of a second, the resolution shutdown is felt in; milliseconds for the short timeouts of tests. */
    static String seconds(long nanos) {
        return nanos > 0 && nanos < 100_000_000L ? Math.round(nanos / 1e6) + " ms"
                : String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    AsyncRuntime getRuntime() {
        return runtime;
    }
}
