package io.asyncruntime.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Access to the JDK's own one-shot continuations ({@code jdk.internal.vm.Continuation}), the engine of
 * {@code EngineMode.DIRECT}: a task is a continuation that the loop thread runs itself, with no virtual thread.
 *
 * <p>The package is not exported: the JVM must start with {@link #REQUIRED_FLAG}. The library is compiled with
 * {@code --release 21}, which forbids {@code --add-exports} at compile time, so every member is reached through a
 * method handle held in a {@code static final} field: C2 treats those as constants and inlines the call as if it
 * were direct (no reflection per call). The probe runs once, at class initialisation; when anything is missing
 * {@link #isAvailable()} is false and {@link #unavailableReason()} says why.
 *
 * <p>Threading: immutable after class initialisation. A continuation runs on one thread at a time, and its stack may
 * be read only while nobody runs it: callers provide that exclusion themselves (the JDK's own guard, the
 * continuation's mount flag, is cleared by a stack walk that loses the race for it, so it cannot serve).
 */
public final class Continuations {
    /** The flag users add to get the direct engine. */
    public static final String REQUIRED_FLAG = "--add-exports java.base/jdk.internal.vm=ALL-UNNAMED";

    /* One scope for the library: every task yields to whoever ran it (the loop, or an eager task's creator). */
    private static final Object SCOPE;
    private static final MethodHandle NEW;
    private static final MethodHandle RUN;
    private static final MethodHandle YIELD;
    private static final MethodHandle IS_DONE;
    private static final MethodHandle STACK_TRACE;
    private static final String UNAVAILABLE_REASON;

    static {
        Object scope = null;
        MethodHandle create = null;
        MethodHandle run = null;
        MethodHandle yield = null;
        MethodHandle isDone = null;
        MethodHandle stackTrace = null;
        String reason = null;
        try {
            // The lookup of this (unnamed) module: it may use a package exported to ALL-UNNAMED.
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Class<?> scopeClass = Class.forName("jdk.internal.vm.ContinuationScope");
            Class<?> contClass = Class.forName("jdk.internal.vm.Continuation");
            scope = lookup.findConstructor(scopeClass, MethodType.methodType(void.class, String.class)).invoke("asyncruntime");
            create = lookup.findConstructor(contClass, MethodType.methodType(void.class, scopeClass, Runnable.class))
                    .asType(MethodType.methodType(Object.class, Object.class, Runnable.class));
            run = lookup.findVirtual(contClass, "run", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            yield = lookup.findStatic(contClass, "yield", MethodType.methodType(boolean.class, scopeClass))
                    .asType(MethodType.methodType(boolean.class, Object.class));
            isDone = lookup.findVirtual(contClass, "isDone", MethodType.methodType(boolean.class))
                    .asType(MethodType.methodType(boolean.class, Object.class));
            stackTrace = lookup.findVirtual(contClass, "getStackTrace", MethodType.methodType(StackTraceElement[].class))
                    .asType(MethodType.methodType(StackTraceElement[].class, Object.class));
            probe(scope, create, run, yield, isDone);
        } catch (IllegalAccessException e) {
            reason = "jdk.internal.vm is not exported to asyncruntime (start the JVM with " + REQUIRED_FLAG + ")";
        } catch (ReflectiveOperationException | RuntimeException e) {
            reason = "this JDK (" + Runtime.version() + ") has no usable jdk.internal.vm.Continuation: " + e;
        } catch (Throwable e) {
            reason = "jdk.internal.vm.Continuation failed its self-test: " + e;
        }
        if (reason != null) {
            scope = null;
            create = null;
            run = null;
            yield = null;
            isDone = null;
            stackTrace = null;
        }
        SCOPE = scope;
        NEW = create;
        RUN = run;
        YIELD = yield;
        IS_DONE = isDone;
        STACK_TRACE = stackTrace;
        UNAVAILABLE_REASON = reason;
    }

    private Continuations() {
    }

    /* A continuation that yields once: run twice, it must be done, and have run its body around the yield. */
    private static void probe(Object scope, MethodHandle create, MethodHandle run, MethodHandle yield,
            MethodHandle isDone) throws Throwable {
        int[] steps = new int[1];
        Object c = create.invokeExact(scope, (Runnable) () -> {
            steps[0]++;
            try {
                if (!(boolean) yield.invokeExact(scope)) {
                    steps[0] = -100;
                }
            } catch (Throwable e) {
                steps[0] = -100;
            }
            steps[0]++;
        });
        run.invokeExact(c);
        boolean suspended = steps[0] == 1 && !(boolean) isDone.invokeExact(c);
        run.invokeExact(c);
        if (!suspended || steps[0] != 2 || !(boolean) isDone.invokeExact(c)) {
            throw new IllegalStateException("a continuation did not suspend and resume as expected");
        }
    }

    /**
     * Returns whether continuations can be used here.
     *
     * @return true if the direct engine is available
     */
    public static boolean isAvailable() {
        return NEW != null;
    }

    /**
     * Returns why {@link #isAvailable()} is false.
     *
     * @return the reason (naming the flag when that is what is missing), or null when available
     */
    public static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /**
     * Creates a continuation of the library's scope, not started.
     *
     * @param body what it runs
     * @return the continuation (a {@code jdk.internal.vm.Continuation})
     * @throws IllegalStateException if continuations are not available
     */
    public static Object create(Runnable body) {
        if (NEW == null) {
            throw new IllegalStateException("DIRECT mode is not available: " + UNAVAILABLE_REASON);
        }
        try {
            return NEW.invokeExact(SCOPE, body);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code continuation} on the calling thread until it yields or ends; nested inside the running one if
     * called from a continuation (it then yields back to this call).
     *
     * @param continuation a continuation from {@link #create}
     * @throws IllegalStateException if it is running or done
     */
    public static void run(Object continuation) {
        try {
            RUN.invokeExact(continuation);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Suspends the innermost running continuation of the library's scope; returns when it is run again.
     *
     * @throws IllegalStateException if it cannot suspend: not inside one, or pinned ({@code "Pinned: NATIVE"}: a
     *         native frame or a class initializer is on its stack; {@code "Pinned: CRITICAL_SECTION"})
     */
    public static void yieldNow() {
        boolean yielded;
        try {
            yielded = (boolean) YIELD.invokeExact(SCOPE);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        if (!yielded) {
            throw new IllegalStateException("Pinned");
        }
    }

    /**
     * Returns whether the continuation has ended.
     *
     * @param continuation a continuation from {@link #create}
     * @return true once its body has returned or thrown
     */
    public static boolean isDone(Object continuation) {
        try {
            return (boolean) IS_DONE.invokeExact(continuation);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Returns the frames of a suspended continuation, newest first. The JDK reads them in place: the caller must
     * make sure that nobody runs the continuation meanwhile.
     *
     * @param continuation a continuation from {@link #create}, not running
     * @return its frames
     */
    public static StackTraceElement[] stackTrace(Object continuation) {
        try {
            return (StackTraceElement[]) STACK_TRACE.invokeExact(continuation);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
