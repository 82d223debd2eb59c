package io.asyncruntime.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Cuts the engine's own frames out of a task's stack, so what users see starts at their coroutine and ends
 * at the line that awaits.
 *
 * <p>Threading: stateless; any thread.
 */
public final class StackFrames {
    private static final Set<String> ENGINE_CLASSES = Set.of(
            "io.asyncruntime.Future",
            "io.asyncruntime.Task",
            "io.asyncruntime.Task$Decorated",
            "io.asyncruntime.TaskRunner",
            "io.asyncruntime.CarrierTaskRunner",
            "io.asyncruntime.TaskThread",
            "io.asyncruntime.HandOffTaskRunner",
            "io.asyncruntime.DirectTaskRunner",
            "io.asyncruntime.DirectTaskRunner$Carrier",
            "io.asyncruntime.EventLoop",
            "io.asyncruntime.Async");

    private StackFrames() {
    }

    /**
     * Returns a task's frames, newest first, without the engine: the JDK's parking frames and the engine's
     * await machinery on top (everything above the outermost engine frame of the first engine run), and the
     * engine's and the virtual thread's frames at the bottom.
     *
     * @param frames a stack as {@link Thread#getStackTrace()} or {@link Throwable#getStackTrace()} gives it
     * @return a new list of the user's frames, newest first; empty if there are none
     */
    public static List<StackTraceElement> userFrames(StackTraceElement[] frames) {
        int start = 0;
        for (int i = 0; i < frames.length; i++) {
            if (isEngine(frames[i])) {
                int j = i;
                while (j + 1 < frames.length && isEngine(frames[j + 1])) {
                    j++;
                }
                start = j + 1;
                break;
            }
            if (!isJdk(frames[i])) {
                break; // user code is on top (a traceback, or a task blocked in a call of its own)
            }
        }
        List<StackTraceElement> out = new ArrayList<>(frames.length - start);
        for (int i = start; i < frames.length; i++) {
            StackTraceElement f = frames[i];
            if (!isEngine(f) && !isJdkInternal(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * As {@link #userFrames(StackTraceElement[])}, for a task whose coroutine was wrapped by a task decorator:
     * the decorator's frames, older than the first frame of the coroutine itself, are left out as well. The
     * coroutine's frames are recognised by the class that declares its body (a lambda's enclosing class); when
     * none is on the stack, nothing more is cut.
     *
     * @param frames         a stack as {@link Thread#getStackTrace()} gives it
     * @param coroutineClass the class of the undecorated coroutine
     * @return the user's frames, newest first, without the decorator's
     */
    public static List<StackTraceElement> userFrames(StackTraceElement[] frames, Class<?> coroutineClass) {
        List<StackTraceElement> out = userFrames(frames);
        String declaring = coroutineClass.getName();
        int lambda = declaring.indexOf("$$Lambda");
        if (lambda > 0) {
            declaring = declaring.substring(0, lambda);
        }
        for (int i = out.size() - 1; i >= 0; i--) {
            if (out.get(i).getClassName().equals(declaring)) {
                return out.subList(0, i + 1);
            }
        }
        return out;
    }

    /* The library's classes a task is created through: creation sites skip them to reach the caller. */
    private static final Set<String> CREATING_CLASSES = Set.of(
            "io.asyncruntime.Async", "io.asyncruntime.AsyncRuntime", "io.asyncruntime.EventLoop",
            "io.asyncruntime.Task", "io.asyncruntime.TaskGroup", "io.asyncruntime.Gather",
            "io.asyncruntime.Waiting", "io.asyncruntime.Future", "io.asyncruntime.Timeout");
    private static final StackWalker WALKER = StackWalker.getInstance();

    /**
     * Returns the frame of the code that is creating a task: the first caller outside the library's
     * task-creating classes, or null. A short stack walk, not a full stack trace.
     *
     * @return the caller's frame, or null if every frame is the library's
     */
    public static StackTraceElement creationSite() {
        return WALKER.walk(frames -> frames
                .filter(f -> !isCreating(f.getClassName()))
                .findFirst()
                .map(StackWalker.StackFrame::toStackTraceElement)
                .orElse(null));
    }

    private static boolean isCreating(String cls) {
        if (cls.startsWith("io.asyncruntime.internal.")) {
            return true;
        }
        int inner = cls.indexOf('$');
        return CREATING_CLASSES.contains(inner < 0 ? cls : cls.substring(0, inner));
    }

    private static boolean isEngine(StackTraceElement f) {
        String cls = f.getClassName();
        return ENGINE_CLASSES.contains(cls) || cls.startsWith("io.asyncruntime.internal.") || isEngineLambda(cls);
    }

    private static boolean isJdkInternal(StackTraceElement f) {
        String cls = f.getClassName();
        return cls.startsWith("jdk.internal.") || cls.startsWith("java.lang.VirtualThread")
                || cls.startsWith("java.lang.System$") || cls.equals("java.util.concurrent.locks.LockSupport");
    }

    /*
     * Any JDK frame, public or not. A thread-per-task (PORTABLE) task caught between handing the loop back and
     * parking is still inside the hand-off's wake-up of the loop thread (LockSupport.unpark into the virtual
     * thread scheduler's ForkJoinPool), so the frames above the engine can be public JDK classes too.
     */
    private static boolean isJdk(StackTraceElement f) {
        String cls = f.getClassName();
        return cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("sun.") || cls.startsWith("javax.");
    }

    private static boolean isEngineLambda(String cls) {
        int i = cls.indexOf("$$Lambda");
        return i > 0 && ENGINE_CLASSES.contains(cls.substring(0, i));
    }
}
