package io.asyncruntime;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Runs several coroutines, one after the other, on one event loop and in one context, then closes the loop:
 * asyncio's {@code Runner} (Python 3.11).
 *
 * <pre>{@code
 * try (Runner runner = new Runner()) {
 *     runner.run(() -> { USER.set("ada"); return null; });
 *     String user = runner.run(USER::get);   // "ada": the same context
 * }
 * }</pre>
 *
 * <p>The loop is created on first use ({@link #run} or {@link #getLoop}), from the loop factory if one was
 * given, with the debug flag if one was given; the context is a copy of the context current at that moment.
 * Each {@link #run} wraps its coroutine in a task that runs in that one context (not a copy), so context
 * variables set by one run are seen by the next. Tasks a run leaves pending go on running during later runs.
 * {@link #close()} cancels the tasks still pending, waits for them to finish, and closes the loop, exactly
 * as {@link Async#run} does at its end ({@link Async#run} is a Runner used once).
 *
 * <p>Differences from asyncio, which Java forces: there is no SIGINT handling (a Java program has no
 * {@code KeyboardInterrupt}); {@code close()} on a runner never used closes it for good (Python's only
 * does so once the runner was entered, and Java has no separate "enter"); {@code close()} from inside one of
 * its own coroutines is refused instead of cancelling the caller.
 *
 * <p>Threading: not thread-safe. Use a runner from one thread at a time, as the loop it drives; the
 * thread calling {@link #run} runs the loop until the coroutine is done.
 */
public final class Runner implements AutoCloseable {
    /*
     * Lifecycle, as runners.py's _State:
     *   CREATED --run()/getLoop()--> INITIALIZED --close()--> CLOSED
     *   CREATED --close()--> CLOSED        (Java-only: see the class comment)
     * loop and context are non-null exactly in INITIALIZED.
     */
    private enum State { CREATED, INITIALIZED, CLOSED }

    private final Supplier<? extends EventLoop> loopFactory;
    private final Boolean debug;
    /* Threading: the thread using the runner (see the class comment), as the three below. */
    private State state = State.CREATED;
    private EventLoop loop;
    private Context context;

    /** Creates a runner whose loop is a {@code new EventLoop()} with debug mode off. */
    public Runner() {
        this(EventLoop::new, null);
    }

    /**
     * Creates a runner whose loop is a {@code new EventLoop()} with debug mode set to {@code debug}.
     *
     * @param debug whether the loop runs in debug mode (asyncio's {@code debug=})
     */
    public Runner(boolean debug) {
        this(EventLoop::new, debug);
    }

    /**
     * Creates a runner whose loop comes from {@code loopFactory} (asyncio's {@code loop_factory}), e.g.
     * {@code EventLoop.builder().name("batch")::build}, keeping the loop's own debug setting.
     *
     * @param loopFactory makes the loop on first use; called once
     * @throws NullPointerException if {@code loopFactory} is null
     */
    public Runner(Supplier<? extends EventLoop> loopFactory) {
        this(loopFactory, null);
    }

    /**
     * Creates a runner whose loop comes from {@code loopFactory}, with debug mode set to {@code debug}.
     *
     * @param loopFactory makes the loop on first use; called once
     * @param debug       whether the loop runs in debug mode
     * @throws NullPointerException if {@code loopFactory} is null
     */
    public Runner(Supplier<? extends EventLoop> loopFactory, boolean debug) {
        this(loopFactory, Boolean.valueOf(debug));
    }

    private Runner(Supplier<? extends EventLoop> loopFactory, Boolean debug) {
        this.loopFactory = Objects.requireNonNull(loopFactory, "loopFactory");
        this.debug = debug;
    }

    /**
     * Runs {@code coro} as a task on the runner's loop, in the runner's context, until it is done, and
     * returns its value: asyncio's {@code Runner.run}. The calling thread runs the loop meanwhile.
     *
     * @param <T>  the coroutine's result type
     * @param coro the coroutine, run as a new task
     * @return the coroutine's value
     * @throws NullPointerException if {@code coro} is null
     * @throws IllegalStateException if the runner is closed, a loop is already running in this thread
     *         (calling it from a coroutine), or the loop factory gave a closed or running loop
     * @throws CancelledError if the task was cancelled (any other exception: the coroutine's own)
     */
    public <T> T run(Coroutine<T> coro) {
        return run(coro, null);
    }

    /**
     * Runs {@code coro} as {@link #run(Coroutine)} does, in {@code context} instead of the runner's
     * (null: the runner's): asyncio's {@code Runner.run(coro, context=...)}.
     *
     * @param <T>     the coroutine's result type
     * @param coro    the coroutine, run as a new task
     * @param context the context the task runs in (itself, not a copy), or null for the runner's
     * @return the coroutine's value
     * @throws NullPointerException if {@code coro} is null
     * @throws IllegalStateException as {@link #run(Coroutine)}
     * @throws CancelledError if the task was cancelled (any other exception: the coroutine's own)
     */
    public <T> T run(Coroutine<T> coro, Context context) {
        Objects.requireNonNull(coro, "coro");
        if (EventLoop.currentLoopOrNull() != null) {
            // Fail before touching the runner: a nested run would need a second loop on this thread.
            throw new IllegalStateException("Runner.run() cannot be called from a running event loop");
        }
        lazyInit();
        Task<T> task = loop.createTask(coro, null, context != null ? context : this.context);
        return loop.runUntilComplete(task);
    }

    /**
     * Returns the runner's loop, creating it if this is the first use: asyncio's {@code Runner.get_loop}.
     *
     * @return the loop
     * @throws IllegalStateException if the runner is closed
     */
    public EventLoop getLoop() {
        lazyInit();
        return loop;
    }

    /**
     * Returns the context the runner's coroutines run in, creating the loop and the context if this is the
     * first use. Set variables in it with {@link Context#run}.
     *
     * @return the runner's context
     * @throws IllegalStateException if the runner is closed
     */
    public Context getContext() {
        lazyInit();
        return context;
    }

    /**
     * Returns whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return state == State.CLOSED;
    }

    /**
     * Cancels the loop's pending tasks, waits for them to finish, closes the loop and the runner: asyncio's
     * {@code Runner.close}. Failures of the cancelled tasks go to the loop's exception handler. Closing twice
     * does nothing.
     *
     * @throws IllegalStateException if called while the runner's loop is running (from one of its coroutines)
     */
    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.INITIALIZED && loop.isRunning()) {
            throw new IllegalStateException("Runner.close() cannot be called while its loop is running");
        }
        EventLoop l = loop;
        state = State.CLOSED;
        loop = null;
        context = null;
        if (l == null) {
            return;
        }
        try {
            Async.cancelAllTasks(l);
        } finally {
            l.close();
        }
    }

    private void lazyInit() {
        if (state == State.CLOSED) {
            throw new IllegalStateException("Runner is closed");
        }
        if (state == State.INITIALIZED) {
            return;
        }
        EventLoop l = Objects.requireNonNull(loopFactory.get(), "the loop factory returned null");
        if (l.isClosed()) {
            throw new IllegalStateException("the loop factory returned a closed loop: " + l);
        }
        if (debug != null) {
            l.setDebug(debug);
        }
        loop = l;
        context = Context.copyContext();
        state = State.INITIALIZED;
    }

    @Override
    public String toString() {
        return "<Runner " + state.name().toLowerCase(java.util.Locale.ROOT) + (loop != null ? " " + loop : "") + ">";
    }
}
