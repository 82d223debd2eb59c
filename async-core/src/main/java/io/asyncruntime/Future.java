package io.asyncruntime;

import io.asyncruntime.internal.Throwables;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The result of an operation that finishes later: asyncio's {@code Future}.
 *
 * <p>A future belongs to one {@link EventLoop}. A coroutine awaits it with {@link #await()}; callbacks added
 * with {@link #addDoneCallback} run on the loop, scheduled with {@code callSoon} when the future is done, in
 * the order they were added and each in the context that was current when it was added.
 *
 * <p>Threading: not thread-safe, like asyncio's. Mutators ({@code setResult}, {@code setException},
 * {@code cancel}, callbacks) must be called on the loop while it runs, and throw
 * {@link IllegalStateException} from any other thread; a loop that is not running belongs to the thread
 * that drives it. {@link #done()}, {@link #cancelled()} and {@link #state()} may be read from any thread.
 * Hand work to a loop from other threads with {@link EventLoop#callSoonThreadsafe} or {@link AsyncRuntime}.
 *
 * @param <T> the type of the result
 */
public class Future<T> implements Awaitable<T> {
    /*
     * State machine (CPython futures.py):
     *
     *   PENDING ──setResult/setException──▶ FINISHED
     *      └──────────cancel──────────────▶ CANCELLED
     *
     * Invariants: result and exception are set only in FINISHED, never both; cancelMessage only in
     * CANCELLED; callbacks is null once the state left PENDING (they were handed to the loop then).
     * Every mutator checks the state first and returns false or throws InvalidStateError.
     */
    static final byte PENDING = 0;
    static final byte CANCELLED = 1;
    static final byte FINISHED = 2;
    private static final VarHandle STATE;
    private static final Cleaner CLEANER = Cleaner.create();

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Future.class, "state", byte.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final EventLoop loop;
    /* Threading: written by the loop with release; read anywhere with acquire. */
    private byte state;
    /* Threading: loop only. */
    private Object result;
    private Throwable exception;
    String cancelMessage;
    /* The CancelledError that ended a task's coroutine, handed out once as is (CPython's _cancelled_exc). */
    CancelledError cancelledExc;
    /* null, one callback, or a List of them; each a TaskRunner (a task awaiting this) or a CallbackEntry. */
    private Object callbacks;
    /* What few futures need, in one object made on first need, so that every future and task is a field
       smaller (a task 8 bytes, with its creation site here too). Null until then. Threading: made by the loop, or
       by a task's creating thread before the task is published; read anywhere (a reader racing a later making
       sees no creation site, which an object made after publication never holds). */
    private Extras extras;

    /* See extras. Threading: per field. */
    static final class Extras {
        /* Threading: loop only. Awaiters the callbacks do not show: a gather's outer future, a TaskGroup's parent
           (asyncio 3.14's future_add_to_awaited_by). Null until there is one. */
        List<Future<?>> extraAwaitedBy;
        /* Threading: loop only. Non-null while an exception is set that nobody has retrieved yet: reports it if
           this is collected. */
        UnretrievedException unretrieved;
        /* Threading: a task's, written once before the task is published; read anywhere. Null unless the loop
           records creation sites. */
        StackTraceElement creationSite;
    }

    /* The extras, made now if there are none. The loop, or the creating thread before the task is published. */
    final Extras extras() {
        Extras e = extras;
        if (e == null) {
            e = new Extras();
            extras = e;
        }
        return e;
    }

    /* The extras, or null: for readers, which make none. */
    final Extras peekExtras() {
        return extras;
    }

    /**
     * Creates a pending future on the running loop of the calling thread: asyncio's {@code Future()}.
     *
     * @throws IllegalStateException if the calling thread has no running event loop
     */
    public Future() {
        this(EventLoop.runningLoopOrThrow());
    }

    /**
     * Creates a pending future that belongs to {@code loop}: asyncio's {@code Future(loop=loop)} (see also
     * {@link EventLoop#createFuture()}). Any thread.
     *
     * @param loop the loop whose thread completes the future and runs its callbacks
     * @throws NullPointerException if {@code loop} is null
     */
    public Future(EventLoop loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
    }

    /**
     * Returns the loop this future belongs to: asyncio's {@code Future.get_loop()}. Any thread.
     *
     * @return the loop, never null
     */
    public EventLoop getLoop() {
        return loop;
    }

    /**
     * Returns whether this is done: asyncio's {@code Future.done()}. Any thread.
     *
     * @return true once it has a result or an exception, or was cancelled
     */
    public boolean done() {
        return (byte) STATE.getAcquire(this) != PENDING;
    }

    /**
     * Returns whether this was cancelled: asyncio's {@code Future.cancelled()}. Any thread.
     *
     * @return true if it is done by cancellation
     */
    public boolean cancelled() {
        return (byte) STATE.getAcquire(this) == CANCELLED;
    }

    /**
     * Returns the state in the JDK's terms (asyncio's {@code _state}). Any thread.
     *
     * @return {@code RUNNING} while pending, then {@code SUCCESS}, {@code FAILED} or {@code CANCELLED}
     */
    public java.util.concurrent.Future.State state() {
        return switch ((byte) STATE.getAcquire(this)) {
            case PENDING -> java.util.concurrent.Future.State.RUNNING;
            case CANCELLED -> java.util.concurrent.Future.State.CANCELLED;
            default -> exception == null ? java.util.concurrent.Future.State.SUCCESS
                    : java.util.concurrent.Future.State.FAILED;
        };
    }

    /**
     * Cancels this future without a message: {@link #cancel(String) cancel(null)}, asyncio's
     * {@code Future.cancel()}. Loop thread only (any thread while the loop is not running).
     *
     * @return false if it was already done, else true
     * @throws IllegalStateException if called from a thread other than the running loop's
     */
    public boolean cancel() {
        return cancel(null);
    }

    /**
     * Cancels this future and schedules its callbacks: asyncio's {@code Future.cancel(msg)}. The future is
     * done at once; {@link #result()}, {@link #exception()} and {@link #await()} then raise a
     * {@link CancelledError} carrying {@code msg}. Loop thread only (any thread while the loop is not running).
     *
     * @param msg the message of the {@link CancelledError}, or null for none
     * @return false if it was already done, else true
     * @throws IllegalStateException if called from a thread other than the running loop's
     */
    public boolean cancel(String msg) {
        loop.checkThread("cancel");
        if (state != PENDING) {
            return false;
        }
        cancelMessage = msg;
        STATE.setRelease(this, CANCELLED);
        scheduleCallbacks();
        return true;
    }

    /**
     * Returns the result: asyncio's {@code Future.result()}. If an exception was set, throws that very object
     * (checked or not) and marks it retrieved. Does not wait: await a pending future with {@link #await()}.
     * Loop thread, or any thread once {@link #done()} returned true.
     *
     * @return the result set with {@link #setResult}, which may be null
     * @throws CancelledError if cancelled
     * @throws InvalidStateError if not done yet
     */
    @SuppressWarnings("unchecked")
    public T result() {
        byte s = state;
        if (s == CANCELLED) {
            throw makeCancelledError();
        }
        if (s != FINISHED) {
            throw new InvalidStateError("Result is not ready.");
        }
        if (exception != null) {
            markRetrieved();
            throw Throwables.sneakyThrow(exception);
        }
        return (T) result;
    }

    /**
     * Returns the exception this future finished with, and marks it retrieved: asyncio's
     * {@code Future.exception()}. Loop thread, or any thread once {@link #done()} returned true.
     *
     * @return the exception set with {@link #setException}, or null if the future has a result
     * @throws CancelledError if cancelled
     * @throws InvalidStateError if not done yet
     */
    public Throwable exception() {
        byte s = state;
        if (s == CANCELLED) {
            throw makeCancelledError();
        }
        if (s != FINISHED) {
            throw new InvalidStateError("Exception is not set.");
        }
        markRetrieved();
        return exception;
    }

    /**
     * Marks this done with a result and schedules its callbacks: asyncio's {@code Future.set_result()}. Loop
     * thread only (any thread while the loop is not running).
     *
     * @param value the result; null is allowed
     * @throws IllegalStateException if called from a thread other than the running loop's
     * @throws InvalidStateError if already done
     */
    public void setResult(T value) {
        loop.checkThread("setResult");
        if (state != PENDING) {
            throw new InvalidStateError(stateName() + ": " + this);
        }
        result = value;
        STATE.setRelease(this, FINISHED);
        scheduleCallbacks();
    }

    /**
     * Marks this done with an exception and schedules its callbacks. If no one ever retrieves it (by
     * {@link #result()}, {@link #exception()} or an await) the loop's exception handler hears of it when
     * the future is garbage collected. Asyncio's {@code Future.set_exception()}. Loop thread only (any thread
     * while the loop is not running).
     *
     * @param exception the exception that {@link #result()} and {@link #await()} will throw, as is
     * @throws IllegalStateException if called from a thread other than the running loop's
     * @throws NullPointerException if {@code exception} is null
     * @throws IllegalArgumentException for a {@link CancelledError}: use {@link #cancel()}
     * @throws InvalidStateError if already done
     */
    public void setException(Throwable exception) {
        loop.checkThread("setException");
        Objects.requireNonNull(exception, "exception");
        if (state != PENDING) {
            throw new InvalidStateError(stateName() + ": " + this);
        }
        if (exception instanceof CancelledError) {
            throw new IllegalArgumentException("CancelledError cannot be set as a future's exception; cancel it");
        }
        finishWithException(exception);
    }

    /**
     * Adds a callback to run on the loop when this is done: asyncio's {@code Future.add_done_callback(fn)}.
     * It is scheduled with {@code callSoon} once the future is done (at once if it is done already), after the
     * callbacks added before it, and runs in a copy of the context current now. Loop thread only (any thread
     * while the loop is not running).
     *
     * @param fn the callback; it receives this future
     * @throws NullPointerException if {@code fn} is null
     * @throws IllegalStateException if called from a thread other than the running loop's
     */
    public void addDoneCallback(Consumer<? super Future<T>> fn) {
        Objects.requireNonNull(fn, "fn");
        loop.checkThread("addDoneCallback");
        CallbackEntry<T> entry = new CallbackEntry<>(this, fn, Context.current().copy());
        if (state != PENDING) {
            loop.scheduleDoneCallback(entry);
        } else {
            addCallbackEntry(entry);
        }
    }

    /**
     * Removes every registration of {@code fn} from the callbacks not yet scheduled: asyncio's
     * {@code Future.remove_done_callback(fn)}. Loop thread only (any thread while the loop is not running).
     *
     * @param fn the callback to remove, matched with {@code equals}
     * @return how many registrations were removed; 0 if none (or if {@code fn} is null)
     * @throws IllegalStateException if called from a thread other than the running loop's
     */
    public int removeDoneCallback(Consumer<? super Future<T>> fn) {
        loop.checkThread("removeDoneCallback");
        Object cbs = callbacks;
        if (cbs == null) {
            return 0;
        }
        if (cbs instanceof List<?> list) {
            int before = list.size();
            list.removeIf(e -> e instanceof CallbackEntry<?> ce && ce.fn.equals(fn));
            int removed = before - list.size();
            if (list.isEmpty()) {
                callbacks = null;
            }
            return removed;
        }
        if (cbs instanceof CallbackEntry<?> ce && ce.fn.equals(fn)) {
            callbacks = null;
            return 1;
        }
        return 0;
    }

    @Override
    public T await() {
        Task<?> task = loop.currentTaskForAwait();
        boolean suspended = state == PENDING;
        if (suspended) {
            if (task == this) {
                throw new IllegalStateException("Task cannot await on itself: " + this);
            }
            task.futWaiter = this;
            addCallbackEntry(task.runner);
            task.cancelNewWaiter(this); // a cancel() of the task while it ran cancels what it now awaits
            do {
                task.runner.suspend();
                task.checkAbandoned();
                if (task.pinnedAbort) {
                    removeCallbackEntry(task.runner);
                    task.futWaiter = null;
                    task.checkPinnedAbort();
                }
            } while (state == PENDING); // a wake-up nobody asked for (a stray unpark) suspends again
            task.futWaiter = null;
        }
        return resultForAwait(task, suspended);
    }

    /* The outcome as the awaiting task sees it: a pending cancel() of the task wins over a result. */
    @SuppressWarnings("unchecked")
    private T resultForAwait(Task<?> task, boolean suspended) {
        Throwable outcome = state == CANCELLED ? makeCancelledError() : exception;
        // A pending cancel() is delivered where the task really suspended, as CPython's __step does; awaiting a
        // future that is already done does not yield, so it does not deliver it.
        if (suspended && task.takeMustCancel()) {
            if (!(outcome instanceof CancelledError)) {
                outcome = task.makeCancelledError();
            }
        }
        if (outcome != null) {
            markRetrieved();
            if (outcome instanceof CancelledError ce) {
                throw task.cancellationToRaise(ce);
            }
            throw Throwables.sneakyThrow(outcome);
        }
        return (T) result;
    }

    /* For Task: set the outcome once its coroutine ends. */
    void finishWithResult(Object value) {
        result = value;
        STATE.setRelease(this, FINISHED);
        scheduleCallbacks();
    }

    void finishWithException(Throwable t) {
        exception = t;
        STATE.setRelease(this, FINISHED);
        extras().unretrieved = UnretrievedException.track(this, t);
        scheduleCallbacks();
    }

    void finishCancelled(String msg) {
        cancelMessage = msg;
        STATE.setRelease(this, CANCELLED);
        scheduleCallbacks();
    }

    /* The exception without marking it retrieved: for introspection. */
    Throwable peekException() {
        return exception;
    }

    boolean isPending() {
        return state == PENDING;
    }

    CancelledError makeCancelledError() {
        CancelledError original = cancelledExc;
        if (original != null) {
            cancelledExc = null;
            return original;
        }
        return new CancelledError(cancelMessage);
    }

    /*
     * The tasks and futures waiting for this one: tasks suspended on it (their runners are among the
     * callbacks) and the links recorded with addAwaitedBy. Loop thread; elsewhere a weakly consistent view.
     */
    List<Future<?>> awaitedBy() {
        List<Future<?>> out = new ArrayList<>();
        Object cbs = callbacks;
        if (cbs instanceof CallbackList list) {
            for (Object cb : list.toArray()) {
                if (cb instanceof TaskRunner r) {
                    out.add(r.task);
                }
            }
        } else if (cbs instanceof TaskRunner r) {
            out.add(r.task);
        }
        Extras e = extras;
        List<Future<?>> extra = e != null ? e.extraAwaitedBy : null;
        if (extra != null && !done()) {
            for (Future<?> f : extra) {
                if (!out.contains(f)) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    void addAwaitedBy(Future<?> waiter) {
        Extras e = extras();
        if (e.extraAwaitedBy == null) {
            e.extraAwaitedBy = new ArrayList<>(1);
        }
        e.extraAwaitedBy.add(waiter);
    }

    private void markRetrieved() {
        Extras e = extras;
        UnretrievedException u = e != null ? e.unretrieved : null;
        if (u != null) {
            u.retrieved = true;
            e.unretrieved = null;
        }
    }

    private void addCallbackEntry(Object entry) {
        Object cbs = callbacks;
        if (cbs == null) {
            callbacks = entry;
        } else if (cbs instanceof CallbackList list) {
            list.add(entry);
        } else {
            CallbackList list = new CallbackList();
            list.add(cbs);
            list.add(entry);
            callbacks = list;
        }
    }

    private void removeCallbackEntry(Object entry) {
        Object cbs = callbacks;
        if (cbs == entry) {
            callbacks = null;
        } else if (cbs instanceof CallbackList list) {
            list.remove(entry);
        }
    }

    private void scheduleCallbacks() {
        Object cbs = callbacks;
        if (cbs == null) {
            return;
        }
        callbacks = null;
        if (cbs instanceof CallbackList list) {
            for (Object cb : list) {
                schedule(cb);
            }
        } else {
            schedule(cbs);
        }
    }

    private void schedule(Object cb) {
        if (cb instanceof TaskRunner runner) {
            runner.resume();
        } else {
            loop.scheduleDoneCallback((Runnable) cb);
        }
    }

    /* Whether a ready-queue item is a future's done callback (what a closing loop still runs). */
    static boolean isDoneCallback(Runnable item) {
        return item instanceof CallbackEntry<?>;
    }

    /*
     * Runs a done callback of a closed loop (close() or a completing thread runs it): the callback's own context
     * becomes this thread's for the call, not the loop's callback slot, which other threads share then.
     */
    static void runDoneCallbackDetached(Runnable item) {
        CallbackEntry<?> entry = (CallbackEntry<?>) item;
        entry.context.runDetached(entry::call);
    }

    String stateName() {
        return switch (state) {
            case PENDING -> "PENDING";
            case CANCELLED -> "CANCELLED";
            default -> "FINISHED";
        };
    }

    /** Returns a description in asyncio's repr style, e.g. {@code <Future finished result=42>}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<").append(getClass().getSimpleName()).append(' ');
        appendState(sb);
        return sb.append('>').toString();
    }

    void appendState(StringBuilder sb) {
        appendStateWord(sb);
        appendOutcome(sb);
    }

    void appendStateWord(StringBuilder sb) {
        byte s = (byte) STATE.getAcquire(this);
        sb.append(s == PENDING ? "pending" : s == CANCELLED ? "cancelled" : "finished");
    }

    void appendOutcome(StringBuilder sb) {
        if ((byte) STATE.getAcquire(this) == FINISHED) {
            if (exception != null) {
                sb.append(" exception=").append(exception);
            } else {
                sb.append(" result=").append(result);
            }
        }
    }

    private static final class CallbackList extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;

        CallbackList() {
            super(4);
        }
    }

    /* A done callback with the context it runs in; itself the ready-queue item, so scheduling allocates nothing. */
    private static final class CallbackEntry<T> implements Runnable {
        private final Future<T> future;
        private final Consumer<? super Future<T>> fn;
        private final Context context;

        CallbackEntry(Future<T> future, Consumer<? super Future<T>> fn, Context context) {
            this.future = future;
            this.fn = fn;
            this.context = context;
        }

        @Override
        public void run() {
            EventLoop loop = future.loop;
            Context previous = loop.enterContext(context);
            try {
                call();
            } finally {
                loop.exitContext(previous);
            }
        }

        private void call() {
            try {
                fn.accept(future);
            } catch (Throwable t) {
                future.loop.callExceptionHandler(new ExceptionContext(
                        "Exception in callback " + fn + " of " + future, t, future, null));
            }
        }

        @Override
        public String toString() {
            return "done callback " + fn + " of " + future;
        }
    }

    /*
     * asyncio logs "exception was never retrieved" from Future.__del__. We do it from a Cleaner, registered
     * only when a future fails, so the common path pays nothing. The action must not reach the future.
     */
    private static final class UnretrievedException implements Runnable {
        private final EventLoop loop;
        private final Throwable exception;
        private final String description;
        volatile boolean retrieved;

        private UnretrievedException(EventLoop loop, Throwable exception, String description) {
            this.loop = loop;
            this.exception = exception;
            this.description = description;
        }

        static UnretrievedException track(Future<?> future, Throwable exception) {
            String what = future instanceof Task<?> t ? "Task " + t.getName() : "Future";
            UnretrievedException u = new UnretrievedException(future.loop, exception,
                    what + " exception was never retrieved");
            CLEANER.register(future, u);
            return u;
        }

        @Override
        public void run() {
            if (!retrieved) {
                loop.reportFromAnyThread(new ExceptionContext(description, exception, null, null));
            }
        }
    }
}
