package io.asyncruntime.spring;

import io.asyncruntime.EngineMode;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the auto-configured event loop, under {@code async.runtime}.
 */
@ConfigurationProperties("async.runtime")
public class AsyncRuntimeProperties {

    /** Name of the event loop, also the name of its thread and the "loop" tag of its metrics. */
    private String loopName = "asyncio-loop";

    /** Whether the loop runs in debug mode: it logs callbacks and task steps slower than slow-callback-duration. */
    private boolean debug = false;

    /**
     * Duration above which a task step or callback counts as slow: counted in async.loop.slow.callbacks, and
     * logged when debug mode is on.
     */
    private Duration slowCallbackDuration = Duration.ofMillis(100);

    /** How long shutdown waits for the cancelled tasks to finish before abandoning them. */
    private Duration shutdownTimeout = Duration.ofSeconds(10);

    /**
     * How long one task step or callback may hold the loop before the loop counts as blocked: the watchdog then
     * logs a warning with the running task's live stack and counts it, and the health check reports DOWN.
     */
    private Duration blockedThreshold = Duration.ofSeconds(1);

    /**
     * Whether every task carries the thread-bound context of the code that creates it (logging MDC, Micrometer
     * observation and tracing context), through Micrometer's context-propagation library when it is present.
     */
    private boolean propagateContext = true;

    /**
     * Whether each task run is a Micrometer observation named async.task (a span under its creator's with a tracing
     * bridge, a timer with the default meter handler), when the application has an ObservationRegistry.
     */
    private boolean observeTasks = true;

    /**
     * Whether to record where each task is created, shown by the tasks endpoint as createdAt (a short stack walk
     * per task, about a microsecond). Debug mode records it as well.
     */
    private boolean recordCreationSites = true;

    private final Executor executor = new Executor();

    /** How many finished tasks (name, outcome, duration, error) to remember for the tasks endpoint; 0 keeps none. */
    private int historySize = 100;

    /** Engine that runs the tasks; unset picks FAST when the JVM allows it, else PORTABLE. */
    private @Nullable EngineMode mode;

    public String getLoopName() {
        return loopName;
    }

    public void setLoopName(String loopName) {
        this.loopName = loopName;
    }

    public boolean isDebug() {
        return debug;
    }

    public void setDebug(boolean debug) {
        this.debug = debug;
    }

    public Duration getSlowCallbackDuration() {
        return slowCallbackDuration;
    }

    public void setSlowCallbackDuration(Duration slowCallbackDuration) {
        this.slowCallbackDuration = slowCallbackDuration;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public Duration getBlockedThreshold() {
        return blockedThreshold;
    }

    public void setBlockedThreshold(Duration blockedThreshold) {
        if (blockedThreshold.isNegative() || blockedThreshold.isZero()) {
            throw new IllegalArgumentException("async.runtime.blocked-threshold must be positive: " + blockedThreshold);
        }
        this.blockedThreshold = blockedThreshold;
    }

    public boolean isPropagateContext() {
        return propagateContext;
    }

    public void setPropagateContext(boolean propagateContext) {
        this.propagateContext = propagateContext;
    }

    public boolean isObserveTasks() {
        return observeTasks;
    }

    public void setObserveTasks(boolean observeTasks) {
        this.observeTasks = observeTasks;
    }

    public boolean isRecordCreationSites() {
        return recordCreationSites;
    }

    public void setRecordCreationSites(boolean recordCreationSites) {
        this.recordCreationSites = recordCreationSites;
    }

    public Executor getExecutor() {
        return executor;
    }

    /** The executor behind {@code Async.toThread} and {@code runInExecutor(null, ...)}. */
    public static class Executor {

        /**
         * Platform threads in the executor's fixed pool; 0 (the default) runs every call on a virtual thread of
         * its own instead.
         */
        private int maxThreads = 0;

        public int getMaxThreads() {
            return maxThreads;
        }

        public void setMaxThreads(int maxThreads) {
            if (maxThreads < 0) {
                throw new IllegalArgumentException("async.runtime.executor.max-threads must not be negative: " + maxThreads);
            }
            this.maxThreads = maxThreads;
        }
    }

    public int getHistorySize() {
        return historySize;
    }

    public void setHistorySize(int historySize) {
        if (historySize < 0) {
            throw new IllegalArgumentException("async.runtime.history-size must not be negative: " + historySize);
        }
        this.historySize = historySize;
    }

    public @Nullable EngineMode getMode() {
        return mode;
    }

    public void setMode(@Nullable EngineMode mode) {
        this.mode = mode;
    }
}
