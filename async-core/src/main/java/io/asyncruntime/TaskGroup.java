package io.asyncruntime;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Structured concurrency for one task: asyncio's {@code TaskGroup} (3.11), for try-with-resources.
 *
 * <pre>{@code
 * try (TaskGroup tg = new TaskGroup()) {
 *     Task<String> a = tg.createTask(() -> fetch("a"));
 *     Task<String> b = tg.createTask(() -> fetch("b"));
 * }   // close() awaits both; here a and b are done
 * }</pre>
 *
 * <p>{@link #close()} awaits every child. The first child that fails cancels its siblings and interrupts
 * the body at its current await with an {@link ExceptionGroup}; every failure of the group, including those
 * that happen while the siblings are cancelled, ends up in that one exception. If the body has already
 * finished, {@code close()} raises the {@link ExceptionGroup} itself. If the task running the group is
 * cancelled from outside, the children are cancelled too and the cancellation propagates once they are done.
 * Java's {@code close()} cannot see an exception that the body throws itself; in that case the children are
 * still awaited (not cancelled) before it propagates.
 *
 * <p>Threading: loop only, in the task that created it.
 */
public final class TaskGroup implements AutoCloseable {
    private final EventLoop loop;
    private final Task<?> parent;
    private final Set<Task<?>> tasks = new LinkedHashSet<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final ExceptionGroup group;
    private final int parentCancellingAtEntry;
    private boolean exiting;
    private boolean aborting;
    private boolean closed;
    private boolean parentCancelRequested;
    private boolean delivered;
    private Future<Boolean> onCompleted;

    /**
     * Opens a group in the current task.
     *
     * @throws IllegalStateException outside a task
     */
    public TaskGroup() {
        this.loop = EventLoop.runningLoopOrThrow();
        Task<?> current = loop.runningTask();
        if (current == null) {
            throw new IllegalStateException("TaskGroup cannot determine the parent task: use it inside a task");
        }
        this.parent = current;
        this.parentCancellingAtEntry = current.cancelling();
        this.group = new ExceptionGroup("unhandled errors in a TaskGroup", errors);
    }

    /** Creates a child task; see {@link #createTask(Coroutine, String)}. */
    public <T> Task<T> createTask(Coroutine<T> coro) {
        return createTask(coro, null);
    }

    /**
     * Creates a child task named {@code name} (null: {@code Task-<id>}).
     *
     * @throws IllegalStateException if the group has finished or is shutting down after a failure
     */
    public <T> Task<T> createTask(Coroutine<T> coro, String name) {
        Objects.requireNonNull(coro, "coro");
        loop.checkThread("createTask");
        if (closed || (exiting && tasks.isEmpty())) {
            throw new IllegalStateException("TaskGroup " + this + " is finished");
        }
        if (aborting) {
            throw new IllegalStateException("TaskGroup " + this + " is shutting down");
        }
        Task<T> task = loop.createTask(coro, name);
        tasks.add(task);
        task.addDoneCallback(this::onTaskDone);
        task.addAwaitedBy(parent);
        return task;
    }

    /**
     * Awaits every child, then raises what the group owes: the {@link ExceptionGroup} if children failed and
     * it was not already raised in the body, else the parent's pending cancellation. Closing again does nothing.
     */
    @Override
    public void close() {
        loop.checkThread("close");
        if (closed) {
            return;
        }
        exiting = true;
        RuntimeException propagate = null;
        if (parent.cancelling() > parentCancellingAtEntry + (parentCancelRequested ? 1 : 0) && !aborting) {
            // The parent is being cancelled from outside (the body most likely got that CancelledError).
            abort();
            propagate = new CancelledError(parent.cancelMessage);
        }
        while (!tasks.isEmpty()) {
            if (onCompleted == null) {
                onCompleted = loop.createFuture();
            }
            try {
                onCompleted.await();
            } catch (CancelledError | TimeoutError e) {
                // Cancelled (or timed out) while waiting: the children go too, and this propagates after them.
                if (!aborting) {
                    abort();
                }
                if (!(e instanceof CancelledError) || !parentCancelRequested
                        || parent.cancelling() > parentCancellingAtEntry + 1) {
                    propagate = e;
                }
            }
            onCompleted = null;
        }
        closed = true;
        if (parentCancelRequested) {
            parent.groupFailure = null;
            if (parent.uncancel() <= parentCancellingAtEntry && propagate instanceof CancelledError) {
                propagate = null;
            }
        }
        if (!errors.isEmpty()) {
            if (!delivered) {
                delivered = true;
                throw group;
            }
            return; // already raised in the body, and it holds every failure by now
        }
        if (propagate != null) {
            throw propagate;
        }
    }

    private void abort() {
        aborting = true;
        for (Task<?> t : List.copyOf(tasks)) {
            if (!t.done()) {
                t.cancel();
            }
        }
    }

    private void onTaskDone(Future<?> task) {
        tasks.remove(task);
        if (onCompleted != null && tasks.isEmpty() && !onCompleted.done()) {
            onCompleted.finishWithResult(true);
        }
        if (task.cancelled()) {
            return;
        }
        Throwable exc = task.exception();
        if (exc == null) {
            return;
        }
        errors.add(exc);
        if (parent.done()) {
            loop.callExceptionHandler(new ExceptionContext(
                    "Task " + ((Task<?>) task).getName() + " failed in a TaskGroup whose parent task is done", exc, task, null));
            return;
        }
        if (!aborting && !parentCancelRequested) {
            // Interrupt whatever the body awaits, and take the request back in close().
            abort();
            parentCancelRequested = true;
            if (!exiting) {
                parent.groupFailure = this;
            }
            parent.cancel();
        }
    }

    /* Called by the parent task when the cancellation this group requested reaches its body. */
    ExceptionGroup deliverToBody() {
        delivered = true;
        return group;
    }

    @Override
    public String toString() {
        return "<TaskGroup tasks=" + tasks.size() + " errors=" + errors.size()
                + (aborting ? " cancelling" : "") + (closed ? " closed" : "") + ">";
    }
}
