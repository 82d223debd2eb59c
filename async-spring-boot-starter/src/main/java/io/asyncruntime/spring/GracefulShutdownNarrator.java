package io.asyncruntime.spring;

import io.asyncruntime.Task;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * Says what the web server's graceful shutdown waits for, the moment it starts waiting and then every few
 * seconds until the requests have drained: the in-flight requests and the tasks still running behind them.
 * Without it the log is silent for up to {@code spring.lifecycle.timeout-per-shutdown-phase} (30 s by default).
 *
 * <p>Its phase is one above the web server's graceful-shutdown phase ({@code DEFAULT_PHASE - 1024}), so it stops
 * just before the server starts waiting; {@link AsyncRuntimeLifecycle} (a later phase) stops the reminders and
 * writes the closing line, for which this bean hands it the tasks it saw.
 *
 * <p>Threading: {@link #start()} and {@link #stop()} by the context's lifecycle processor; the reminders run on
 * a daemon thread of their own.
 */
public class GracefulShutdownNarrator implements SmartLifecycle {
    /** Stops just before the web server's graceful shutdown (WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024 + 1;

    private static final Log logger = LogFactory.getLog(GracefulShutdownNarrator.class);

    private final AsyncRuntimeLifecycle lifecycle;
    private final IntSupplier inFlightRequests;
    private final Duration reminderInterval;
    private volatile boolean running;
    /* Threading: lifecycle processor only; the reminders' thread while shutdown waits, else null. */
    private @Nullable ScheduledExecutorService reminders;

    /**
     * Creates the narrator.
     *
     * @param lifecycle the runtime's lifecycle, told when shutdown begins
     * @param inFlightRequests how many requests are in flight now
     * @param reminderInterval how often to repeat the line while the server still waits
     */
    public GracefulShutdownNarrator(AsyncRuntimeLifecycle lifecycle, IntSupplier inFlightRequests, Duration reminderInterval) {
        this.lifecycle = lifecycle;
        this.inFlightRequests = inFlightRequests;
        this.reminderInterval = reminderInterval;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        if (lifecycle.getRuntime().isClosed()) {
            return;
        }
        Set<Task<?>> pending = lifecycle.getRuntime().allTasks();
        lifecycle.shutdownBegins(pending, this::stopReminders);
        int requests = inFlightRequests.getAsInt();
        if (requests == 0) {
            // Nothing to wait for: the server's graceful phase ends at once, and the closing line says the rest.
            return;
        }
        if (logger.isInfoEnabled()) {
            logger.info("Event loop '" + lifecycle.getRuntime().loop().name() + "': graceful shutdown is waiting for "
                    + waitingFor(requests, pending));
            long started = System.nanoTime();
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("asyncruntime-shutdown-narrator").daemon(true).factory());
            scheduler.scheduleWithFixedDelay(() -> remind(started), reminderInterval.toNanos(), reminderInterval.toNanos(),
                    TimeUnit.NANOSECONDS);
            reminders = scheduler;
        }
    }

    private void remind(long started) {
        int requests = inFlightRequests.getAsInt();
        if (requests > 0 && !lifecycle.getRuntime().isClosed()) {
            logger.info("Event loop '" + lifecycle.getRuntime().loop().name() + "': graceful shutdown still waiting after "
                    + AsyncRuntimeLifecycle.seconds(System.nanoTime() - started) + " for "
                    + waitingFor(requests, lifecycle.getRuntime().allTasks()));
        }
    }

    private static String waitingFor(int requests, Set<Task<?>> pending) {
        return requests + (requests == 1 ? " in-flight request" : " in-flight requests") + "; "
                + (pending.isEmpty() ? "no tasks running" : "tasks still running: " + AsyncRuntimeLifecycle.names(pending));
    }

    private void stopReminders() {
        ScheduledExecutorService r = reminders;
        reminders = null;
        if (r != null) {
            r.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
