package io.asyncruntime;

import io.asyncruntime.internal.Throwables;
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
 *
 * <p>Nested groups and timeout scopes judge a cancellation as asyncio 3.13 does: innermost first, each only
 * by the requests made after it was entered. An inner group whose child failed raises its own failures,
 * never an outer group's; a group that closes with errors while a cancellation it did not make is still
 * outstanding (an outer group's, an expired outer timeout's, a {@link Task#cancel()}) leaves the task
 * cancelled, so the next await raises that. After the scopes are closed {@link Task#cancelling()} is what it
 * was before them.
 *
 * <p>{@link #run(Body)} is the body form, with asyncio's rules exactly; prefer it when the body throws
 * exceptions of its own or groups nest. The try-with-resources form differs where Java forces it: the body
 * is interrupted with the {@link ExceptionGroup} at the await (asyncio raises {@code CancelledError} there and
 * converts it in {@code __aexit__}), because a
 * {@code close()} cannot replace the exception that leaves its try block. So what is raised is decided at
 * that await: a child that fails only while being cancelled, after the body already got a
 * {@link CancelledError} from outside, is reported as a suppressed exception of that {@link CancelledError}
 * (asyncio raises the group); so is one failing while a timeout's {@link TimeoutError} leaves the body. A child
 * that has failed by the time the body's await raises counts, even if its done callback has not run yet.
 * {@code close()} cannot see an exception that the body throws itself (nor an inner group's
 * {@link ExceptionGroup} leaving it), so the children are then awaited (not cancelled) before it propagates,
 * and it is not added to the group; and if the body catches the {@link ExceptionGroup} raised into it,
 * {@code close()} does not raise it again.
 * Java has no analogue of asyncio's {@code KeyboardInterrupt}/{@code SystemExit} (an interrupt or
 * {@code System.exit} raises nothing in a coroutine), so a child's {@link Error} is collected in the group like
 * any other failure.
 *
 * <p>Threading: loop only, in the task that created it.
 */
public final class TaskGroup implements AutoCloseable {
    /* Threading: all fields loop only. */
    private final EventLoop loop;
    private final Task<?> parent;
    /* The parent's record of this scope: its cancellation bookkeeping lives in Task. */
    private final Task.Scope scope;
    private final Set<Task<?>> tasks = new LinkedHashSet<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final ExceptionGroup group;
    private boolean exiting;
    private boolean aborting;
    private boolean closed;
    /* asyncio's _parent_cancel_requested: a child failed and this group cancelled the parent. */
    private boolean parentCancelRequested;
    /* The ExceptionGroup was raised in the body (it propagates from there; close() does not raise it again). */
    private boolean delivered;
    private Future<Boolean> onCompleted;

    /**
     * Opens a group in the current task: asyncio's {@code async with TaskGroup()} entry. Loop thread only, in
     * the task that will close it.
     *
     * @throws IllegalStateException if there is no running event loop or no current task
     */
    public TaskGroup() {
        this(true);
    }

    /* atAwait: raise the ExceptionGroup at the body's await (try-with-resources); false for run(body). */
    private TaskGroup(boolean atAwait) {
        this.loop = EventLoop.runningLoopOrThrow();
        Task<?> current = loop.runningTask();
        if (current == null) {
            throw new IllegalStateException("TaskGroup cannot determine the parent task: use it inside a task");
        }
        this.parent = current;
        this.group = new ExceptionGroup("unhandled errors in a TaskGroup", errors);
        this.scope = current.enterGroupScope(this, atAwait);
    }

    /**
     * The body of {@link #run(Body)}: the code inside asyncio's {@code async with TaskGroup() as tg:}.
     *
     * @param <T> the body's result type
     */
    @FunctionalInterface
    public interface Body<T> {
        /**
         * Runs the body, inline in the task that called {@link #run(Body)}.
         *
         * @param tg the open group, to create children in
         * @return the body's result
         * @throws Exception whatever the body throws: it becomes one of the group's errors
         */
        T call(TaskGroup tg) throws Exception;
    }

    /**
     * Runs {@code body} inline in the current task with a new group open, then awaits every child, with
     * asyncio's {@code async with TaskGroup() as tg:} rules exactly (3.13's {@code __aexit__}): a failing child
     * cancels its siblings and the body, which sees {@link CancelledError} at its await; an exception the body
     * throws itself cancels the children too and joins the group's errors; once every child is done, the
     * failures leave as one {@link ExceptionGroup} (errors have priority over a cancellation, and a
     * cancellation the group did not make stays pending, so the next await raises it). A cancellation from
     * outside, with no failure, propagates as {@link CancelledError} once the children are cancelled and done.
     * Prefer this form to try-with-resources when the body throws exceptions of its own or groups nest; see
     * the class comment for what the try-with-resources form cannot do.
     *
     * @param <T>  the body's result type
     * @param body the code to run with the group open
     * @return the body's result, once every child is done
     * @throws NullPointerException if {@code body} is null
     * @throws ExceptionGroup if children failed or the body threw (its exceptions, the body's last)
     * @throws CancelledError if the task was cancelled from outside and nothing failed
     * @throws IllegalStateException if there is no running event loop or no current task
     */
    public static <T> T run(Body<T> body) {
        Objects.requireNonNull(body, "body");
        TaskGroup tg = new TaskGroup(false);
        T value = null;
        Throwable thrown = null;
        try {
            value = body.call(tg);
        } catch (Throwable e) {
            thrown = e;
        }
        tg.exit(thrown);
        if (thrown != null) {
            throw Throwables.sneakyThrow(thrown);
        }
        return value;
    }

    /**
     * Creates a child task with the default name {@code Task-<id>}; see {@link #createTask(Coroutine, String)}.
     *
     * @param <T>  the coroutine's result type
     * @param coro the child's coroutine
     * @return the child task, already scheduled
     * @throws NullPointerException if {@code coro} is null
     * @throws IllegalStateException if the group has finished or is shutting down after a failure, the loop is
     *         closed, or this is not the loop's thread
     */
    public <T> Task<T> createTask(Coroutine<T> coro) {
        return createTask(coro, null);
    }

    /**
     * Creates a child task in this group and schedules its first step: asyncio's
     * {@code TaskGroup.create_task(coro, name=)}. The child runs in a copy of the current context;
     * {@link #close()} awaits it, and its failure cancels its siblings. Loop thread only.
     *
     * @param <T>  the coroutine's result type
     * @param coro the child's coroutine
     * @param name the child's name, or null for {@code Task-<id>}
     * @return the child task, already scheduled (or started, if the loop starts tasks eagerly)
     * @throws NullPointerException if {@code coro} is null
     * @throws IllegalStateException if the group has finished or is shutting down after a failure, the loop is
     *         closed, or this is not the loop's thread
     */
    public <T> Task<T> createTask(Coroutine<T> coro, String name) {
        return createTask(coro, name, null);
    }

    /**
     * Creates a child task in this group that runs in {@code context} itself rather than in a copy of the
     * current one: asyncio's {@code TaskGroup.create_task(coro, name=, context=)}. What the child sets in its
     * context variables is seen in {@code context} afterwards (and by the next task given it). Otherwise as
     * {@link #createTask(Coroutine, String)}. Loop thread only.
     *
     * @param <T>     the coroutine's result type
     * @param coro    the child's coroutine
     * @param name    the child's name, or null for {@code Task-<id>}
     * @param context the context the child runs in, or null for a copy of the current one
     * @return the child task, already scheduled
     * @throws NullPointerException if {@code coro} is null
     * @throws IllegalStateException if the group has finished or is shutting down after a failure, the loop is
     *         closed, or this is not the loop's thread
     */
    public <T> Task<T> createTask(Coroutine<T> coro, String name, Context context) {
        Objects.requireNonNull(coro, "coro");
        loop.checkThread("createTask");
        if (closed || (exiting && tasks.isEmpty())) {
            throw new IllegalStateException("TaskGroup " + this + " is finished");
        }
        if (aborting) {
            throw new IllegalStateException("TaskGroup " + this + " is shutting down");
        }
        Task<T> task = context == null ? loop.createTask(coro, name) : loop.createTask(coro, name, context);
        tasks.add(task);
        if (task.done()) {
            // An eager child that finished in its first step: its outcome counts now, as 3.13's create_task
            // does, so a failure shuts the group down before this returns.
            onTaskDone(task);
        } else {
            task.addDoneCallback(this::onTaskDone);
            task.addAwaitedBy(parent);
        }
        return task;
    }

    /**
     * Awaits every child, then raises what the group owes: the {@link ExceptionGroup} if children failed and
     * it was not already raised in the body, else a cancellation (or {@link TimeoutError} of an outer timeout
     * scope) that reached this group while it waited. Closing again does nothing. asyncio's
     * {@code TaskGroup.__aexit__}.
     *
     * @throws ExceptionGroup if children failed and the body did not get it already
     * @throws CancelledError if the task was cancelled while the children were awaited
     * @throws TimeoutError if an enclosing timeout scope expired while the children were awaited
     * @throws IllegalStateException if called off the loop thread
     */
    @Override
    public void close() {
        loop.checkThread("close");
        if (closed) {
            return;
        }
        exiting = true;
        parent.scopeClosing(scope);
        if (!aborting && parent.cancelledFromOutside(scope)) {
            // The body got (or is about to get) a cancellation from outside: asyncio's __aexit__ sees it as et.
            abort();
        }
        CancelledError propagate = awaitChildren(null);
        if (!errors.isEmpty()) {
            // Errors have priority over a cancellation; one this group did not make stays pending.
            parent.keepCancelledAfterGroupErrors();
            if (!delivered) {
                delivered = true;
                throw group;
            }
            return; // already raised in the body, and it holds every failure by now
        }
        if (propagate != null) {
            // The scopes outside judge it now, as they would on its way out (an expired timeout: TimeoutError).
            throw parent.cancellationToRaise(propagate);
        }
    }

    /*
     * TaskGroup.run's exit: asyncio 3.13's __aexit__ with the body's outcome (thrown: null if it returned).
     * Returns normally when what the body threw should leave as is; else throws what the group owes.
     */
    private void exit(Throwable thrown) {
        exiting = true;
        parent.scopeClosing(scope);
        // A TimeoutError or ExceptionGroup that an enclosing try-with-resources scope raised at an await stands
        // for a CancelledError: asyncio's inner __aexit__ would have seen that.
        boolean cancellation = thrown instanceof CancelledError || parent.isConvertedCancellation(thrown);
        CancelledError propagate = thrown instanceof CancelledError ce ? ce : null;
        if (thrown != null && !aborting) {
            abort(); // the body failed, or the task is being cancelled: the children go too
        }
        propagate = awaitChildren(propagate);
        if (propagate != null && errors.isEmpty()) {
            if (propagate == thrown) {
                return; // the body's own CancelledError leaves as is (the scopes outside judged it at the await)
            }
            throw parent.cancellationToRaise(propagate); // caught at our own await: the scopes outside judge it
        }
        if (thrown != null && !cancellation) {
            errors.add(thrown);
        }
        if (!errors.isEmpty()) {
            parent.keepCancelledAfterGroupErrors();
            delivered = true;
            TaskGroup enclosing = parent.convertingGroup(thrown);
            if (enclosing != null) {
                // The body was interrupted by an enclosing try-with-resources group's ExceptionGroup, which is
                // already on its way out (its close() will not raise it again): our group joins its errors, as
                // asyncio's outer __aexit__ collects the inner group, and that one leaves.
                enclosing.errors.add(group);
                throw Throwables.sneakyThrow(thrown);
            }
            throw group;
        }
        // Nothing owed: what the body threw, if anything (a cancellation), leaves as is.
    }

    /*
     * The shared middle of close() and exit() (asyncio's __aexit__): waits until every child is done, closes the
     * scope and returns the cancellation to propagate: {@code propagate}, or one that reached the group's own
     * await while it waited, or null when the only cancellation left was this group's own.
     */
    private CancelledError awaitChildren(CancelledError propagate) {
        // A loop: the wait can be interrupted more than once if the parent is cancelled repeatedly.
        while (!tasks.isEmpty()) {
            if (onCompleted == null) {
                onCompleted = loop.createFuture();
            }
            try {
                onCompleted.await();
            } catch (CancelledError e) {
                // If the group is already shutting down this is its own cancellation, or one that is already
                // on its way out of the body: nothing more to raise.
                if (!aborting) {
                    propagate = e;
                    abort();
                }
            }
            onCompleted = null;
        }
        closed = true;
        int left = parent.exitScope(scope);
        if (parentCancelRequested && left == 0) {
            return null; // no cancellation left but our own: it is not propagated
        }
        return propagate;
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
        if (!tasks.remove(task)) {
            return; // taken in early by hasErrors(); this is its done callback coming round
        }
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
            // Interrupt whatever the body awaits (the parent raises our ExceptionGroup there, see
            // Task.cancellationToRaise), and take the request back in close().
            abort();
            parentCancelRequested = true;
            parent.requestScopeCancel(scope);
        }
    }

    /*
     * For the parent task judging a cancellation at an await: whether a child failed. A child that is done but
     * whose done callback has not run yet is taken in now: asyncio's __aexit__ waits for every child and so
     * would see its failure, while here the decision is made at this await (test_error_and_cancel).
     */
    boolean hasErrors() {
        if (errors.isEmpty()) {
            for (Task<?> t : List.copyOf(tasks)) {
                if (t.done()) {
                    onTaskDone(t);
                }
            }
        }
        return !errors.isEmpty();
    }

    /* For the parent task: the group's failures are raised in the body. */
    ExceptionGroup deliverToBody() {
        delivered = true;
        return group;
    }

    /**
     * Returns asyncio's repr of the group: {@code <TaskGroup tasks=2 errors=1 cancelling>}, where the counts
     * appear only when non-zero and {@code cancelling} (shutting down after a failure or a cancellation) else
     * {@code entered} (a group is entered when it is made, and stays so after close, as in asyncio). Loop
     * thread (racy elsewhere).
     *
     * @return the repr, as described
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<TaskGroup");
        if (!tasks.isEmpty()) {
            sb.append(" tasks=").append(tasks.size());
        }
        if (!errors.isEmpty()) {
            sb.append(" errors=").append(errors.size());
        }
        return sb.append(aborting ? " cancelling>" : " entered>").toString();
    }
}
