package io.asyncruntime.spring;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import java.time.Duration;
import java.util.List;
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
        List<Task<?>> abandoned = runtime.isClosed() ? List.of()
                : runtime.cancelAll("application context is stopping", shutdownTimeout);
        if (!abandoned.isEmpty()) {
            logger.warn("Event loop '" + runtime.loop().name() + "' abandoned " + abandoned.size()
                    + " task(s) that did not finish within " + shutdownTimeout + " of being cancelled: " + abandoned);
        }
        running = false;
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
