package io.asyncruntime.spring.metrics;

import io.asyncruntime.EventLoop;
import io.asyncruntime.LoopStall;
import io.asyncruntime.LoopStallListener;
import io.asyncruntime.ManualClock;
import io.asyncruntime.Task;
import io.asyncruntime.TaskListener;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Meters of one event loop, all tagged {@code loop}:
 *
 * <ul>
 *   <li>{@code async.loop.latency} (timer): how late a probe callback ran after it was due, sampled every
 *       {@code probeInterval}; with a percentile histogram for Prometheus;</li>
 *   <li>{@code async.loop.lag} (gauge, seconds): the latest such delay;</li>
 *   <li>{@code async.loop.queue.size} (gauge): callbacks and steps ready to run;</li>
 *   <li>{@code async.tasks.active} (gauge): pending tasks;</li>
 *   <li>{@code async.tasks.created}, {@code async.tasks.finished} (counters, the latter tagged {@code outcome}
 *       = success, failure or cancelled);</li>
 *   <li>{@code async.task.duration} (timer): creation to completion of every finished task;</li>
 *   <li>{@code async.loop.slow.callbacks} (counter): steps and callbacks that ran longer than the loop's
 *       slow-callback threshold;</li>
 *   <li>{@code async.loop.blocked} (counter): steps that held the loop past its blocked threshold.</li>
 * </ul>
 *
 * <p>The latency probe is one timer on the loop, and slow or blocking steps are found by the loop's watchdog
 * ({@link LoopStallListener}), so measuring costs nothing on the loop's hot path. Task meters come from a
 * {@link TaskListener}. A loop on virtual time (a {@link ManualClock}) gets no probe: no callback is ever late
 * there, and a timer that always re-arms would make the loop jump from probe to probe, racing through virtual
 * time at full CPU while the test waits.
 *
 * <p>Threading: task events on the loop; stall events on the watchdog thread; meters read from any thread;
 * {@link #bindTo} any thread.
 */
public class EventLoopMetrics implements MeterBinder, TaskListener, LoopStallListener {
    private final EventLoop loop;
    private final Duration probeInterval;
    private final Tags tags;
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong slowSteps = new AtomicLong();
    private final AtomicLong blockedSteps = new AtomicLong();
    private final List<Timer> durations = new ArrayList<>();
    private final List<Timer> latencies = new ArrayList<>();
    private volatile double lagSeconds;
    private volatile boolean probing;

    public EventLoopMetrics(EventLoop loop, Duration probeInterval, Iterable<Tag> extraTags) {
        if (probeInterval.isNegative() || probeInterval.isZero()) {
            throw new IllegalArgumentException("probe interval must be positive: " + probeInterval);
        }
        this.loop = loop;
        this.probeInterval = probeInterval;
        this.tags = Tags.of(extraTags).and("loop", loop.name());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("async.tasks.active", loop, EventLoop::taskCount).tags(tags).baseUnit(BaseUnits.TASKS)
                .description("Tasks of the loop not yet done").register(registry);
        Gauge.builder("async.loop.queue.size", loop, EventLoop::readyCount).tags(tags).baseUnit(BaseUnits.TASKS)
                .description("Callbacks and task steps ready to run").register(registry);
        Gauge.builder("async.loop.lag", this, m -> m.lagSeconds).tags(tags).baseUnit("seconds")
                .description("How late the latest latency probe ran after it was due").register(registry);
        FunctionCounter.builder("async.tasks.created", created, AtomicLong::get).tags(tags).baseUnit(BaseUnits.TASKS)
                .description("Tasks created").register(registry);
        finished(registry, "success", succeeded);
        finished(registry, "failure", failed);
        finished(registry, "cancelled", cancelled);
        FunctionCounter.builder("async.loop.slow.callbacks", slowSteps, AtomicLong::get).tags(tags)
                .description("Steps and callbacks that ran longer than the loop's slow-callback threshold")
                .register(registry);
        FunctionCounter.builder("async.loop.blocked", blockedSteps, AtomicLong::get).tags(tags)
                .description("Steps that held the loop past its blocked threshold").register(registry);
        Timer duration = Timer.builder("async.task.duration").tags(tags)
                .description("Time from a task's creation to its completion").register(registry);
        Timer latency = Timer.builder("async.loop.latency").tags(tags).publishPercentileHistogram()
                .publishPercentiles(0.5, 0.95, 0.99)
                .description("Delay between when a loop callback was due and when it ran (sampled by a probe)")
                .register(registry);
        synchronized (this) {
            durations.add(duration);
            latencies.add(latency);
        }
        start();
    }

    private void finished(MeterRegistry registry, String outcome, AtomicLong count) {
        FunctionCounter.builder("async.tasks.finished", count, AtomicLong::get).tags(tags.and("outcome", outcome))
                .baseUnit(BaseUnits.TASKS).description("Tasks finished, by outcome").register(registry);
    }

    private synchronized void start() {
        if (probing) {
            return;
        }
        probing = true;
        loop.addTaskListener(this);
        loop.addStallListener(this);
        if (!loop.isClosed() && !(loop.clock() instanceof ManualClock)) {
            loop.callSoonThreadsafe(this::scheduleProbe);
        }
    }

    private void scheduleProbe() {
        double due = loop.time() + probeInterval.toNanos() / 1e9;
        loop.callAt(due, () -> {
            double late = Math.max(0, loop.time() - due);
            lagSeconds = late;
            long nanos = (long) (late * 1e9);
            for (Timer t : snapshot(latencies)) {
                t.record(nanos, TimeUnit.NANOSECONDS);
            }
            scheduleProbe();
        });
    }

    @Override
    public void slowStep(EventLoop loop, Task<?> taskOrNull) {
        slowSteps.incrementAndGet();
    }

    @Override
    public void blocked(LoopStall stall) {
        blockedSteps.incrementAndGet();
    }

    @Override
    public void taskStarted(Task<?> task) {
        created.incrementAndGet();
    }

    @Override
    public void taskFinished(Task<?> task) {
        if (task.cancelled()) {
            cancelled.incrementAndGet();
        } else if (task.failure().isPresent()) {
            failed.incrementAndGet();
        } else {
            succeeded.incrementAndGet();
        }
        long nanos = task.finishedNanos() - task.createdNanos();
        for (Timer t : snapshot(durations)) {
            t.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private synchronized List<Timer> snapshot(List<Timer> timers) {
        return List.copyOf(timers);
    }
}
