package io.asyncruntime;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A coroutine running on an {@link EventLoop}: asyncio's {@code Task}.
 *
 * <p>Create one with {@link Async#createTask} (or {@link EventLoop#createTask}, {@link AsyncRuntime#createTask});
 * its first step is scheduled at once. The task runs its coroutine on a virtual thread of its own; when the
 * coroutine awaits a pending future the task suspends, and the loop runs other tasks until the future is done.
 *
 * <p>{@link #cancel(String)} requests cancellation: a {@link CancelledError} is raised in the coroutine at
 * the await it is suspended in (or at its next step). The coroutine may clean up, or even catch it and go
 * on; the task is {@link #cancelled()} only once the error has propagated out of the coroutine.
 *
 * <p>The loop keeps every pending task strongly reachable, so a task never vanishes mid-flight, unlike
 * asyncio's weakly referenced tasks; a finished task is forgotten by the loop.
 *
 * <p>Threading: as {@link Future}: mutators on the loop; {@link #getName()}, {@link #getId()},
 * {@link #done()}, {@link #getStack()} and {@link #toString()} from any thread.
 *
 * @param <T> the type of the coroutine's result
 */
public class Task<T> extends Future<T> {
    private static final AtomicLong IDS = new AtomicLong();

    private final Coroutine<T> coro;
    private final long id;
    /* Threading: any thread; null means the default name "Task-<id>", made when first asked for. */
    private volatile String name;
    final long createdNanos;
    /* Threading: written once before the task is published; read anywhere. Null unless the loop records them. */
    StackTraceElement creationSite;
    /* Threading: written once on the loop when done; read anywhere after done() (release/acquire via state). */
    long finishedNanos;
    final TaskRunner runner;
    /* Threading: the task's own code while it runs (Context.run may swap it). */
    Context context;
    /* The context the task was created with, whatever Context.run swaps in meanwhile: getContext(). */
    private final Context ownContext;
    /* Threading: loop only. What the task is suspended on (CPython's _fut_waiter). Invariant: non-null only
       while the task is suspended at an await, or after a cancel() that the awaited task refused. */
    Future<?> futWaiter;
    /* Threading: loop only. cancel() was called while the task was not awaiting: raise at the next step. */
    boolean mustCancel;
    /* Threading: loop only. cancel() requests not undone by uncancel(). */
    private int numCancelsRequested;
    /* Threading: loop only. Cancellations requested by expired Timeout scopes not yet closed, and whether
       one of them still has to be delivered as a TimeoutError. */
    int timeoutCancels;
    boolean timeoutPending;
    /* Threading: loop only. A TaskGroup whose child failed and that cancelled this task to interrupt its body:
       the cancellation is raised as the group's ExceptionGroup. */
    TaskGroup groupFailure;
    /* Threading: set by the watchdog when the task awaited while pinned to the loop thread. */
    volatile boolean pinnedAbort;
    /* Threading: loop only; links of the loop's registry of pending tasks (see TaskRegistry). */
    Task<?> registryPrev;
    volatile Task<?> registryNext;

    Task(EventLoop loop, Coroutine<T> coro, String name, Context context) {
        super(loop);
        this.coro = coro;
        this.id = IDS.incrementAndGet();
        this.name = name;
        this.context = context;
        this.ownContext = context;
        this.createdNanos = System.nanoTime();
        this.runner = loop.engineMode() == EngineMode.FAST ? new CarrierTaskRunner(this) : new HandOffTaskRunner(this);
    }

    /**
     * Returns the context the task runs in: asyncio's {@code Task.get_context()} (3.12). It is a copy of the
     * creator's context (or the one given to {@link Runner#run(Coroutine, Context)}), holds what the task's
     * {@link ContextVar#set} calls stored, and stays the same object when the task's code enters another
     * context with {@link Context#run}. Any thread may take the reference; read the variables in it on the
     * loop thread between the task's steps, or once the task is done.
     *
     * @return the task's context, the same object for the task's whole life
     */
    public Context getContext() {
        return ownContext;
    }

    /** Returns the task's name; {@code Task-<id>} unless one was given or set. */
    public String getName() {
        String n = name;
        return n != null ? n : "Task-" + id;
    }

    /** Sets the task's name to {@code String.valueOf(value)}. Any thread. */
    public void setName(Object value) {
        name = String.valueOf(value);
    }

    /** Returns an id unique among the tasks of this process (asyncio has {@code id(task)}). */
    public long getId() {
        return id;
    }

    /** Returns when the task was created, as {@link System#nanoTime()}; for ages and durations. */
    public long createdNanos() {
        return createdNanos;
    }

    /**
     * Returns where the task was created (the caller of {@code createTask}, {@code gather}, …), when the loop
     * records creation sites ({@link EventLoop#setRecordCreationSites}, or debug mode, as asyncio's
     * {@code _source_traceback}). Any thread.
     */
    public Optional<StackTraceElement> creationSite() {
        return Optional.ofNullable(creationSite);
    }

    /** Returns when the task finished, as {@link System#nanoTime()}, or 0 while it is pending. */
    public long finishedNanos() {
        return finishedNanos;
    }

    /** Returns the coroutine this task runs (as given, without a {@link TaskDecorator}'s wrapping). */
    public Coroutine<T> getCoro() {
        return coro instanceof Decorated<T> d ? d.original : coro;
    }

    /* The user's frames of the task's thread, newest first; without a task decorator's frames. */
    List<StackTraceElement> liveFrames(Thread t) {
        StackTraceElement[] frames = t.getStackTrace();
        return coro instanceof Decorated<T> d
                ? io.asyncruntime.internal.StackFrames.userFrames(frames, d.original.getClass())
                : io.asyncruntime.internal.StackFrames.userFrames(frames);
    }

    /* A coroutine wrapped by the loop's TaskDecorator, keeping the one the task was created with. */
    record Decorated<T>(Coroutine<T> original, Coroutine<T> wrapped) implements Coroutine<T> {
        @Override
        public T call() throws Exception {
            return wrapped.call();
        }
    }

    /**
     * Requests cancellation; see the class comment.
     *
     * @return false if the task is already done, else true (also when a cancellation is already pending)
     */
    @Override
    public boolean cancel(String msg) {
        loop.checkThread("cancel");
        if (!isPending()) {
            return false;
        }
        numCancelsRequested++;
        Future<?> waiter = futWaiter;
        if (waiter != null && waiter.cancel(msg)) {
            // Leave futWaiter set: if it is a task that refuses to be cancelled, the next cancel() of this
            // task must reach it again.
            return true;
        }
        // Not awaiting anything cancellable: the task is ready to run or running, so its next step (or
        // its next await) starts by raising CancelledError.
        mustCancel = true;
        cancelMessage = msg;
        return true;
    }

    /**
     * Returns the message a cancelled task was cancelled with (the message of its {@link CancelledError}); empty
     * while it is pending, if it finished otherwise, or if no message was given. Any thread.
     */
    public Optional<String> cancelMessage() {
        return cancelled() ? Optional.ofNullable(cancelMessage) : Optional.empty();
    }

    /** Returns how many cancellation requests are pending: {@code cancel()} calls not undone by {@link #uncancel()}. */
    public int cancelling() {
        return numCancelsRequested;
    }

    /**
     * Undoes one cancellation request, for code that caught a {@link CancelledError} it caused itself
     * (timeouts, task groups). Once none is left, a cancellation not yet delivered is dropped too.
     *
     * @return the number of requests left
     */
    public int uncancel() {
        loop.checkThread("uncancel");
        if (numCancelsRequested > 0) {
            numCancelsRequested--;
            if (numCancelsRequested == 0) {
                mustCancel = false;
            }
        }
        return numCancelsRequested;
    }

    /**
     * Refused: a task's outcome is its coroutine's.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void setResult(T value) {
        throw new UnsupportedOperationException("Task does not support setResult: " + this);
    }

    /**
     * Refused: a task's outcome is its coroutine's.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void setException(Throwable exception) {
        throw new UnsupportedOperationException("Task does not support setException: " + this);
    }

    /** Returns {@link #getStack(int)} without limit. */
    public List<StackTraceElement> getStack() {
        return getStack(Integer.MAX_VALUE);
    }

    /**
     * Returns the task's frames, oldest first, as asyncio's {@code get_stack}: where it is suspended (or
     * running) while pending; the traceback of its exception if it failed; nothing if it finished or was
     * cancelled. With a limit, the newest {@code limit} frames of a stack and the oldest {@code limit}
     * frames of a traceback are returned; a limit of zero or less returns nothing. Frames of the engine
     * itself are left out. Any thread.
     */
    public List<StackTraceElement> getStack(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        if (isPending()) {
            Thread t = runner.thread();
            if (t == null) {
                return List.of();
            }
            List<StackTraceElement> newestFirst = liveFrames(t);
            List<StackTraceElement> frames = new ArrayList<>(newestFirst.subList(0, Math.min(limit, newestFirst.size())));
            Collections.reverse(frames);
            return frames;
        }
        if (cancelled() || state() != java.util.concurrent.Future.State.FAILED) {
            return List.of();
        }
        List<StackTraceElement> frames = new ArrayList<>(io.asyncruntime.internal.StackFrames.userFrames(exceptionForIntrospection().getStackTrace()));
        Collections.reverse(frames);
        return frames.subList(0, Math.min(limit, frames.size()));
    }

    /** Prints {@link #getStack()} to standard error. */
    public void printStack() {
        printStack(Integer.MAX_VALUE, System.err);
    }

    /**
     * Prints the stack or traceback of this task, oldest frame first, in asyncio's format.
     *
     * @throws NullPointerException if out is null
     */
    public void printStack(int limit, PrintStream out) {
        java.util.Objects.requireNonNull(out, "out");
        List<StackTraceElement> frames = getStack(limit);
        boolean failed = !isPending() && state() == java.util.concurrent.Future.State.FAILED;
        if (frames.isEmpty()) {
            out.println("No stack for " + this);
        } else if (failed) {
            out.println("Traceback for " + this + " (most recent call last):");
        } else {
            out.println("Stack for " + this + " (most recent call last):");
        }
        for (StackTraceElement f : frames) {
            out.println("  at " + f);
        }
        if (failed) {
            out.println(exceptionForIntrospection());
        }
    }

    /**
     * Returns the exception the task failed with, if it failed. Unlike {@link #exception()} this is for
     * introspection: it does not count as retrieving the exception. Any thread.
     */
    public java.util.Optional<Throwable> failure() {
        return state() == java.util.concurrent.Future.State.FAILED ? java.util.Optional.ofNullable(peekException())
                : java.util.Optional.empty();
    }

    /** Returns what the task is suspended on, or null: asyncio's {@code wait_for=} in the repr. Any thread (racy). */
    public Future<?> awaiting() {
        return futWaiter;
    }

    /** Returns a description in asyncio's repr style, e.g. {@code <Task pending name='Task-1' wait_for=<Future pending>>}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<Task ");
        if (isPending() && numCancelsRequested > 0) {
            sb.append("cancelling");
        } else {
            appendStateWord(sb);
        }
        sb.append(" name='").append(getName()).append("' coro=").append(getCoro());
        appendOutcome(sb);
        Future<?> waiter = futWaiter;
        if (waiter != null && isPending()) {
            sb.append(" wait_for=").append(waiter);
        }
        return sb.append('>').toString();
    }

    /* The task's virtual thread runs this, once: the coroutine, then the outcome. */
    void runBody() {
        Object value = null;
        Throwable failure = null;
        try {
            if (mustCancel) {
                // Cancelled before its first step: like throwing into an unstarted coroutine, the body never runs.
                mustCancel = false;
                throw cancellationToRaise(makeCancelledError());
            }
            value = coro.call();
        } catch (Throwable t) {
            failure = t;
        }
        finishedNanos = System.nanoTime(); // before the state is published, so readers that see done() see it
        if (failure == null) {
            if (mustCancel) {
                // cancel() came during the last step and the coroutine returned without awaiting again.
                mustCancel = false;
                finishCancelled(cancelMessage);
            } else {
                finishWithResult(value);
            }
        } else if (failure instanceof CancelledError ce) {
            cancelledExc = ce;
            finishCancelled(ce.getMessage());
        } else {
            finishWithException(failure);
        }
        loop.taskFinished(this);
    }

    /*
     * What to raise in the coroutine for a delivered cancellation: a TimeoutError when an expired Timeout
     * scope caused it and no other cancellation is pending (see Timeout), else the CancelledError itself.
     */
    RuntimeException cancellationToRaise(CancelledError cancelled) {
        TaskGroup group = groupFailure;
        if (group != null) {
            // A child's failure has priority over a cancellation, as in asyncio's TaskGroup.
            groupFailure = null;
            return group.deliverToBody();
        }
        if (timeoutPending) {
            timeoutPending = false;
            if (numCancelsRequested <= timeoutCancels) {
                TimeoutError timeout = new TimeoutError("the timeout expired");
                timeout.initCause(cancelled);
                return timeout;
            }
        }
        return cancelled;
    }

    void checkPinnedAbort() {
        if (pinnedAbort) {
            pinnedAbort = false;
            throw new IllegalStateException(getName() + " awaited while its virtual thread was pinned to the loop"
                    + " thread (a native frame or a class initializer is on its stack), which would hang the loop");
        }
    }

    private Throwable exceptionForIntrospection() {
        // exception() would mark it retrieved; introspection must not change what is reported.
        try {
            return peekException();
        } catch (RuntimeException e) {
            return e;
        }
    }
}
