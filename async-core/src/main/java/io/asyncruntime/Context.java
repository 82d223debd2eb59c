package io.asyncruntime;

import io.asyncruntime.internal.Throwables;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A mapping of {@link ContextVar}s to values: Python's {@code contextvars.Context} (PEP 567).
 *
 * <p>Every task runs in its own context, a copy of the context that was current where the task was
 * created; changes a task makes are invisible to its creator and to other tasks. Loop callbacks run in
 * the context that was current when they were scheduled. Elsewhere each thread has its own context.
 *
 * <p>Copies are O(1): the mapping itself is immutable, and a {@link ContextVar#set} replaces it.
 *
 * <p>Threading: a context is used by one thread of execution at a time (a task, a callback, a thread);
 * {@link #copyContext()} and {@link #run} may be called from any thread.
 */
public final class Context {
    private static final Object[] EMPTY = new Object[0];
    private static final ThreadLocal<Context> THREAD_CONTEXT = ThreadLocal.withInitial(Context::new);

    /* Threading: confined to whichever thread of execution has this context current. Immutable array of
       var0, value0, var1, value1, ...; replaced wholesale on set so that copies can share it. */
    private Object[] entries;
    /* Threading: any thread; set by run() with a CAS so that one thread of execution is inside at a time. */
    private volatile boolean entered;
    private static final java.lang.invoke.VarHandle ENTERED;

    static {
        try {
            ENTERED = java.lang.invoke.MethodHandles.lookup().findVarHandle(Context.class, "entered", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Creates an empty context. */
    public Context() {
        this(EMPTY);
    }

    private Context(Object[] entries) {
        this.entries = entries;
    }

    /**
     * Returns a copy of the current context: Python's {@code contextvars.copy_context()}. Any thread.
     *
     * @return a new context with the current one's values; later changes to either are invisible to the other
     */
    public static Context copyContext() {
        return current().copy();
    }

    /**
     * Returns a copy of this context: Python's {@code Context.copy()}.
     *
     * @return a new context with this one's values; later changes to either are invisible to the other
     */
    public Context copy() {
        return new Context(entries);
    }

    /**
     * Runs {@code body} with this context current, then restores the previous one: Python's
     * {@code Context.run(callable)}. {@link ContextVar#set} calls in the body change this context. As in
     * Python, a context can be entered once at a time: running it again inside its own {@code run}, entering
     * the context of a task while that task runs a step (from inside it, even under another context's
     * {@code run}, or from another thread) or of a loop callback while it runs, or entering it from a second
     * thread while the first is inside is refused. A suspended task's context can be entered. Any thread.
     *
     * @param <T>  the body's result type
     * @param body what to run, on the calling thread
     * @return what the body returned
     * @throws NullPointerException if {@code body} is null (any other exception: whatever the body throws, as is)
     * @throws IllegalStateException if this context is already entered (Python's {@code RuntimeError})
     */
    public <T> T run(Callable<T> body) {
        Objects.requireNonNull(body, "body");
        Slot slot = Slot.current();
        if (slot.get() == this || enteredByALoop() || !ENTERED.compareAndSet(this, false, true)) {
            throw new IllegalStateException("cannot enter context: " + this + " is already entered");
        }
        try {
            return runIn(slot, body);
        } finally {
            entered = false;
        }
    }

    /*
     * Whether a running loop has this context entered: the context of the task in its step (its own, or one it
     * entered with run) or of the callback running. Python runs each step and callback inside Context.run, so
     * those are entered; here a step switches contexts without run(), so they are looked up. Racy from other
     * threads, as any look at another thread's progress is.
     */
    private boolean enteredByALoop() {
        for (EventLoop loop : EventLoop.runningLoops()) {
            Task<?> task = loop.runningTaskAnyThread();
            if (task != null && task.hasContext(this)) {
                return true;
            }
            if (loop.callbackContextAnyThread() == this) {
                return true;
            }
        }
        return false;
    }

    /* Runs body with this context current, without the once-at-a-time check: a closed loop's done callbacks,
       which may share a context object and run on several completing threads. */
    void runDetached(Runnable body) {
        runIn(Slot.current(), () -> {
            body.run();
            return null;
        });
    }

    private <T> T runIn(Slot slot, Callable<T> body) {
        Context previous = slot.swap(this);
        try {
            return body.call();
        } catch (Exception e) {
            throw Throwables.sneakyThrow(e);
        } finally {
            slot.swap(previous);
        }
    }

    /**
     * Runs {@code body} with this context current, then restores the previous one; see {@link #run(Callable)}.
     *
     * @param body what to run, on the calling thread
     * @throws NullPointerException if {@code body} is null (any other exception: whatever the body throws)
     * @throws IllegalStateException if this context is already entered (Python's {@code RuntimeError})
     */
    public void run(Runnable body) {
        Objects.requireNonNull(body, "body");
        run(() -> {
            body.run();
            return null;
        });
    }

    /**
     * Returns the number of variables that have a value in this context: Python's {@code len(ctx)}.
     *
     * @return the count, 0 for an empty context
     */
    public int size() {
        return entries.length / 2;
    }

    /**
     * Returns the value {@code var} has in this context, or {@code defaultValue} if it has none there (the
     * variable's own default is not consulted): Python's {@code Context.get(var, default)}. Lets a caller
     * read another task's variables ({@link Task#getContext()}) without entering its context.
     *
     * @param <T>          the variable's type
     * @param var          the variable
     * @param defaultValue what to return if {@code var} has no value in this context
     * @return the value, or {@code defaultValue}
     * @throws NullPointerException if {@code var} is null
     */
    @SuppressWarnings("unchecked")
    public <T> T get(ContextVar<T> var, T defaultValue) {
        Objects.requireNonNull(var, "var");
        int i = indexOf(var);
        return i < 0 ? defaultValue : (T) entries[i + 1];
    }

    /**
     * Returns whether {@code var} has a value in this context: Python's {@code var in ctx}.
     *
     * @param var the variable; null has no value
     * @return true if it was set in this context (or in the one it was copied from)
     */
    public boolean containsKey(ContextVar<?> var) {
        return indexOf(var) >= 0;
    }

    static Context current() {
        return Slot.current().get();
    }

    /* The current context's variables, for a task that makes its own copy only when first asked for (a copy
       shares them, and they are never changed in place). */
    static Object[] currentEntries() {
        return current().entries;
    }

    /* A context holding entries (from currentEntries): what copy() would have made then. */
    static Context ofEntries(Object[] entries) {
        return new Context(entries);
    }

    Object lookup(ContextVar<?> var, Object missing) {
        int i = indexOf(var);
        return i < 0 ? missing : entries[i + 1];
    }

    void put(ContextVar<?> var, Object value) {
        int i = indexOf(var);
        Object[] next;
        if (i >= 0) {
            next = entries.clone();
            next[i + 1] = value;
        } else {
            next = java.util.Arrays.copyOf(entries, entries.length + 2);
            next[entries.length] = var;
            next[entries.length + 1] = value;
        }
        entries = next;
    }

    void remove(ContextVar<?> var) {
        int i = indexOf(var);
        if (i < 0) {
            return;
        }
        Object[] next = new Object[entries.length - 2];
        System.arraycopy(entries, 0, next, 0, i);
        System.arraycopy(entries, i + 2, next, i, entries.length - i - 2);
        entries = next;
    }

    private int indexOf(ContextVar<?> var) {
        Object[] e = entries;
        for (int i = 0; i < e.length; i += 2) {
            if (e[i] == var) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Where the current context lives for the calling thread of execution: the running task, the running
     * loop callback, or the thread.
     */
    private interface Slot {
        Context get();

        Context swap(Context next);

        static Slot current() {
            EventLoop loop = EventLoop.currentLoopOrNull();
            if (loop != null) {
                Task<?> task = loop.runningTask();
                if (task != null) {
                    return new Slot() {
                        public Context get() {
                            return task.currentContext();
                        }

                        public Context swap(Context next) {
                            Context prev = task.currentContext();
                            task.context = next;
                            return prev;
                        }
                    };
                }
                return new Slot() {
                    public Context get() {
                        Context c = loop.callbackContext;
                        return c != null ? c : THREAD_CONTEXT.get();
                    }

                    public Context swap(Context next) {
                        Context prev = get();
                        loop.callbackContext = next;
                        return prev;
                    }
                };
            }
            return THREAD;
        }

        Slot THREAD = new Slot() {
            public Context get() {
                return THREAD_CONTEXT.get();
            }

            public Context swap(Context next) {
                Context prev = THREAD_CONTEXT.get();
                THREAD_CONTEXT.set(next);
                return prev;
            }
        };
    }
}
