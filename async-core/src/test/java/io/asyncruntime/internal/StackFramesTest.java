package io.asyncruntime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a user sees of a task's stack, from the raw frames the JVM gives in each state a task can be caught in. */
class StackFramesTest {

    private static StackTraceElement frame(String cls, String method) {
        return new StackTraceElement(cls, method, null, -1);
    }

    private static List<String> methods(List<StackTraceElement> frames) {
        return frames.stream().map(f -> f.getClassName() + "." + f.getMethodName()).toList();
    }

    private static final StackTraceElement[] USER_AND_TASK_BOTTOM = {
            frame("com.example.Shop", "waitForStock"),
            frame("com.example.Shop", "lambda$order$0"),
            frame("io.asyncruntime.Task", "step"),
            frame("io.asyncruntime.HandOffTaskRunner", "threadBody"),
            frame("java.lang.VirtualThread", "run"),
            frame("jdk.internal.vm.Continuation", "enter")};

    private static StackTraceElement[] on(StackTraceElement[] top, StackTraceElement[] bottom) {
        StackTraceElement[] all = new StackTraceElement[top.length + bottom.length];
        System.arraycopy(top, 0, all, 0, top.length);
        System.arraycopy(bottom, 0, all, top.length, bottom.length);
        return all;
    }

    @Test
    void aParkedTaskShowsItsOwnFramesOnly() {
        StackTraceElement[] parked = on(new StackTraceElement[] {
                frame("jdk.internal.vm.Continuation", "yield"),
                frame("java.lang.VirtualThread", "park"),
                frame("java.util.concurrent.locks.LockSupport", "park"),
                frame("io.asyncruntime.HandOffTaskRunner", "suspend"),
                frame("io.asyncruntime.Future", "await")}, USER_AND_TASK_BOTTOM);

        assertThat(methods(StackFrames.userFrames(parked)))
                .containsExactly("com.example.Shop.waitForStock", "com.example.Shop.lambda$order$0");
    }

    @Test
    void aTaskCaughtWakingTheLoopBeforeItParksShowsItsOwnFramesOnly() {
        // PORTABLE: the task has given the loop back and is still inside the wake-up of the loop's thread.
        StackTraceElement[] handingOver = on(new StackTraceElement[] {
                frame("java.util.concurrent.ForkJoinPool", "signalWork"),
                frame("java.util.concurrent.ForkJoinPool", "poolSubmit"),
                frame("java.lang.VirtualThread", "submitRunContinuation"),
                frame("java.lang.VirtualThread", "unpark"),
                frame("java.util.concurrent.locks.LockSupport", "unpark"),
                frame("io.asyncruntime.EventLoop", "returnLoop"),
                frame("io.asyncruntime.HandOffTaskRunner", "suspend"),
                frame("io.asyncruntime.Future", "await")}, USER_AND_TASK_BOTTOM);

        assertThat(methods(StackFrames.userFrames(handingOver)))
                .containsExactly("com.example.Shop.waitForStock", "com.example.Shop.lambda$order$0");
    }

    @Test
    void aTaskBlockedInACallOfItsOwnKeepsTheJdkFramesAboveItsCode() {
        StackTraceElement[] sleeping = on(new StackTraceElement[] {
                frame("java.lang.VirtualThread", "sleepNanos"),
                frame("java.lang.Thread", "sleep")}, USER_AND_TASK_BOTTOM);

        assertThat(methods(StackFrames.userFrames(sleeping)))
                .containsExactly("java.lang.Thread.sleep", "com.example.Shop.waitForStock",
                        "com.example.Shop.lambda$order$0");
    }

    @Test
    void aTracebackThatStartsInUserCodeKeepsItsTop() {
        StackTraceElement[] traceback = on(new StackTraceElement[] {
                frame("com.example.Stock", "reserve")}, USER_AND_TASK_BOTTOM);

        assertThat(methods(StackFrames.userFrames(traceback))).containsExactly(
                "com.example.Stock.reserve", "com.example.Shop.waitForStock", "com.example.Shop.lambda$order$0");
    }
}
