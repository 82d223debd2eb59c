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
 * its first step is scheduled at once. The task runs its coroutine on a virtual thread of its own (in
 * {@link EngineMode#DIRECT}, as a continuation that the loop thread runs); when the
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
    /* Threading: written once on the loop when done; read anywhere after done() (release/acquire via state). */
    long finishedNanos;
    final TaskRunner runner;
    /* Threading: the task's own code while it runs. The context Context.run swapped in; null: the own one. */
    Context context;
    /*
     * The context the task was created with, whatever Context.run swaps in meanwhile: getContext(). Until
     * somebody asks for it, the creator's variables (an Object[] that is never changed in place), so a task that
     * never touches its context costs no Context object (24 bytes per task). Threading: any thread; the first
     * to ask makes the Context, by CAS so that every caller gets the same one.
     */
    private volatile Object ownContext;
    private static final java.lang.invoke.VarHandle OWN_CONTEXT;

    static {
        try {
            OWN_CONTEXT = java.lang.invoke.MethodHandles.lookup().findVarHandle(Task.class, "ownContext", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /* Threading: loop only. What the task is suspended on (CPython's _fut_waiter). Invariant: non-null only
       while the task is suspended at an await, or after a cancel() that the awaited task refused. */
    Future<?> futWaiter;
    /*
     * Cancellation, judged per scope (CPython tasks.py cancel/uncancel/cancelling, timeouts.py, taskgroups.py).
     *
     * What the coroutine gets at an await, in this order of precedence:
     *   1. pinnedAbort: the watchdog found it awaiting while pinned to the loop thread: IllegalStateException
     *      (checkPinnedAbort), because parking there would hang the loop.
     *   2. a cancellation: a delivered cancel() (mustCancel, or the awaited future cancelled by cancel()), or
     *      a CancelledError that the awaited future itself ended with. The open scopes judge it innermost
     *      first, as asyncio's __aexit__ methods do on the CancelledError's way out (cancellationToRaise):
     *        - each scope that requested a cancellation of its own takes it back (an uncancel(), simulated);
     *        - an expired Timeout owns it when no request made after its entry is left: TimeoutError, raised
     *          at the await itself because a Java close() cannot replace what leaves its try block. A waitFor
     *          scope judges the same way but converts on its own way out, so CancelledError is raised as is;
     *        - a TaskGroup with failed children (those done by now count, their done callbacks pending or
     *          not) raises its ExceptionGroup: errors have priority over a cancellation. A group in its
     *          close() catches the CancelledError its own await raises and, once its children are done and
     *          its scope is closed, hands it to the scopes outside to judge;
     *        - no scope owns it: the CancelledError itself.
     *   3. otherwise the awaited future's own outcome.
     * Counts: the cancel count (Scopes.cancelsRequested) is cancel() calls not undone by uncancel(); every
     * scope records it at entry, marks its own request, and takes that back when it closes (exitScope), so
     * cancelling() is back where it was once the scopes are closed. A group closing with errors while requests it did not make are left
     * re-arms mustCancel (keepCancelledAfterGroupErrors), so the next await raises, as 3.13's taskgroups.py does.
     */
    /* Threading: loop only. cancel() was called while the task was not awaiting: raise at the next step. */
    private boolean mustCancel;
    /* Threading: loop only (the task's own code). The cancel requests, the open Timeout and TaskGroup scopes
       (innermost last) and what they converted; null until the task is first cancelled or opens a scope (most
       tasks never are: one field here, where three fields, an int and a boolean cost 16 bytes per task). */
    private Scopes scopes;
    /* Threading: written by the closing loop's owner before the task's thread is woken (see abandon). */
    volatile boolean abandoned;
    /* Threading: set by the watchdog when the task awaited while pinned to the loop thread. */
    volatile boolean pinnedAbort;
    /* Threading: loop only; links of the loop's registry of pending tasks (see TaskRegistry). */
    Task<?> registryPrev;
    volatile Task<?> registryNext;

    /* context: the task's own Context, or the creator's variables (Context.currentEntries) to copy when asked. */
    Task(EventLoop loop, Coroutine<T> coro, String name, Object context) {
        super(loop);
        this.coro = coro;
        this.id = IDS.incrementAndGet();
        this.name = name;
        this.ownContext = context;
        this.createdNanos = System.nanoTime();
        this.runner = switch (loop.engineMode()) {
            case FAST -> new CarrierTaskRunner(this);
            case PORTABLE -> new HandOffTaskRunner(this);
            case DIRECT -> new DirectTaskRunner(this);
        };
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
        Object own = ownContext;
        if (own instanceof Context c) {
            return c;
        }
        Context made = Context.ofEntries((Object[]) own);
        Object witness = OWN_CONTEXT.compareAndExchange(this, own, made);
        return witness == own ? made : (Context) witness;
    }

    /* The context the task's code runs in now: the one Context.run entered, else its own. The task's own code. */
    Context currentContext() {
        Context c = context;
        return c != null ? c : getContext();
    }

    /* Whether ctx is the task's current or own context, without making the own one (Context.run's check). */
    boolean hasContext(Context ctx) {
        return context == ctx || ownContext == ctx;
    }

    /**
     * Returns the task's name: asyncio's {@code Task.get_name()}. Any thread.
     *
     * @return the name given at creation or by {@link #setName}, else {@code Task-<id>}; never null
     */
    public String getName() {
        String n = name;
        return n != null ? n : "Task-" + id;
    }

    /**
     * Sets the task's name: asyncio's {@code Task.set_name(value)}. Any thread.
     *
     * @param value the new name, stored as {@code String.valueOf(value)} (so null becomes {@code "null"})
     */
    public void setName(Object value) {
        name = String.valueOf(value);
        Thread t = runner.thread();
        if (t != null && runner.threadNamed) {
            t.setName(threadName()); // thread dumps follow the rename
        }
    }

    /* The name of the task's virtual thread in thread dumps: the task's name and the id the endpoint takes. */
    String threadName() {
        return getName() + " (task " + id + ")";
    }

    /**
     * Returns an id unique among the tasks of this process (asyncio has {@code id(task)}). Any thread.
     *
     * @return the id, counting up from 1 in creation order
     */
    public long getId() {
        return id;
    }

    /**
     * Returns when the task was created, for ages and durations. Any thread.
     *
     * @return the creation time as a {@link System#nanoTime()} reading (nanoseconds, comparable only to others)
     */
    public long createdNanos() {
        return createdNanos;
    }

    /**
     * Returns where the task was created (the caller of {@code createTask}, {@code gather}, …), when the loop
     * records creation sites ({@link EventLoop#setRecordCreationSites}, or debug mode, as asyncio's
     * {@code _source_traceback}). Any thread.
     *
     * @return the caller's frame, or empty if creation sites were not recorded when the task was created
     */
    public Optional<StackTraceElement> creationSite() {
        Extras e = peekExtras();
        return Optional.ofNullable(e != null ? e.creationSite : null);
    }

    /**
     * Returns when the task finished. Any thread.
     *
     * @return the time it became done as a {@link System#nanoTime()} reading (nanoseconds), or 0 while pending
     */
    public long finishedNanos() {
        return finishedNanos;
    }

    /**
     * Returns the coroutine this task runs: asyncio's {@code Task.get_coro()}. Any thread.
     *
     * @return the coroutine as given at creation, without a {@link TaskDecorator}'s wrapping; never null
     */
    public Coroutine<T> getCoro() {
        return coro instanceof Decorated<T> d ? d.original : coro;
    }

    /* The user's frames of the task's thread, newest first; without a task decorator's frames. */
    List<StackTraceElement> liveFrames(Thread t) {
        StackTraceElement[] frames = t.getStackTrace();
        if (runner instanceof DirectTaskRunner) {
            frames = DirectTaskRunner.ownFrames(frames); // the thread runs the loop too: only the task's part
        }
        return userFrames(frames);
    }

    private List<StackTraceElement> userFrames(StackTraceElement[] frames) {
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
     * Requests cancellation of this task: asyncio's {@code Task.cancel(msg)}. Unlike a plain future's, it does
     * not make the task done: a {@link CancelledError} carrying {@code msg} is raised inside the coroutine at
     * the await it is suspended in (the awaited future is cancelled), or at its next step or await if it is
     * not suspended. The coroutine may clean up, or catch the error and go on; the task is {@link #cancelled()}
     * only once the error propagates out of the coroutine. Each call counts one request ({@link #cancelling()}),
     * until {@link #uncancel()} takes it back. Where the task awaits inside {@link Timeout} or {@link TaskGroup}
     * scopes, they judge the delivered cancellation innermost first; a request made from outside them is raised
     * as {@link CancelledError}. Loop thread only (any thread while the loop is not running); from another
     * thread use {@link AsyncRuntime#cancel(long, String)} or {@link EventLoop#callSoonThreadsafe}.
     *
     * @param msg the message of the {@link CancelledError} to raise, or null for none
     * @return false if the task is already done; true otherwise, also when a cancellation is already pending
     * @throws IllegalStateException if called from a thread other than the running loop's
     */
    @Override
    public boolean cancel(String msg) {
        loop.checkThread("cancel");
        if (!isPending()) {
            return false;
        }
        Scopes st = cancelState();
        if (st.cancelling) {
            // The same request, come back round a cycle of awaits (A awaits B awaits A): it is under way; stop
            // here instead of recursing until the stack overflows (CPython: RecursionError).
            return true;
        }
        st.cancelsRequested++;
        Future<?> waiter = futWaiter;
        if (waiter != null && cancelWaiter(waiter, msg)) {
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

    /* Cancels what this task awaits; a cycle of awaits (A awaits B awaits A) comes back here and stops. */
    private boolean cancelWaiter(Future<?> waiter, String msg) {
        Scopes st = cancelState();
        st.cancelling = true;
        try {
            return waiter.cancel(msg);
        } finally {
            st.cancelling = false;
        }
    }

    /* The cancel requests: how many cancel() calls uncancel() has not undone. Loop (racy elsewhere). */
    private int cancelsRequested() {
        Scopes st = scopes;
        return st == null ? 0 : st.cancelsRequested;
    }

    /* The task's cancellation state, made at its first use. Loop only. */
    private Scopes cancelState() {
        Scopes st = scopes;
        if (st == null) {
            st = new Scopes();
            scopes = st;
        }
        return st;
    }

    /**
     * Returns the message a cancelled task was cancelled with (the message of its {@link CancelledError}); empty
     * while it is pending, if it finished otherwise, or if no message was given. Any thread.
     *
     * @return the cancel message of a cancelled task, or empty
     */
    public Optional<String> cancelMessage() {
        return cancelled() ? Optional.ofNullable(cancelMessage) : Optional.empty();
    }

    /**
     * Returns how many cancellation requests are pending: asyncio's {@code Task.cancelling()}. Loop thread
     * (racy elsewhere).
     *
     * @return the number of {@link #cancel(String)} calls not undone by {@link #uncancel()}; 0 if none
     */
    public int cancelling() {
        return cancelsRequested();
    }

    /**
     * Undoes one cancellation request, for code that caught a {@link CancelledError} it caused itself:
     * asyncio's {@code Task.uncancel()}. {@link Timeout} and {@link TaskGroup} do this for their own requests
     * when they close. Once none is left, a cancellation not yet delivered is dropped too (3.13). Loop thread
     * only (any thread while the loop is not running).
     *
     * @return the number of requests left, never below 0
     * @throws IllegalStateException if called from a thread other than the running loop's
     */
    public int uncancel() {
        loop.checkThread("uncancel");
        Scopes st = scopes;
        if (st == null) {
            return 0;
        }
        if (st.cancelsRequested > 0) {
            st.cancelsRequested--;
            if (st.cancelsRequested == 0) {
                mustCancel = false;
            }
        }
        return st.cancelsRequested;
    }

    /**
     * Refuses: a task's outcome is its coroutine's (asyncio raises {@code RuntimeError}).
     *
     * @param value ignored
     * @throws UnsupportedOperationException always
     */
    @Override
    public void setResult(T value) {
        throw new UnsupportedOperationException("Task does not support setResult: " + this);
    }

    /**
     * Refuses: a task's outcome is its coroutine's (asyncio raises {@code RuntimeError}).
     *
     * @param exception ignored
     * @throws UnsupportedOperationException always
     */
    @Override
    public void setException(Throwable exception) {
        throw new UnsupportedOperationException("Task does not support setException: " + this);
    }

    /**
     * Returns the task's frames without limit: asyncio's {@code Task.get_stack()}; see {@link #getStack(int)}.
     *
     * @return the frames, oldest first; empty if there are none
     */
    public List<StackTraceElement> getStack() {
        return getStack(Integer.MAX_VALUE);
    }

    /**
     * Returns the task's frames, oldest first, as asyncio's {@code get_stack}: where it is suspended (or
     * running) while pending; the traceback of its exception if it failed; nothing if it finished or was
     * cancelled. With a limit, the newest {@code limit} frames of a stack and the oldest {@code limit}
     * frames of a traceback are returned; a limit of zero or less returns nothing. Frames of the engine
     * itself are left out. Any thread.
     *
     * @param limit the most frames to return; zero or less returns none
     * @return a new list of the frames, oldest first; empty if there are none
     */
    public List<StackTraceElement> getStack(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        if (isPending() && runner instanceof DirectTaskRunner d) {
            List<StackTraceElement> newestFirst = userFrames(d.liveFrames());
            List<StackTraceElement> frames = new ArrayList<>(newestFirst.subList(0, Math.min(limit, newestFirst.size())));
            Collections.reverse(frames);
            return frames;
        }
        if (isPending()) {
            Thread t = runner.thread();
            if (t == null) {
                return List.of();
            }
            List<StackTraceElement> newestFirst = liveFrames(t);
            if (runner.thread() != t) {
                // Done meanwhile, and its thread serves another task now: those frames are not this task's.
                return getStack(limit);
            }
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

    /** Prints the task's stack or traceback to standard error: asyncio's {@code Task.print_stack()}. Any thread. */
    public void printStack() {
        printStack(Integer.MAX_VALUE, System.err);
    }

    /**
     * Prints the stack or traceback of this task, oldest frame first, in asyncio's format: asyncio's
     * {@code Task.print_stack(limit=, file=)}. A failed task's exception follows its traceback. Any thread.
     *
     * @param limit the most frames to print, as {@link #getStack(int)}; zero or less prints none
     * @param out where to print
     * @throws NullPointerException if {@code out} is null
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
     *
     * @return the exception, or empty if the task is pending, succeeded or was cancelled
     */
    public java.util.Optional<Throwable> failure() {
        return state() == java.util.concurrent.Future.State.FAILED ? java.util.Optional.ofNullable(peekException())
                : java.util.Optional.empty();
    }

    /**
     * Returns what the task is suspended on: asyncio's {@code wait_for=} in the repr. Any thread (racy).
     *
     * @return the awaited future, or null if the task is not suspended at an await
     */
    public Future<?> awaiting() {
        return futWaiter;
    }

    /** Returns a description in asyncio's repr style, e.g. {@code <Task pending name='Task-1' wait_for=<Future pending>>}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<Task ");
        if (isPending() && cancelsRequested() > 0) {
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
            value = callCoroutine();
        } catch (Throwable t) {
            failure = t;
        }
        finishBody(value, failure);
    }

    /* The coroutine itself, unless cancelled before its first step. The task's own code. */
    Object callCoroutine() throws Exception {
        // Cancelled before its first step: like throwing into an unstarted coroutine, the body never runs.
        raisePendingCancel();
        return coro.call();
    }

    /* The coroutine returned value or threw failure: the task's outcome. The task's own code, after its body. */
    void finishBody(Object value, Throwable failure) {
        if (abandoned) {
            // Finished by the closing loop already; this was its thread unwinding. What a finally block threw
            // on the way out has no one to reach but the log (asyncio: "Exception ignored in: <coroutine>").
            if (failure != null && !(failure instanceof CancelledError)) {
                loop.reportUnwindFailure(this, failure);
            }
            return;
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

    /* One open Timeout or TaskGroup scope of this task; only Task reads or writes its state.
       Threading: loop only, in the task's own code (the timeout's expiry runs on the loop too). */
    static final class Scope {
        /* The group, or null for a timeout. */
        private final TaskGroup group;
        /* Raise the scope's own exception at the await (try-with-resources: a timeout's TimeoutError, a group's
           ExceptionGroup) rather than let CancelledError through and convert on the way out (waitFor, body forms). */
        private final boolean convertAtAwait;
        private final int cancellingAtEntry;
        /* This scope cancelled the task and has not taken the request back yet. */
        private boolean cancelRequested;
        /* A group in close(): it catches what its own await raises. */
        private boolean closing;

        private Scope(TaskGroup group, boolean convertAtAwait, int cancellingAtEntry) {
            this.group = group;
            this.convertAtAwait = convertAtAwait;
            this.cancellingAtEntry = cancellingAtEntry;
        }
    }

    /* Opens a timeout scope (asyncio's Timeout.__aenter__ records cancelling()). Loop only, in this task. */
    Scope enterTimeoutScope(boolean convertAtAwait) {
        return pushScope(new Scope(null, convertAtAwait, cancelsRequested()));
    }

    /*
     * Opens a task group scope in this, its parent task. convertAtAwait: the try-with-resources group raises its
     * ExceptionGroup at the body's await; TaskGroup.run's lets CancelledError through and converts on its way out.
     * Loop only, in this task.
     */
    Scope enterGroupScope(TaskGroup group, boolean convertAtAwait) {
        return pushScope(new Scope(group, convertAtAwait, cancelsRequested()));
    }

    /*
     * A task's cancel requests, its open scopes and the last conversion one made. Cancellations and scopes are
     * rare next to tasks, so they live apart from Task, whose every field costs per suspended task. Threading:
     * loop only (cancelling() reads the count, racy, from elsewhere).
     */
    @SuppressWarnings("serial")
    private static final class Scopes extends ArrayList<Scope> {
        /* cancel() requests not undone by uncancel(). */
        int cancelsRequested;
        /* Inside cancelWaiter: a cancel that comes round a cycle of awaits back to this task. */
        boolean cancelling;
        /* The last TimeoutError or ExceptionGroup a scope raised at an await in place of a CancelledError
           (isConvertedCancellation). */
        RuntimeException convertedForScope;
        /* The scope that made convertedForScope. */
        Scope convertedBy;

        Scopes() {
            super(0); // grows on the first scope: a task that is only cancelled holds no array
        }
    }

    private Scope pushScope(Scope scope) {
        cancelState().add(scope);
        return scope;
    }

    /* The scope cancels this task (a timeout expired, a child of the group failed); it takes it back on exit. */
    void requestScopeCancel(Scope scope) {
        if (cancel(null)) {
            scope.cancelRequested = true;
        }
    }

    /* A group's close() begins: from now on it catches what its own await raises. */
    void scopeClosing(Scope scope) {
        scope.closing = true;
    }

    /*
     * Whether cancellations the scope did not make were requested since it was entered and are still
     * outstanding: a group's body is being cancelled from outside (asyncio sees the CancelledError in __aexit__).
     */
    boolean cancelledFromOutside(Scope scope) {
        return cancelsRequested() > scope.cancellingAtEntry + (scope.cancelRequested ? 1 : 0);
    }

    /* Closes the scope: takes back its own request, if any (uncancel()). Returns cancelling() after that. */
    int exitScope(Scope scope) {
        if (scopes != null) {
            if (scopes.convertedBy == scope) {
                scopes.convertedBy = null; // its conversion no longer stands for an enclosing scope's cancellation
                scopes.convertedForScope = null;
            }
            // Normally the innermost; try-with-resources closes in order, a hand-written close may not.
            for (int i = scopes.size() - 1; i >= 0; i--) {
                if (scopes.get(i) == scope) {
                    scopes.remove(i);
                    break;
                }
            }
        }
        if (scope.cancelRequested) {
            scope.cancelRequested = false;
            return uncancel();
        }
        return cancelsRequested();
    }

    /*
     * A group closes with errors while cancellations it did not make are outstanding: asyncio 3.13 uncancels
     * and cancels again, so the count stays and the next await raises CancelledError (3.13's taskgroups.py).
     */
    void keepCancelledAfterGroupErrors() {
        if (cancelsRequested() > 0) {
            uncancel();
            cancel(null);
        }
    }

    /* Throws the pending cancellation, if there is one, as the scopes judge it: a yield or a step start. */
    void raisePendingCancel() {
        if (mustCancel) {
            mustCancel = false;
            throw cancellationToRaise(makeCancelledError());
        }
    }

    /* Takes the pending cancellation, if any: the task suspended, so it is delivered now (CPython's __step). */
    boolean takeMustCancel() {
        boolean pending = mustCancel;
        mustCancel = false;
        return pending;
    }

    /* The task starts to await {@code waiter}: a cancel() that came while it ran cancels that (CPython's __step). */
    void cancelNewWaiter(Future<?> waiter) {
        if (mustCancel && waiter.cancel(cancelMessage)) {
            mustCancel = false;
        }
    }

    /*
     * What to raise in the coroutine for a CancelledError at an await: the open scopes judge it, innermost
     * first, as their exits would (see the comment above mustCancel).
     */
    RuntimeException cancellationToRaise(CancelledError cancelled) {
        if (scopes == null) {
            return cancelled;
        }
        int left = scopes.cancelsRequested;
        for (int i = scopes.size() - 1; i >= 0; i--) {
            Scope scope = scopes.get(i);
            if (scope.cancelRequested) {
                left--; // this scope's exit takes its own request back
            }
            if (scope.group != null) {
                if (scope.closing) {
                    // Raised at the group's own await in close(), which catches it, waits for the children
                    // and then lets the scopes outside judge it (TaskGroup.close).
                    return cancelled;
                }
                if (scope.group.hasErrors()) {
                    if (!scope.convertAtAwait) {
                        return cancelled; // TaskGroup.run converts on its own way out, as __aexit__ does
                    }
                    scopes.convertedBy = scope;
                    return scopes.convertedForScope = scope.group.deliverToBody();
                }
                continue; // no errors: the CancelledError goes on to the scopes outside
            }
            if (scope.cancelRequested && left <= scope.cancellingAtEntry) {
                // This timeout expired and no newer request is left: it owns the cancellation.
                if (!scope.convertAtAwait) {
                    return cancelled; // waitFor and Async.timeout(delay, body) convert on their own way out
                }
                TimeoutError timeout = new TimeoutError("the timeout expired");
                timeout.initCause(cancelled);
                scopes.convertedBy = scope;
                return scopes.convertedForScope = timeout;
            }
        }
        return cancelled;
    }

    /*
     * Whether {@code e} is a cancellation that a try-with-resources scope converted at an await (its
     * TimeoutError or ExceptionGroup): a body-form scope inside it lets it through as the CancelledError it
     * stands for, as asyncio's inner __aexit__ lets the CancelledError through.
     */
    boolean isConvertedCancellation(Throwable e) {
        // Only an enclosing scope's: a scope inside has closed by now, and exitScope forgot its conversion.
        return e != null && scopes != null && e == scopes.convertedForScope;
    }

    /*
     * The enclosing try-with-resources group whose ExceptionGroup {@code e} is (see isConvertedCancellation),
     * or null: a body-form group inside it that fails adds its own group to that one, as asyncio's outer
     * __aexit__ would collect it.
     */
    TaskGroup convertingGroup(Throwable e) {
        return isConvertedCancellation(e) && scopes.convertedBy.group != null ? scopes.convertedBy.group : null;
    }

    /*
     * Finishes a pending task as cancelled without running its coroutine again: its loop closed (see
     * EventLoop.close). started: whether the loop had registered it. Loop owner, the loop not running.
     */
    void abandon(String msg, boolean started) {
        if (!isPending()) {
            return;
        }
        abandoned = true;
        cancelledExc = new CancelledError(msg);
        finishedNanos = System.nanoTime();
        finishCancelled(msg);
        if (started) {
            loop.taskFinished(this);
            // Its thread, parked at an await, would hold its stack (and all it references) for good: wake it
            // with the CancelledError so its finally blocks run and it ends, off the closed loop (asyncio closes
            // a destroyed coroutine the same way, with GeneratorExit).
            runner.unwind();
        }
    }

    /*
     * The await of an abandoned task: the first one, where it was parked, raises its CancelledError once; a
     * later one (the code caught it and awaited again) parks the thread for good, as Python gives up on a
     * coroutine that ignores GeneratorExit, rather than let it spin off the loop. Task thread.
     */
    void checkAbandoned() {
        if (!abandoned) {
            return;
        }
        if (runner instanceof DirectTaskRunner d) {
            d.checkAbandoned(); // run by the closing thread itself: parking it would hang the close
            return;
        }
        if (UNWINDING.get() == null) {
            UNWINDING.set(this);
            throw new CancelledError(cancelMessage);
        }
        parkForGood();
    }

    /* The abandoned task whose thread this is, once it was woken to unwind. */
    private static final ThreadLocal<Task<?>> UNWINDING = new ThreadLocal<>();

    /* For an await on a thread that is no task of a running loop: an unwinding task's thread parks for good. */
    static void parkIfUnwinding() {
        Task<?> unwinding = UNWINDING.get();
        if (unwinding != null) {
            if (unwinding.runner instanceof DirectTaskRunner d) {
                d.yieldForGood(); // back to the closing thread's unwind(), never to be run again
            }
            parkForGood();
        }
    }

    /*
     * DIRECT: runs {@code body} (the task's continuation, resumed by the closing thread) marked as this thread's
     * unwinding task, so that an await outside any running loop suspends it for good instead of failing.
     */
    static void unwindOnThisThread(Task<?> task, Runnable body) {
        Task<?> outer = UNWINDING.get();
        UNWINDING.set(task);
        try {
            body.run();
        } finally {
            if (outer == null) {
                UNWINDING.remove();
            } else {
                UNWINDING.set(outer);
            }
        }
    }

    /* The message of the CancelledError an abandoned task's await raises. */
    String cancelMessageForUnwind() {
        return cancelMessage;
    }

    private static void parkForGood() {
        for (;;) {
            java.util.concurrent.locks.LockSupport.park();
        }
    }

    void checkPinnedAbort() {
        if (pinnedAbort && runner instanceof DirectTaskRunner d) {
            pinnedAbort = false;
            String cause = d.takePinnedCause();
            throw d.pinnedError(cause, null);
        }
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
