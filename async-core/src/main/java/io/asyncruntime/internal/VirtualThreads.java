package io.asyncruntime.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * Access to the JDK hook that lets a virtual thread run on a scheduler of our choosing.
 *
 * <p>JDK 21 to 25 construct virtual threads through the package-private
 * {@code java.lang.ThreadBuilders.newVirtualThread(Executor scheduler, String name, int characteristics, Runnable task)}
 * (the test hook behind {@code ThreadBuilders.VirtualThreadBuilder(Executor)}). Every time such a thread
 * becomes runnable, the JDK hands its continuation to {@code scheduler.execute}; whoever runs it becomes the
 * carrier until the thread parks. That lets an event loop thread carry its tasks' virtual threads.
 *
 * <p>Reaching it needs {@code --add-opens java.base/java.lang=ALL-UNNAMED}. The probe runs once, at class
 * initialisation; when anything is missing {@link #isAvailable()} is false and {@link #unavailableReason()}
 * says why, and callers fall back to ordinary virtual threads.
 *
 * <p>Threading: immutable after class initialisation; safe from any thread.
 */
public final class VirtualThreads {
    /** The flag users add to get the fast engine. */
    public static final String REQUIRED_FLAG = "--add-opens java.base/java.lang=ALL-UNNAMED";

    /* Thread.NO_INHERIT_THREAD_LOCALS: a task's values travel in its Context, not in inheritable thread locals. */
    private static final int NO_INHERIT_THREAD_LOCALS = 1 << 2;

    private static final MethodHandle NEW_VIRTUAL_THREAD;
    private static final Executor DEFAULT_SCHEDULER;
    private static final String UNAVAILABLE_REASON;
    /* Thread.threadLocals and Thread.inheritableThreadLocals, to wipe a thread that serves another task. */
    private static final VarHandle THREAD_LOCALS;
    private static final VarHandle INHERITABLE_THREAD_LOCALS;

    static {
        MethodHandle factory = null;
        Executor defaultScheduler = null;
        VarHandle threadLocals = null;
        VarHandle inheritableThreadLocals = null;
        String reason = null;
        if ("portable".equalsIgnoreCase(System.getProperty("asyncruntime.mode"))) {
            reason = "the system property asyncruntime.mode=portable asks for the portable engine";
        } else {
            try {
                Class<?> builders = Class.forName("java.lang.ThreadBuilders");
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(builders, MethodHandles.lookup());
                factory = lookup.findStatic(builders, "newVirtualThread", MethodType.methodType(
                        Thread.class, Executor.class, String.class, int.class, Runnable.class));
                defaultScheduler = findDefaultScheduler();
                probe(factory);
                MethodHandles.Lookup threads = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
                Class<?> map = Class.forName("java.lang.ThreadLocal$ThreadLocalMap");
                threadLocals = threads.findVarHandle(Thread.class, "threadLocals", map);
                inheritableThreadLocals = threads.findVarHandle(Thread.class, "inheritableThreadLocals", map);
            } catch (IllegalAccessException e) {
                reason = "java.lang is not opened to asyncruntime (start the JVM with " + REQUIRED_FLAG + ")";
            } catch (ReflectiveOperationException | RuntimeException e) {
                reason = "this JDK (" + Runtime.version() + ") has no virtual-thread scheduler hook: " + e;
            } catch (Throwable e) {
                reason = "the virtual-thread scheduler hook failed its self-test: " + e;
            }
        }
        if (reason != null) {
            factory = null;
            defaultScheduler = null;
            threadLocals = null;
            inheritableThreadLocals = null;
        }
        NEW_VIRTUAL_THREAD = factory;
        DEFAULT_SCHEDULER = defaultScheduler;
        UNAVAILABLE_REASON = reason;
        THREAD_LOCALS = threadLocals;
        INHERITABLE_THREAD_LOCALS = inheritableThreadLocals;
    }

    private VirtualThreads() {
    }

    private static Executor findDefaultScheduler() throws Throwable {
        Class<?> vt = Class.forName("java.lang.VirtualThread");
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(vt, MethodHandles.lookup());
        MethodHandle getter;
        try {
            getter = lookup.findStatic(vt, "defaultScheduler", MethodType.methodType(Executor.class));
        } catch (NoSuchMethodException e) {
            getter = lookup.findStaticGetter(vt, "DEFAULT_SCHEDULER", ForkJoinPool.class);
        }
        return (Executor) getter.invoke();
    }

    /* Runs a virtual thread whose scheduler runs continuations inline on this (platform) thread. */
    private static void probe(MethodHandle factory) throws Throwable {
        boolean[] ran = new boolean[1];
        Thread t = (Thread) factory.invokeExact((Executor) Runnable::run, (String) null, NO_INHERIT_THREAD_LOCALS,
                (Runnable) () -> ran[0] = true);
        t.start();
        if (!ran[0] || t.isAlive()) {
            throw new IllegalStateException("a virtual thread on a custom scheduler did not run inline");
        }
    }

    /**
     * Returns whether virtual threads with a custom scheduler can be created here.
     *
     * @return true if {@link #newThread} works (FAST mode is available)
     */
    public static boolean isAvailable() {
        return NEW_VIRTUAL_THREAD != null;
    }

    /**
     * Returns why {@link #isAvailable()} is false.
     *
     * @return the reason, or null when it is available
     */
    public static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /**
     * Creates an unstarted virtual thread whose continuation is handed to {@code scheduler} each time it
     * becomes runnable.
     *
     * @param scheduler runs the thread's continuation each time it is ready
     * @param body      what the thread runs
     * @return the new thread, not started, inheriting no inheritable thread-locals
     * @throws IllegalStateException if the hook is not available
     */
    public static Thread newThread(Executor scheduler, Runnable body) {
        if (NEW_VIRTUAL_THREAD == null) {
            throw new IllegalStateException("fast mode is not available: " + UNAVAILABLE_REASON);
        }
        try {
            return (Thread) NEW_VIRTUAL_THREAD.invokeExact(scheduler, (String) null, NO_INHERIT_THREAD_LOCALS, body);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Returns the JDK's own virtual-thread scheduler. Virtual threads that a task starts inherit the task's
     * scheduler; their continuations are passed on to this one so they run as ordinary virtual threads.
     *
     * @return the JDK's default scheduler
     */
    public static Executor defaultScheduler() {
        return DEFAULT_SCHEDULER;
    }

    /**
     * Removes every thread-local value (inheritable ones too) of {@code thread}, as if it were a new thread.
     * Call it on the thread itself, or on one that is not running.
     *
     * @param thread the thread to wipe
     * @return true if it was wiped; false if the hook is not available (the values are left as they were)
     */
    public static boolean clearThreadLocals(Thread thread) {
        if (THREAD_LOCALS == null) {
            return false;
        }
        if (THREAD_LOCALS.get(thread) != null) {
            THREAD_LOCALS.set(thread, null);
        }
        if (INHERITABLE_THREAD_LOCALS.get(thread) != null) {
            INHERITABLE_THREAD_LOCALS.set(thread, null);
        }
        return true;
    }

    /**
     * Whether a thread's thread-local maps can be read and replaced ({@link #threadLocals}, {@link #setThreadLocals}):
     * true when {@code java.lang} is opened to the library.
     *
     * @return true if the maps can be swapped
     */
    public static boolean canSwapThreadLocals() {
        return THREAD_LOCALS != null;
    }

    /**
     * Returns {@code thread}'s map of thread-local values, or null if it has none yet. Only when
     * {@link #canSwapThreadLocals()}. Call it on the thread itself.
     *
     * @param thread the thread
     * @return its {@code ThreadLocal.ThreadLocalMap}, typed Object, or null
     */
    public static Object threadLocals(Thread thread) {
        return THREAD_LOCALS.get(thread);
    }

    /**
     * Returns {@code thread}'s map of inheritable thread-local values, or null. Only when
     * {@link #canSwapThreadLocals()}. Call it on the thread itself.
     *
     * @param thread the thread
     * @return its inheritable {@code ThreadLocal.ThreadLocalMap}, typed Object, or null
     */
    public static Object inheritableThreadLocals(Thread thread) {
        return INHERITABLE_THREAD_LOCALS.get(thread);
    }

    /**
     * Gives {@code thread} this map of thread-local values (from {@link #threadLocals}, of this or another thread;
     * null for none). Only when {@link #canSwapThreadLocals()}. Call it on the thread itself.
     *
     * @param thread the thread
     * @param locals its new thread-local map, or null
     */
    public static void setThreadLocals(Thread thread, Object locals) {
        THREAD_LOCALS.set(thread, locals);
    }

    /**
     * Gives {@code thread} this map of inheritable thread-local values (from {@link #inheritableThreadLocals};
     * null for none). Only when {@link #canSwapThreadLocals()}. Call it on the thread itself.
     *
     * @param thread       the thread
     * @param inheritables its new inheritable thread-local map, or null
     */
    public static void setInheritableThreadLocals(Thread thread, Object inheritables) {
        INHERITABLE_THREAD_LOCALS.set(thread, inheritables);
    }
}
