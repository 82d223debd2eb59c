package io.asyncruntime;

import io.asyncruntime.internal.Throwables;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * asyncio's module functions: run a program, create tasks, sleep, and find the running loop and task.
 *
 * <p>Functions other than {@link #run} use the loop running in the calling thread of execution (a task or
 * a loop callback) and throw {@link IllegalStateException} when there is none.
 */
public final class Async {
    private Async() {
    }

    /** Runs {@code coro} on a new loop; see {@link #run(Coroutine, boolean)}. */
    public static <T> T run(Coroutine<T> coro) {
        return run(coro, false);
    }

    /**
     * Creates a loop on the calling thread, runs {@code coro} as a task until it is done, cancels the tasks
     * still pending and waits for them, closes the loop and returns the coroutine's value: asyncio's
     * {@code asyncio.run}.
     *
     * @throws IllegalStateException if a loop is already running in this thread
     *         (any other exception: the coroutine's own)
     */
    public static <T> T run(Coroutine<T> coro, boolean debug) {
        Objects.requireNonNull(coro, "coro");
        if (EventLoop.currentLoopOrNull() != null) {
            throw new IllegalStateException("Async.run() cannot be called from a running event loop");
        }
        EventLoop loop = EventLoop.builder().debug(debug).build();
        try {
            return loop.runUntilComplete(loop.createTask(coro));
        } finally {
            try {
                cancelAllTasks(loop);
            } finally {
                loop.close();
            }
        }
    }

    /* asyncio.runners._cancel_all_tasks: cancel what is left, let it unwind, report what failed meanwhile. */
    static void cancelAllTasks(EventLoop loop) {
        Set<Task<?>> left = loop.allTasks();
        if (left.isEmpty()) {
            return;
        }
        for (Task<?> t : left) {
            t.cancel();
        }
        Future<Void> allDone = loop.createFuture();
        int[] remaining = {left.size()};
        for (Task<?> t : left) {
            t.addDoneCallback(f -> {
                if (--remaining[0] == 0 && !allDone.done()) {
                    allDone.setResult(null);
                }
            });
        }
        loop.runUntilComplete(allDone);
        for (Task<?> t : left) {
            if (!t.cancelled() && t.exception() != null) {
                loop.callExceptionHandler(new ExceptionContext("unhandled exception during Async.run() shutdown",
                        t.exception(), t, null));
            }
        }
    }

    /** Wraps {@code coro} in a task of the running loop and schedules it: asyncio's {@code create_task}. */
    public static <T> Task<T> createTask(Coroutine<T> coro) {
        return EventLoop.runningLoopOrThrow().createTask(coro, null);
    }

    /** Wraps {@code coro} in a task named {@code name} and schedules it. */
    public static <T> Task<T> createTask(Coroutine<T> coro, String name) {
        return EventLoop.runningLoopOrThrow().createTask(coro, name);
    }

    /**
     * Suspends the current task for {@code delay}; a zero delay yields once to every other ready step.
     *
     * @throws IllegalArgumentException if delay is negative
     * @throws IllegalStateException outside a task
     */
    public static void sleep(Duration delay) {
        sleep(delay, null);
    }

    /** Suspends the current task for {@code seconds}; see {@link #sleep(Duration)}. */
    public static void sleep(double seconds) {
        sleepNanos(EventLoop.delayNanos(seconds), null);
    }

    /** Suspends the current task for {@code delay}, then returns {@code result}; see {@link #sleep(Duration)}. */
    public static <T> T sleep(Duration delay, T result) {
        return sleepNanos(EventLoop.delayNanos(delay), result);
    }

    private static <T> T sleepNanos(long nanos, T result) {
        EventLoop loop = EventLoop.runningLoopOrThrow();
        Task<?> task = loop.currentTaskForAwait();
        if (nanos == 0) {
            // asyncio's __sleep0: a bare yield; the task goes to the back of the ready queue.
            task.runner.yieldNow();
            if (task.mustCancel) {
                task.mustCancel = false;
                throw task.makeCancelledError();
            }
            return result;
        }
        Future<T> wake = new Future<>(loop);
        TimerHandle timer = loop.scheduleTimer(loop.nanoTime() + nanos, () -> {
            if (!wake.done()) {
                wake.finishWithResult(result);
            }
        }, null);
        try {
            return wake.await();
        } finally {
            timer.cancel();
        }
    }

