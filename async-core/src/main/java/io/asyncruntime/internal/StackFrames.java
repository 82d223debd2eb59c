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
            "io.asyncruntime.TaskRunner",
            "io.asyncruntime.CarrierTaskRunner",
            "io.asyncruntime.HandOffTaskRunner",
            "io.asyncruntime.EventLoop",
            "io.asyncruntime.Async",
            "java.lang.VirtualThread",
            "java.lang.Thread",
            "java.util.concurrent.locks.LockSupport");

    private StackFrames() {
    }

    /** Returns the frames that are not the engine's, in the order given. */
    public static List<StackTraceElement> userFrames(StackTraceElement[] frames) {
        List<StackTraceElement> out = new ArrayList<>(frames.length);
        for (StackTraceElement f : frames) {
            String cls = f.getClassName();
            if (ENGINE_CLASSES.contains(cls) || cls.startsWith("jdk.internal.") || cls.startsWith("io.asyncruntime.internal.")
                    || isEngineLambda(cls)) {
                continue;
            }
            out.add(f);
        }
        return out;
    }

    private static boolean isEngineLambda(String cls) {
        int i = cls.indexOf("$$Lambda");
        return i > 0 && ENGINE_CLASSES.contains(cls.substring(0, i));
    }
}
