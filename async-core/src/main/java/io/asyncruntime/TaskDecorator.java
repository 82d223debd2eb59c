package io.asyncruntime;

/**
 * Wraps the coroutine of every task a loop creates, on the thread that creates the task: the hook that lets an
 * application carry its thread-bound context (a logging MDC, a tracing span) from the code that starts a task
 * into the task, as asyncio carries {@code contextvars}. Set with {@link EventLoop#setTaskDecorator}.
 *
 * <p>Each task has thread locals of its own (its own thread in {@link EngineMode#FAST} and
 * {@link EngineMode#PORTABLE}; in {@link EngineMode#DIRECT} the loop thread's maps swapped for the task's at each
 * step, when {@code java.lang} is opened), so thread-locals the wrapper sets at the start of the task stay the
 * task's for its whole life and are seen by no other task. A task created inside a task is decorated on the
 * parent's thread, so it inherits what the parent carries.
 *
 * <p>{@link Task#getCoro()} still returns the undecorated coroutine.
 *
 * <p>Threading: {@link #decorate} is called on the creating thread (any thread for
 * {@link AsyncRuntime#createTask}); the coroutine it returns runs on the task's thread.
 */
public interface TaskDecorator {

    /**
     * Returns the coroutine the task will run in place of {@code coro}. Called once per task, on the creating
     * thread.
     *
     * @param <T>  the coroutine's result type
     * @param coro the coroutine the task was created with
     * @return the coroutine to run instead, usually one that sets up, then calls {@code coro}; never null
     */
    <T> Coroutine<T> decorate(Coroutine<T> coro);
}