    /**
     * Runs {@code coro} inline in the current task and returns its value: {@code await coro}.
     *
     * @throws IllegalStateException outside a task (any other exception: the coroutine's own)
     */
    public static <T> T await(Coroutine<T> coro) {
        Objects.requireNonNull(coro, "coro");
        EventLoop.runningLoopOrThrow().currentTaskForAwait();
        try {
            return coro.call();
        } catch (Exception e) {
            throw Throwables.sneakyThrow(e);
        }
    }

    /**
     * Returns the task running in the calling thread of execution; empty in a loop callback.
     *
     * @throws IllegalStateException if no loop runs in this thread (asyncio's "no running event loop")
     */
    public static Optional<Task<?>> currentTask() {
        return Optional.ofNullable(EventLoop.runningLoopOrThrow().runningTask());
    }

    /** Returns the running loop's tasks not yet done. */
    public static Set<Task<?>> allTasks() {
        return EventLoop.runningLoopOrThrow().allTasks();
    }

    /**
     * Returns the loop running in the calling thread of execution.
     *
     * @throws IllegalStateException if there is none
     */
    public static EventLoop getRunningLoop() {
        return EventLoop.runningLoopOrThrow();
    }

    /**
     * Returns {@code obj} as a future of the running loop: a future as is, a coroutine wrapped in a task,
     * another awaitable wrapped in a task that awaits it.
     *
     * @throws IllegalArgumentException for anything else
     */
    @SuppressWarnings("unchecked")
    public static <T> Future<T> ensureFuture(Object obj) {
        Objects.requireNonNull(obj, "obj");
        if (obj instanceof Future<?> f) {
            return (Future<T>) f;
        }
        if (obj instanceof Coroutine<?> c) {
            return (Future<T>) createTask(c);
        }
        if (obj instanceof Awaitable<?> a) {
            return (Future<T>) createTask(a::await);
        }
        throw new IllegalArgumentException("A Future, a Coroutine or an Awaitable is required, got " + obj.getClass().getName());
    }

    /** Returns whether {@code obj} is a coroutine. */
    public static boolean isCoroutine(Object obj) {
        return obj instanceof Coroutine<?>;
    }

    /** Returns whether {@code method} returns a {@link Coroutine}. */
    public static boolean isCoroutineFunction(Method method) {
        return Coroutine.class.isAssignableFrom(Objects.requireNonNull(method, "method").getReturnType());
    }

    /**
     * Submits {@code coro} to {@code loop} from any other thread and returns a {@link CompletableFuture} of its
     * outcome. Cancelling the CompletableFuture cancels the task.
     *
     * @throws IllegalStateException if the loop is closed
     */
    public static <T> CompletableFuture<T> runCoroutineThreadsafe(Coroutine<T> coro, EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        TaskCompletableFuture<T> result = new TaskCompletableFuture<>(loop);
        loop.createTaskThreadsafe(coro, null, result::bind);
        return result;
    }

    /* A CompletableFuture bound to a task: the task's outcome completes it, cancelling it cancels the task. */
    private static final class TaskCompletableFuture<T> extends CompletableFuture<T> {
        private final EventLoop loop;
        private volatile Task<T> task;

        TaskCompletableFuture(EventLoop loop) {
            this.loop = loop;
        }

        void bind(Task<T> t) {
            task = t;
            if (isCancelled()) {
                t.cancel();
            }
            t.addDoneCallback(f -> {
                if (f.cancelled()) {
                    // A CancellationException completes it as cancelled, and keeps the cancel message.
                    completeExceptionally(f.makeCancelledError());
                } else if (f.peekException() != null) {
                    completeExceptionally(f.exception());
                } else {
                    complete(f.result());
                }
            });
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            Task<T> t = task;
            if (cancelled && t != null && !loop.isClosed()) {
                try {
                    loop.callSoonThreadsafe(() -> t.cancel());
                } catch (IllegalStateException closedMeanwhile) {
                    // the loop closed: the task is gone with it
                }
            }
            return cancelled;
        }
    }

}
