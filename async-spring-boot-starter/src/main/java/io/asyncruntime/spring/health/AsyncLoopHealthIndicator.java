package io.asyncruntime.spring.health;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.EventLoop;
import io.asyncruntime.Task;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The loop's health (contributor {@code asyncLoop}): UP when the loop runs a probe callback within the
 * threshold; DOWN when its thread is dead, it is closed, or it is blocked (the probe did not run in time),
 * naming the task that holds it.
 *
 * <p>Asking the loop itself is the honest test of a loop's health and costs nothing between checks.
 *
 * <p>Threading: any thread; waits at most the threshold.
 */
public class AsyncLoopHealthIndicator extends AbstractHealthIndicator {
    private final AsyncRuntime runtime;
    private final Duration threshold;

    public AsyncLoopHealthIndicator(AsyncRuntime runtime, Duration threshold) {
        super("Event loop health check failed");
        this.runtime = runtime;
        this.threshold = threshold;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws Exception {
        EventLoop loop = runtime.loop();
        builder.withDetail("loop", loop.name()).withDetail("mode", loop.engineMode().name())
                .withDetail("tasks", loop.taskCount());
        if (loop.isClosed() || !loop.isRunning() || !runtime.thread().isAlive()) {
            builder.down().withDetail("reason", loop.isClosed() ? "closed" : "the loop thread is not running");
            return;
        }
        CountDownLatch ran = new CountDownLatch(1);
        long start = System.nanoTime();
        loop.callSoonThreadsafe(ran::countDown);
        if (ran.await(threshold.toNanos(), TimeUnit.NANOSECONDS)) {
            builder.up().withDetail("probeMillis", (System.nanoTime() - start) / 1e6);
            return;
        }
        builder.down().withDetail("reason", "blocked: a probe callback did not run within " + threshold);
        loop.currentTask().ifPresent((Task<?> t) -> builder.withDetail("blockedBy", t.getName() + " (id " + t.getId() + ")"));
    }
}
