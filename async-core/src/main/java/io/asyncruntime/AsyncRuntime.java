package io.asyncruntime;

import io.asyncruntime.internal.Throwables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One event loop on a thread of its own, usable from every thread of an application: the facade that
 * services (and the Spring starter) inject.
 *
 * <pre>{@code
 * try (AsyncRuntime runtime = AsyncRuntime.start("orders")) {
 *     Task<String> t = runtime.createTask(() -> { Async.sleep(0.1); return "done"; }, "fetch-42");
 *     runtime.run(t::await);            // blocks this (non-loop) thread until done
 * }
 * }</pre>
 *
 * <p>Threading: every method is safe from any thread. Methods that wait ({@link #run}, {@link #close})
 * refuse to run on the loop's own thread, where waiting would deadlock the loop.
 */
public final class AsyncRuntime implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AsyncRuntime.class.getName());

    private final EventLoop loop;
    private final Thread thread;
    private final Duration shutdownTimeout;
    /* Threading: set under this by shutdown, read anywhere. New work is refused from then on. */
    private volatile boolean closed;
    /* Threading: written once by shutdown before it stops the loop; read by the loop thread when it closes. */
    private volatile String shutdownMessage;
    /* Opened when the first shutdown returns or the loop thread ends: later callers of shutdown wait for it. */
    private final CountDownLatch terminated = new CountDownLatch(1);

    private AsyncRuntime(Builder b) {
        EventLoop.Builder lb = EventLoop.builder().name(b.name).debug(b.debug).clock(b.clock);
        if (b.mode != null) {
            lb.mode(b.mode);
        }
        if (b.slowCallbackDuration != null) {
            lb.slowCallbackDuration(b.slowCallbackDuration);
        }
        if (b.blockedThreshold != null) {
            lb.blockedThreshold(b.blockedThreshold);
        }
        this.loop = lb.build();
        this.shutdownTimeout = b.shutdownTimeout;
        CountDownLatch running = new CountDownLatch(1);
        this.thread = Thread.ofPlatform().name(b.name).daemon(b.daemon).unstarted(() -> {
            loop.callSoon(running::countDown);
            try {
                loop.runForever();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "event loop " + b.name + " died", t);
                throw t;
            } finally {
                // However the loop ended (shutdown, a stop() from outside, an error), the runtime is over: close
                // the loop here, on its own thread, so work handed in meanwhile is abandoned, never stranded,
                // and whoever waits on a task still pending is answered.
                closed = true;
                try {
                    closeLoop();
                } finally {
                    terminated.countDown();
                }
            }
        });
        thread.start();
        try {
            running.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the event loop", e);
        }
    }

    /* On the loop thread once runForever returned: abandon what is left, and say so once. */
    private void closeLoop() {
        String reason = shutdownMessage != null
                ? shutdownMessage + "; the task had not finished when the loop stopped and was abandoned"
                : "AsyncRuntime " + loop.name() + " stopped while the task was pending; it was abandoned";
        List<Task<?>> abandoned = loop.close(reason, false);
        if (!abandoned.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, () -> "AsyncRuntime " + loop.name() + ": abandoned "
                    + abandoned.size() + " task(s) still pending when the loop closed (finished as cancelled,"
                    + " their callers answered): " + describe(abandoned, 10));
        }
    }

    private static String describe(List<Task<?>> tasks, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tasks.size() && i < max; i++) {
            Task<?> t = tasks.get(i);
            sb.append(i == 0 ? "" : ", ").append(t.getName()).append(" (id ").append(t.getId()).append(')');
        }
        if (tasks.size() > max) {
            sb.append(", and ").append(tasks.size() - max).append(" more");
        }
        return sb.toString();
    }

    /**
     * Starts a runtime with default options: a new loop running on a new daemon thread, as
     * {@code builder().name(name).start()}. Any thread; returns once the loop runs.
     *
     * @param name the name of the loop and of its thread
     * @return the running runtime; close it to stop the loop
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalStateException if the calling thread is interrupted while the loop starts
     */
    public static AsyncRuntime start(String name) {
        return builder().name(name).start();
    }

    /**
     * Returns a builder for a runtime with options.
     *
     * @return a new builder with the defaults (loop name {@code asyncio-loop}, daemon thread, 10 s shutdown timeout)
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the runtime's loop. Any thread; but from other threads use only the loop's thread-safe methods
     * ({@link EventLoop#callSoonThreadsafe}, {@link EventLoop#allTasks()}, …).
     *
     * @return the loop, never null (closed once the runtime is shut down)
     */
    public EventLoop loop() {
        return loop;
    }

    /**
     * Returns the loop's thread. Any thread.
     *
     * @return the platform thread that runs the loop (no longer alive once the runtime is shut down)
     */
    public Thread thread() {
        return thread;
    }

    /**
     * Creates a task from any thread: asyncio's {@code create_task} through {@code call_soon_threadsafe}. The task
     * is built at once (named, in a copy of the caller's context) and starts on the loop in its next iteration.
     *
     * @param coro the coroutine the task runs
     * @param name the task's name; null for {@code Task-<id>}
     * @param <T> the type of the coroutine's result
     * @return the task, pending
     * @throws NullPointerException if coro is null
     * @throws IllegalStateException if the runtime is shut down or shutting down
     */
    public <T> Task<T> createTask(Coroutine<T> coro, String name) {
        Objects.requireNonNull(coro, "coro");
        checkOpen();
        return loop.createTaskThreadsafe(coro, name, t -> { }, () -> { });
    }

    /**
     * Creates a task from any thread and returns a {@link CompletableFuture} of its outcome: asyncio's
     * {@code run_coroutine_threadsafe}. Cancelling the CompletableFuture cancels the task. It is answered in every
     * case, also when the runtime shuts down first (see {@link #shutdown(Duration)}).
     *
     * @param coro the coroutine the task runs
     * @param <T> the type of the coroutine's result
     * @return a CompletableFuture completed with the task's result, its exception, or a {@link CancelledError}
     * @throws NullPointerException if coro is null
     * @throws IllegalStateException if the runtime is shut down or shutting down
     */
    public <T> CompletableFuture<T> submit(Coroutine<T> coro) {
        return submit(coro, null);
    }

    /**
     * As {@link #submit(Coroutine)}, naming the task so that it can be found (in {@link #allTasks()}, the
     * Actuator endpoint, logs).
     *
     * @param coro the coroutine the task runs
     * @param name the task's name; null for {@code Task-<id>}
     * @param <T> the type of the coroutine's result
     * @return a CompletableFuture completed with the task's outcome
     * @throws NullPointerException if coro is null
     * @throws IllegalStateException if the runtime is shut down or shutting down
     */
    public <T> CompletableFuture<T> submit(Coroutine<T> coro, String name) {
        Objects.requireNonNull(coro, "coro");
        checkOpen();
        return Async.runCoroutineThreadsafe(coro, name, loop);
    }

    /**
     * As {@link #run(Coroutine)}, naming the task so that it can be found.
     *
     * @param coro the coroutine the task runs
     * @param name the task's name; null for {@code Task-<id>}
     * @param <T> the type of the coroutine's result
     * @return the coroutine's result
     * @throws IllegalStateException on the loop's own thread, or if the runtime is shut down
     * @throws CancelledError as {@link #run(Coroutine)}
     */
    public <T> T run(Coroutine<T> coro, String name) {
        return runAndWait(name, coro);
    }

    /**
     * Runs {@code coro} as a task and waits for its value, blocking the calling thread (never the loop):
     * asyncio's {@code run_coroutine_threadsafe(...).result()}.
     *
     * @param coro the coroutine the task runs
     * @param <T> the type of the coroutine's result
     * @return the coroutine's result
     * @throws NullPointerException if coro is null
     * @throws IllegalStateException on the loop's own thread or a task of it, where waiting would deadlock, or if
     *         the runtime is shut down or shutting down
     * @throws CancelledError if the task was cancelled (also by a shutdown, or abandoned by it), or the calling
     *         thread was interrupted (the task is then cancelled too); any other exception is the coroutine's own
     */
    public <T> T run(Coroutine<T> coro) {
        return runAndWait(null, coro);
    }

    private <T> T runAndWait(String name, Coroutine<T> coro) {
        if (loop.inLoop()) {
            throw new IllegalStateException("AsyncRuntime.run() would block the event loop it waits for;"
                    + " in a task, await the coroutine instead");
        }
        CompletableFuture<T> f = submit(coro, name);
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw Throwables.sneakyThrow(e.getCause());
        } catch (CancellationException e) {
            // Newer JDKs wrap the completing exception in a fresh one ("get"); hand back the task's own.
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof CancelledError ce) {
                    throw ce;
                }
            }
            throw new CancelledError(e.getMessage());
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new CancelledError("interrupted while waiting for the task");
        }
    }

    /**
     * Returns the loop's pending tasks: asyncio's {@code all_tasks(loop)}. Any thread.
     *
     * @return a weakly consistent snapshot of the tasks not yet done; empty if there are none
     */
    public Set<Task<?>> allTasks() {
        return loop.allTasks();
    }

    /**
     * Returns the task the loop runs at this instant: asyncio's {@code current_task(loop)}. Any thread (racy
     * off the loop thread: the answer may be stale when it arrives).
     *
     * @return the running task, or empty if the loop runs a callback or nothing
     */
    public Optional<Task<?>> currentTask() {
        return loop.currentTask();
    }

    /**
     * Returns the pending task with this id. Any thread.
     *
     * @param id a task's {@link Task#getId()}
     * @return the task, or empty if no pending task has this id (it finished, or never existed)
     */
    public Optional<Task<?>> findTask(long id) {
        return loop.findTask(id);
    }

    /**
     * Requests cancellation of the pending task {@code id}, as {@link Task#cancel(String)}; from another thread
     * the cancel itself happens on the loop, so this never waits for a busy loop. Any thread.
     *
     * @param id  a task's {@link Task#getId()}
     * @param msg the message of the {@link CancelledError} raised in the task, or null for none
     * @return true if a pending task has this id (the request was made or handed to the loop), else false
     */
    public boolean cancel(long id, String msg) {
        Optional<Task<?>> task = loop.findTask(id);
        if (task.isEmpty()) {
            return false;
        }
        Task<?> t = task.get();
        if (loop.inLoop()) {
            t.cancel(msg);
        } else {
            loop.callSoonThreadsafe(() -> t.cancel(msg));
        }
        return true;
    }

    /** Stops the runtime as {@link #shutdown(Duration)} does with the configured shutdown timeout. */
    @Override
    public void close() {
        shutdown(shutdownTimeout);
    }

    /**
     * Shuts the runtime down: refuses new work at once, cancels every pending task, waits up to {@code timeout}
     * for them to finish, stops the loop and closes it. asyncio's {@code asyncio.run} ending (cancel the
     * remaining tasks, let them finish), with a bound. Calling it again does nothing.
     *
     * <p>Every caller is answered, whatever the tasks do:
     * <ul>
     * <li>a task that finishes in time (with a result, an exception, or as cancelled) answers its callers
     *     ({@link #submit}, {@link #run}, {@link Async#runCoroutineThreadsafe}) with that outcome;</li>
     * <li>a task that is still pending when the loop stops (it caught the {@link CancelledError} and went on,
     *     or was handed in during the shutdown) is <em>abandoned</em>: finished as cancelled with a
     *     {@link CancelledError} that says so, its code never resumed;</li>
     * <li>if a blocking call holds the loop thread past the timeout, the callers of every unfinished task are
     *     answered at once with a {@link CancelledError} naming the task and the blocking one, and the method
     *     returns; the loop closes (abandoning what is left) when the blocking call returns.</li>
     * </ul>
     * Work offered once shutdown has begun is refused with an {@link IllegalStateException}; a task that an
     * other thread handed in just before is cancelled before its first step.
     *
     * <p>It returns within {@code timeout} plus {@link #SHUTDOWN_GRACE} in every case. Threading: any thread
     * but the loop's own.
     *
     * @param timeout how long to wait for cancelled tasks to finish; zero or negative: do not wait (the tasks
     *        get one iteration of the loop to handle their cancellation)
     * @return the tasks that had not finished within the timeout (abandoned), empty if all finished
     * @throws NullPointerException if timeout is null
     * @throws IllegalStateException if called on the loop's own thread
     */
    public List<Task<?>> shutdown(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (loop.inLoop()) {
            throw new IllegalStateException("AsyncRuntime cannot be shut down from its own loop thread");
        }
        long start = System.nanoTime();
        long timeoutNanos = nonNegativeNanos(timeout);
        long deadline = start + timeoutNanos;
        long graceNanos = SHUTDOWN_GRACE.toNanos();
        String msg = "AsyncRuntime " + loop.name() + " is shutting down";
        boolean first;
        synchronized (this) {
            first = !closed;
            closed = true;
            if (first) {
                shutdownMessage = msg;
            }
        }
        if (!first) {
            // Another caller (or the loop's end) got there first: wait, within our own bound and outside the
            // monitor (a third caller has a bound of its own), until it is done.
            long until = deadline + graceNanos;
            boolean interrupted = awaitUninterruptibly(terminated, until - System.nanoTime());
            interrupted |= joinUninterruptibly(thread, Math.min(until - System.nanoTime(), graceNanos));
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return List.of();
        }
        boolean interrupted = false;
        try {
            loop.beginShutdown(msg);
            interrupted = cancelAndWait(msg, deadline, true, new java.util.HashSet<>());
            List<Task<?>> abandoned = List.copyOf(loop.allTasks());
            try {
                // Stop from the loop, one iteration after the last cancels (of what is still pending and was
                // never cancelled: cleanup tasks created meanwhile): every task gets at least that iteration to
                // handle its CancelledError, even with a zero timeout.
                loop.callSoonThreadsafe(() -> {
                    for (Task<?> t : loop.allTasks()) {
                        if (t.cancelling() == 0) {
                            t.cancel(msg);
                        }
                    }
                    loop.callSoon(loop::stop);
                });
            } catch (IllegalStateException loopAlreadyClosed) {
                return abandoned;
            }
            interrupted |= joinUninterruptibly(thread, deadline + graceNanos / 2 - System.nanoTime());
            if (thread.isAlive()) {
                releaseWaitersOfAHeldLoop(msg, timeout, deadline + graceNanos);
            }
            return abandoned;
        } finally {
            terminated.countDown();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /*
     * Cancels every pending task (each once) and waits for them until the deadline; the tasks are collected in
     * seen. With followNewTasks (shutdown), a task created meanwhile by the tasks themselves (a "send goodbye"
     * from a finally block) is cleanup: not cancelled but waited for too, within the same deadline (shutdown's
     * last callback cancels whatever is left then), and the wait goes on through interrupts, as
     * ExecutorService.close() does. Without (cancelAll), only the tasks pending at the start count, an interrupt
     * ends the wait, and a closed loop is the caller's IllegalStateException. Returns whether an interrupt came.
     */
    private boolean cancelAndWait(String msg, long deadline, boolean followNewTasks, Set<Task<?>> seen) {
        Thread waiter = Thread.currentThread();
        java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
        boolean interrupted = false;
        for (boolean first = true; ; first = false) {
            List<Task<?>> fresh = new ArrayList<>();
            if (first || followNewTasks) {
                for (Task<?> t : loop.allTasks()) {
                    if (seen.add(t)) {
                        fresh.add(t);
                    }
                }
            }
            if (!fresh.isEmpty()) {
                pending.addAndGet(fresh.size());
                boolean cancel = first;
                try {
                    loop.callSoonThreadsafe(() -> {
                        for (Task<?> t : fresh) {
                            if (cancel) {
                                t.cancel(msg);
                            }
                            t.addDoneCallback(f -> {
                                if (pending.decrementAndGet() == 0) {
                                    LockSupport.unpark(waiter);
                                }
                            });
                        }
                    });
                } catch (IllegalStateException loopClosed) {
                    if (!followNewTasks) {
                        throw loopClosed;
                    }
                    return interrupted;
                }
            }
            long left = deadline - System.nanoTime();
            boolean noneLeft = pending.get() == 0 && (!followNewTasks || (fresh.isEmpty() && loop.taskCount() == 0));
            if (noneLeft || left <= 0 || loop.isClosed()) {
                return interrupted;
            }
            // Wake when the last of them is done, and now and then to look for tasks created meanwhile.
            LockSupport.parkNanos(this, Math.min(left, NEW_TASK_POLL_NANOS));
            if (Thread.interrupted()) {
                interrupted = true;
                if (!followNewTasks) {
                    return true;
                }
            }
        }
    }

    private static final long NEW_TASK_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /*
     * A blocking call holds the loop thread past the deadline: answer every caller now, each on a thread of
     * its own (completing a CompletableFuture runs the stages the caller attached, and they must not hold this
     * method), and wait for them until the end of the grace at most.
     */
    private void releaseWaitersOfAHeldLoop(String msg, Duration timeout, long until) {
        Task<?> holder = loop.currentTask().orElse(null);
        String held = holder == null ? "a blocking call or a long callback"
                : "a blocking call in " + holder.getName() + " (id " + holder.getId() + ")";
        List<CompletableFuture<?>> released = loop.releaseExternalWaiters(t -> msg + ": " + (t == null ? "the task"
                : t.getName() + " (id " + t.getId() + ")") + " did not finish within " + timeout + " because " + held
                + " holds the loop thread; it is abandoned", r -> Thread.ofVirtual().name("asyncruntime-release").start(r));
        for (CompletableFuture<?> f : released) {
            while (!f.isDone() && System.nanoTime() < until) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        LOG.log(System.Logger.Level.WARNING, () -> "AsyncRuntime " + loop.name() + ": " + held
                + " still holds the loop thread " + timeout + " after shutdown began; answered " + released.size()
                + " waiting caller(s) with CancelledError. The loop closes, abandoning what is left, when"
                + " that call returns. Stack of the loop thread's task: " + (holder == null ? "[]"
                : holder.getStack(8)));
    }

    /* Waits up to nanos for latch, through interrupts; returns whether one came (the caller restores it). */
    private static boolean awaitUninterruptibly(CountDownLatch latch, long nanos) {
        long until = System.nanoTime() + nanos;
        boolean interrupted = false;
        for (;;) {
            try {
                latch.await(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    private static boolean joinUninterruptibly(Thread t, long nanos) {
        if (t == Thread.currentThread() || nanos <= 0) {
            return false;
        }
        long until = System.nanoTime() + nanos;
        boolean interrupted = false;
        for (;;) {
            try {
                t.join(Duration.ofNanos(Math.max(1, until - System.nanoTime())));
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    /** How long {@link #shutdown(Duration)} may take beyond its timeout: to stop and close a responsive loop. */
    public static final Duration SHUTDOWN_GRACE = Duration.ofMillis(500);

    /* A timeout in nanoseconds: zero or negative is "do not wait", too long for nanoseconds is "for ever". */
    private static long nonNegativeNanos(Duration timeout) {
        return Math.max(0, EventLoop.dueInNanos(timeout, "timeout"));
    }

    /**
     * Cancels every pending task with {@code msg} and waits up to {@code timeout} for them to finish; the loop
     * keeps running and accepts new tasks. Tasks created meanwhile are not waited for. Any thread but the
     * loop's; blocks the caller.
     *
     * @param msg     the message of the {@link CancelledError} raised in each task, or null for none
     * @param timeout how long to wait for the tasks to finish; zero or negative does not wait
     * @return the tasks that had not finished within the timeout, empty if all finished
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalStateException if called on the loop's own thread, or the loop is closed while tasks are
     *         pending
     */
    public List<Task<?>> cancelAll(String msg, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        List<Task<?>> abandoned = cancelAll(msg, nonNegativeNanos(timeout));
        if (!abandoned.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, () -> "AsyncRuntime " + loop.name() + ": " + abandoned.size()
                    + " task(s) did not finish within " + timeout + " of being cancelled: " + describe(abandoned, 10));
        }
        return abandoned;
    }

    private List<Task<?>> cancelAll(String msg, long timeoutNanos) {
        if (loop.inLoop()) {
            throw new IllegalStateException("AsyncRuntime.cancelAll() would block the event loop it waits for");
        }
        Set<Task<?>> cancelled = new java.util.LinkedHashSet<>();
        if (cancelAndWait(msg, System.nanoTime() + timeoutNanos, false, cancelled)) {
            Thread.currentThread().interrupt();
        }
        return cancelled.stream().filter(t -> !t.done()).toList();
    }

    /**
     * Returns whether the runtime refuses new work. Any thread.
     *
     * @return true once {@link #close()} or {@link #shutdown} was called, or the loop thread ended
     */
    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("AsyncRuntime " + loop.name() + " is shut down (or shutting down) and accepts no new work");
        }
    }

    @Override
    public String toString() {
        return "AsyncRuntime[" + loop + "]";
    }

    /** Options for a runtime. */
    public static final class Builder {
        private String name = "asyncio-loop";
        private boolean debug;
        private boolean daemon = true;
        private EngineMode mode;
        private LoopClock clock = LoopClock.SYSTEM;
        private Duration slowCallbackDuration;
        private Duration blockedThreshold;
        private Duration shutdownTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * Names the loop and its thread.
         *
         * @param name the name (default {@code asyncio-loop})
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Sets the loop's debug mode; see {@link EventLoop#setDebug}.
         *
         * @param debug true for debug mode (default false)
         * @return this builder
         */
        public Builder debug(boolean debug) {
            this.debug = debug;
            return this;
        }

        /**
         * Sets whether the loop thread is a daemon thread.
         *
         * @param daemon true (the default) so that the loop thread does not keep the JVM alive
         * @return this builder
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * Chooses the engine; the default is {@link EngineMode#best()}.
         *
         * @param mode the engine
         * @return this builder
         * @throws NullPointerException if {@code mode} is null
         */
        public Builder mode(EngineMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Sets the loop's clock; a {@link ManualClock} gives virtual time.
         *
         * @param clock the clock (default {@link LoopClock#SYSTEM})
         * @return this builder
         * @throws NullPointerException if {@code clock} is null
         */
        public Builder clock(LoopClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets the slow-callback threshold; see {@link EventLoop#setSlowCallbackDuration}.
         *
         * @param d the threshold; {@link #start()} throws {@link IllegalArgumentException} if it is negative
         * @return this builder
         * @throws NullPointerException if {@code d} is null
         */
        public Builder slowCallbackDuration(Duration d) {
            this.slowCallbackDuration = Objects.requireNonNull(d, "d");
            return this;
        }

        /**
         * Sets the loop's blocked threshold; see {@link EventLoop#setBlockedThreshold}.
         *
         * @param threshold the threshold; {@link #start()} throws {@link IllegalArgumentException} if it is zero
         *                  or negative
         * @return this builder
         * @throws NullPointerException if {@code threshold} is null
         */
        public Builder blockedThreshold(Duration threshold) {
            this.blockedThreshold = Objects.requireNonNull(threshold, "threshold");
            return this;
        }

        /**
         * Sets how long {@link AsyncRuntime#close()} waits for cancelled tasks to finish.
         *
         * @param timeout the bound (default 10 seconds); zero does not wait
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if {@code timeout} is negative
         */
        public Builder shutdownTimeout(Duration timeout) {
            if (Objects.requireNonNull(timeout, "timeout").isNegative()) {
                throw new IllegalArgumentException("shutdown timeout must not be negative: " + timeout);
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        /**
         * Starts the runtime: its loop runs on its own thread when this returns. The builder may be used again.
         *
         * @return the running runtime
         * @throws IllegalArgumentException if the slow-callback duration is negative or the blocked threshold
         *         is zero or negative
         * @throws IllegalStateException if {@link EngineMode#FAST} was chosen and is not available, or the
         *         calling thread is interrupted while the loop starts
         */
        public AsyncRuntime start() {
            return new AsyncRuntime(this);
        }
    }
}
