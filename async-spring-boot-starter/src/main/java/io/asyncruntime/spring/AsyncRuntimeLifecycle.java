package io.asyncruntime.spring;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Drains the {@link AsyncRuntime} gracefully when the application context stops: cancels the tasks still
 * pending and waits up to the shutdown timeout, logging what had to be abandoned. The loop itself keeps running
 * (a stopped context may be started again, as the test framework's context cache does) and is closed when the
 * bean is destroyed.
 *
 * <p>Its phase is below the web server's start/stop phase, so the loop stops only after in-flight requests,
 * which may be awaiting tasks, have drained.
 *
 * <p>Threading: called by the context's lifecycle processor, one call at a time.
 */
public class AsyncRuntimeLifecycle implements SmartLifecycle {
    /** Stops after the web server (graceful shutdown at DEFAULT_PHASE - 1024, start/stop at DEFAULT_PHASE - 2048). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

    /** The message every task still running at shutdown is cancelled with. */
    public static final String CANCEL_MESSAGE = "application context is stopping";

    private static final int NAMES_LOGGED = 20;

    private static final Log logger = LogFactory.getLog(AsyncRuntimeLifecycle.class);

    private final AsyncRuntime runtime;
    private final Duration shutdownTimeout;
    private volatile boolean running;

    public AsyncRuntimeLifecycle(AsyncRuntime runtime, Duration shutdownTimeout) {
        this.runtime = runtime;
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public void start() {
        running = true;
        if (logger.isInfoEnabled()) {
            logger.info("Event loop '" + runtime.loop().name() + "' running in " + runtime.loop().engineMode() + " mode");
        }
    }

    @Override
    public void stop() {
        List<Task<?>> abandoned = List.of();
        if (!runtime.isClosed()) {
            Set<Task<?>> pending = runtime.allTasks();
            if (!pending.isEmpty() && logger.isInfoEnabled()) {
                logger.info("Event loop '" + runtime.loop().name() + "' cancelling " + pending.size()
                        + " task(s) still running: " + names(pending));
            }
            abandoned = runtime.cancelAll(CANCEL_MESSAGE, shutdownTimeout);
        }
        if (!abandoned.isEmpty()) {
            logger.warn("Event loop '" + runtime.loop().name() + "' abandoned " + abandoned.size()
                    + " task(s) that did not finish within " + shutdownTimeout + " of being cancelled: " + abandoned);
        }
        running = false;
    }

    /* Names enough tasks to recognise the workload without flooding the log when there are thousands. */
    private static String names(Set<Task<?>> tasks) {
        return tasks.stream().sorted(Comparator.comparingLong(Task::getId)).limit(NAMES_LOGGED)
                .map(t -> t.getName() + " (id " + t.getId() + ")")
                .collect(Collectors.joining(", ", "", tasks.size() > NAMES_LOGGED ? ", ..." : ""));
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
