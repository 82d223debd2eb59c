package io.asyncruntime;

import io.asyncruntime.internal.Throwables;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Collection;
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

    /**
     * Runs {@code coro} on a new loop without debug mode: asyncio's {@code asyncio.run(coro)}; see
     * {@link #run(Coroutine, boolean)}.
     *
     * @param <T>  the coroutine's result type
     * @param coro the program's main coroutine
     * @return the coroutine's value
     * @throws NullPointerException if {@code coro} is null
     * @throws IllegalStateException if a loop is already running in this thread
     *         (any other exception: the coroutine's own)
     */
    public static <T> T run(Coroutine<T> coro) {
        return run(coro, false);
    }

    /**
     * Creates a loop on the calling thread, runs {@code coro} as a task until it is done, cancels the tasks
     * still pending and waits for them, closes the loop and returns the coroutine's value: asyncio's
     * {@code asyncio.run(coro, debug=)}. Blocks the calling thread, which must not be running a loop.
     *
     * @param <T>   the coroutine's result type
     * @param coro  the program's main coroutine
     * @param debug whether the loop runs in debug mode ({@link EventLoop#setDebug})
     * @return the coroutine's value
     * @throws NullPointerException if {@code coro} is null
     * @throws IllegalStateException if a loop is already running in this thread
     *         (any other exception: the coroutine's own)
     */
    public static <T> T run(Coroutine<T> coro, boolean debug) {
        Objects.requireNonNull(coro, "coro");
        if (EventLoop.currentLoopOrNull() != null) {
            throw new IllegalStateException("Async.run() cannot be called from a running event loop");
        }
        // As asyncio.run: a Runner used once.
        try (Runner runner = new Runner(debug)) {
            return runner.run(coro);
        }
    }

    /* asyncio.runners._cancel_all_tasks: cancel what is left, let it unwind, report what failed meanwhile.
       Used by Runner.close (so by run above) and the tests' virtual-time runs. */
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

    /**
     * Wraps {@code coro} in a task of the running loop and schedules its first step: asyncio's
     * {@code asyncio.create_task(coro)}. The task runs in a copy of the current context and is named
     * {@code Task-<id>}. Loop thread only (a task or a callback).
     *
     * @param <T>  the coroutine's result type
     * @param coro the task's coroutine
     * @return the new task (started already if the loop starts tasks eagerly)
     * @throws NullPointerException if {@code coro} is null
     * @throws IllegalStateException if no loop runs in this thread
     */
    public static <T> Task<T> createTask(Coroutine<T> coro) {
        return EventLoop.runningLoopOrThrow().createTask(coro, null);
    }

    /**
     * Wraps {@code coro} in a task of the running loop named {@code name} and schedules its first step:
     * asyncio's {@code asyncio.create_task(coro, name=name)}. The task runs in a copy of the current context.
     * Loop thread only (a task or a callback).
     *
     * @param <T>  the coroutine's result type
     * @param coro the task's coroutine
     * @param name the task's name, or null for {@code Task-<id>}
     * @return the new task (started already if the loop starts tasks eagerly)
     * @throws NullPointerException if {@code coro} is null
     * @throws IllegalStateException if no loop runs in this thread
     */
    public static <T> Task<T> createTask(Coroutine<T> coro, String name) {
        return EventLoop.runningLoopOrThrow().createTask(coro, name);
    }

    /**
     * Wraps {@code coro} in a task named {@code name} (null: {@code Task-<id>}) and, if {@code eagerStart},
     * runs it at once until it first suspends: asyncio 3.14's {@code create_task(..., eager_start=True)}. See
     * {@link EventLoop#createTask(Coroutine, String, boolean)}. Loop thread only.
     *
     * @param <T>        the coroutine's result type
     * @param coro       the task's coroutine
     * @param name       the task's name, or null for {@code Task-<id>}
     * @param eagerStart true to run the coroutine at once until it first suspends; false to only schedule it
     * @return the new task; done already if an eager coroutine finished without suspending
     * @throws NullPointerException if {@code coro} is null
     * @throws IllegalStateException if no loop runs in this thread
     */
    public static <T> Task<T> createTask(Coroutine<T> coro, String name, boolean eagerStart) {
        return EventLoop.runningLoopOrThrow().createTask(coro, name, eagerStart);
    }

    /**
     * Suspends the current task for {@code delay}: asyncio's {@code sleep}. A zero or negative delay (a late
     * caller's remaining time) is a pure yield: the task goes once to the back of the ready queue, so every
     * other ready step runs first. A delay longer than about 73 years never ends (until cancelled). Loop
     * thread only, in a task.
     *
     * @param delay how long to sleep, in loop time
     * @throws NullPointerException if {@code delay} is null
     * @throws CancelledError if the task is cancelled meanwhile
     * @throws IllegalStateException outside a task
     */
    public static void sleep(Duration delay) {
        sleep(delay, null);
    }

    /**
     * Suspends the current task for {@code seconds}: asyncio's {@code sleep(delay)}; see {@link #sleep(Duration)}.
     * {@code +Infinity} sleeps until cancelled, {@code -Infinity} is a yield.
     *
     * @param seconds how long to sleep, in seconds of loop time; zero or less is a pure yield
     * @throws IllegalArgumentException if {@code seconds} is NaN (asyncio: {@code ValueError})
     * @throws CancelledError if the task is cancelled meanwhile
     * @throws IllegalStateException outside a task
     */
    public static void sleep(double seconds) {
        sleepNanos(EventLoop.dueInNanos(seconds, "seconds"), null);
    }

    /**
     * Suspends the current task for {@code delay}, then returns {@code result}: asyncio's
     * {@code sleep(delay, result)}; see {@link #sleep(Duration)}. A zero or negative delay yields once and
     * returns {@code result}.
     *
     * @param <T>    the result type
     * @param delay  how long to sleep, in loop time
     * @param result what to return; may be null
     * @return {@code result}
     * @throws NullPointerException if {@code delay} is null
     * @throws CancelledError if the task is cancelled meanwhile
     * @throws IllegalStateException outside a task
     */
    public static <T> T sleep(Duration delay, T result) {
        return sleepNanos(EventLoop.dueInNanos(delay, "delay"), result);
    }

    private static <T> T sleepNanos(long nanos, T result) {
        EventLoop loop = EventLoop.runningLoopOrThrow();
        Task<?> task = loop.currentTaskForAwait();
        if (nanos <= 0) {
            // asyncio's __sleep0 (sleep() takes it for any delay <= 0): a bare yield; the task goes to the back of the ready queue.
            task.runner.yieldNow();
            task.raisePendingCancel();
            return result;
        }
        Future<T> wake = new Future<>(loop);
        TimerHandle timer = loop.scheduleTimer(loop.deadlineAfter(nanos), () -> {
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
     * Runs {@code coro} inline in the current task and returns its value: Python's {@code await coro}. No new
     * task is created, and nothing else runs unless the coroutine itself awaits. Loop thread only, in a task.
     *
     * @param <T>  the coroutine's result type
     * @param coro the coroutine to run
     * @return the coroutine's value
     * @throws NullPointerException if {@code coro} is null
     * @throws IllegalStateException outside a task (any other exception: the coroutine's own, as is)
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
     * Returns the task running in the calling thread of execution: asyncio's {@code current_task()}.
     *
     * @return the current task, or empty in a loop callback
     * @throws IllegalStateException if no loop runs in this thread (asyncio's "no running event loop")
     */
    public static Optional<Task<?>> currentTask() {
        return Optional.ofNullable(EventLoop.runningLoopOrThrow().runningTask());
    }

    /**
     * Returns the running loop's tasks not yet done: asyncio's {@code all_tasks()}.
     *
     * @return a weakly consistent snapshot of the pending tasks; empty if there are none
     * @throws IllegalStateException if no loop runs in this thread
     */
    public static Set<Task<?>> allTasks() {
        return EventLoop.runningLoopOrThrow().allTasks();
    }

    /**
     * Returns the loop running in the calling thread of execution: asyncio's {@code get_running_loop()}.
     *
     * @return the running loop, never null
     * @throws IllegalStateException if there is none
     */
    public static EventLoop getRunningLoop() {
        return EventLoop.runningLoopOrThrow();
    }

    /**
     * Returns {@code obj} as a future of the running loop: a future as is, a coroutine wrapped in a task,
     * another awaitable wrapped in a task that awaits it: asyncio's {@code ensure_future}.
     *
     * @param <T> the result type
     * @param obj a {@link Future} (or {@link Task}), a {@link Coroutine} or another {@link Awaitable}
     * @return {@code obj} itself if it is a future, else a new task of the running loop
     * @throws NullPointerException if {@code obj} is null
     * @throws IllegalArgumentException for anything else
     * @throws IllegalStateException if a task must be created and no loop runs in this thread
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

    /**
     * Returns whether {@code obj} is a coroutine: asyncio's {@code iscoroutine(obj)}.
     *
     * @param obj anything; null is not a coroutine
     * @return true if {@code obj} is a {@link Coroutine}
     */
    public static boolean isCoroutine(Object obj) {
        return obj instanceof Coroutine<?>;
    }

    /**
     * Returns whether {@code method} is a coroutine function: asyncio's {@code iscoroutinefunction(func)}.
     *
     * @param method the method to look at
     * @return true if its declared return type is {@link Coroutine} or a subtype
     * @throws NullPointerException if {@code method} is null
     */
    public static boolean isCoroutineFunction(Method method) {
        return Coroutine.class.isAssignableFrom(Objects.requireNonNull(method, "method").getReturnType());
    }

    /**
     * Runs the awaitables (futures, tasks, coroutines; coroutines become tasks) concurrently and returns a
     * future of their results in argument order; see {@link #gather(List, boolean)}. Note that a single
     * {@code List} argument is one awaitable to this varargs form: pass lists to the other one. No argument
     * gives a future already done with an empty list, as asyncio's {@code gather()}.
     *
     * @param aws the {@link Awaitable}s and {@link Coroutine}s to run
     * @return a future of a list with one result per argument, in argument order
     * @throws NullPointerException if {@code aws} or an element of it is null
     * @throws IllegalArgumentException as {@link #gather(List, boolean)}
     * @throws IllegalStateException outside a loop
     */
    public static Future<List<Object>> gather(Object... aws) {
        return Gather.gather(java.util.Arrays.asList(Objects.requireNonNull(aws, "aws")), false);
    }

    /**
     * Runs the awaitables concurrently and returns a future of their results in order. The first failure
     * (or a child's cancellation, as a {@link CancelledError}) completes it at once and cancels nothing;
     * with {@code returnExceptions} failures are results instead. Cancelling the returned future cancels the
     * children not yet done. An empty list gives a future done with an empty list. asyncio's {@code gather}.
     * Loop thread only.
     *
     * @param aws              the {@link Awaitable}s and {@link Coroutine}s to run
     * @param returnExceptions true to put failures (and {@link CancelledError}s) in the list as results;
     *                         false to fail the returned future with the first one
     * @return a future of a list with one result (or, with {@code returnExceptions}, exception) per element, in
     *         order
     * @throws NullPointerException if {@code aws} or an element of it is null
     * @throws IllegalStateException outside a loop
     * @throws IllegalArgumentException if an element is neither an {@link Awaitable} nor a {@link Coroutine},
     *         or they belong to different loops
     */
    public static Future<List<Object>> gather(List<?> aws, boolean returnExceptions) {
        return Gather.gather(aws, returnExceptions);
    }

    /**
     * Protects {@code aw} from cancellation: cancelling the returned future (or the task awaiting it) does not
     * cancel {@code aw}, which keeps running; {@code aw}'s own cancellation cancels the returned future. A
     * done {@code aw} is returned as is. asyncio's {@code shield}. Loop thread only.
     *
     * @param <T> the result type
     * @param aw  a {@link Future}, a {@link Coroutine} (run as a task) or another {@link Awaitable}
     * @return a new future that mirrors {@code aw}'s outcome, or {@code aw}'s future itself if already done
     * @throws NullPointerException if {@code aw} is null
     * @throws IllegalArgumentException if {@code aw} is neither an {@link Awaitable} nor a {@link Coroutine}
     * @throws IllegalStateException outside a loop
     */
    public static <T> Future<T> shield(Object aw) {
        return Shield.shield(aw);
    }

    /**
     * Awaits {@code aw} (a future or task, or a coroutine run inline) for at most {@code timeout} (null: no
     * limit). On timeout it cancels {@code aw}, waits until it has really finished (its {@code finally} blocks
     * ran), then throws {@link TimeoutError}. If the waiting task is cancelled meanwhile, {@code aw} is
     * cancelled too: asyncio's {@code wait_for}.
     *
     * <p>A zero or negative timeout (a late caller's remaining time) checks once, as asyncio 3.12+ does: a
     * done future gives its outcome; anything else, a coroutine included, becomes a task that is cancelled
     * before it runs a single line, and {@link TimeoutError} is thrown once it is done (unless it refused the
     * cancellation and returned a value, which is then returned). A timeout longer than about 73 years is
     * no limit. Loop thread only, in a task.
     *
     * @param <T>     the result type
     * @param aw      a {@link Future}, a {@link Coroutine} or another {@link Awaitable}
     * @param timeout the longest wait, in loop time; null for no limit
     * @return {@code aw}'s result
     * @throws NullPointerException if {@code aw} is null
     * @throws IllegalArgumentException if {@code aw} is neither an {@link Awaitable} nor a {@link Coroutine}
     * @throws TimeoutError if the timeout passed first (its cause: {@code aw}'s {@link CancelledError})
     * @throws CancelledError if the waiting task is cancelled meanwhile
     * @throws IllegalStateException outside a task
     */
    public static <T> T waitFor(Object aw, Duration timeout) {
        return WaitFor.waitFor(aw, timeout);
    }

    /**
     * Waits until {@code when} says so, or {@code timeout} (null: none) passes, and returns which futures are
     * done and which pending; it never raises on timeout and never cancels: asyncio's {@code wait}.
     * Coroutines become tasks. A zero or negative timeout still lets one loop iteration pass, so futures that
     * are done, or finish in that iteration, are reported done (as asyncio, whose timer is then already due).
     * Loop thread only, in a task.
     *
     * @param aws     the {@link Awaitable}s and {@link Coroutine}s to wait for; duplicates count once
     * @param timeout the longest wait, in loop time; null for no limit
     * @param when    when to return: {@code FIRST_COMPLETED}, {@code FIRST_EXCEPTION} or {@code ALL_COMPLETED}
     * @return the futures split into {@link WaitResult#done()} and {@link WaitResult#pending()} sets
     * @throws NullPointerException if {@code aws}, an element of it, or {@code when} is null
     * @throws IllegalArgumentException if {@code aws} is empty (asyncio: {@code ValueError}), or an element is
     *         neither an {@link Awaitable} nor a {@link Coroutine}
     * @throws CancelledError if the waiting task is cancelled meanwhile (the futures are not)
     * @throws IllegalStateException outside a task
     */
    public static WaitResult wait(Collection<?> aws, Duration timeout, ReturnWhen when) {
        return Waiting.await(aws, timeout == null ? null : EventLoop.dueInNanos(timeout, "timeout"), when);
    }

    /**
     * Returns awaitables that give the results of {@code aws} in the order they complete; once {@code timeout}
     * (null: none) has passed, awaiting the next one raises {@link TimeoutError}.
     *
     * <pre>{@code
     * for (Awaitable<Object> next : Async.asCompleted(tasks, Duration.ofSeconds(5))) {
     *     Object earliest = next.await();
     * }
     * }</pre>
     *
     * <p>As asyncio's {@code as_completed}: an empty collection yields nothing; a zero or negative timeout
     * still yields the futures that are already done (or finish in the next loop iteration), then raises.
     * Loop thread only; await the returned awaitables in a task.
     *
     * @param aws     the {@link Awaitable}s and {@link Coroutine}s; duplicates count once
     * @param timeout the time, in loop time from now, after which the remaining awaitables raise; null for none
     * @return one awaitable per distinct element, to await in order; each gives the next outcome to complete
     * @throws NullPointerException if {@code aws} or an element of it is null
     * @throws IllegalArgumentException if an element is neither an {@link Awaitable} nor a {@link Coroutine}
     * @throws IllegalStateException outside a loop
     */
    public static Iterable<Awaitable<Object>> asCompleted(Collection<?> aws, Duration timeout) {
        return new Waiting.AsCompleted(aws, timeout == null ? null : EventLoop.dueInNanos(timeout, "timeout"));
    }

    /**
     * Runs {@code fn} on the loop's default executor (a virtual thread per call) with a copy of the current
     * context, and suspends the task, never the loop, until it returns: asyncio's {@code to_thread(func)}.
     * Loop thread only, in a task.
     *
     * @param <T> the result type
     * @param fn  the blocking work to run
     * @return what {@code fn} returned
     * @throws NullPointerException if {@code fn} is null
     * @throws CancelledError if the task is cancelled meanwhile
     * @throws IllegalStateException outside a task (any other exception: fn's own)
     */
    public static <T> T toThread(java.util.concurrent.Callable<T> fn) {
        Objects.requireNonNull(fn, "fn");
        EventLoop loop = EventLoop.runningLoopOrThrow();
        loop.currentTaskForAwait();
        Context context = Context.copyContext();
        return loop.runInExecutor(null, () -> context.run(fn)).await();
    }

    /**
     * Returns a future of the running loop completed, on the loop, with the outcome of {@code source}.
     * Cancelling the returned future cancels {@code source}. A {@link java.util.concurrent.CompletableFuture}
     * is followed with a callback; any other {@link java.util.concurrent.Future} is waited for on a virtual thread.
     * asyncio's {@code wrap_future(future)}. Loop thread only.
     *
     * @param <T>    the result type
     * @param source the JDK future to follow; its cancellation cancels the returned future
     * @return a new future of the running loop
     * @throws NullPointerException if {@code source} is null
     * @throws IllegalStateException if no loop runs in this thread
     */
    public static <T> Future<T> wrapFuture(java.util.concurrent.Future<T> source) {
        return JdkFutureBridge.wrapFuture(source);
    }

    /**
     * Opens a timeout scope for the current task that expires {@code delay} from now: asyncio's
     * {@code asyncio.timeout(delay)}; see {@link Timeout}. A zero or negative delay means "already due": the
     * first await inside raises {@link TimeoutError}. Null means no deadline (until {@link Timeout#reschedule}).
     *
     * @param delay how long from now the scope may last, in loop time; null for no deadline
     * @return the open scope, to close (try-with-resources) in the same task
     * @throws IllegalStateException outside a task, or off the loop thread
     */
    public static Timeout timeout(Duration delay) {
        EventLoop loop = EventLoop.runningLoopOrThrow();
        // Seconds and nanos separately: a Duration too long for toNanos() is simply far away.
        return new Timeout(delay == null ? null : loop.time() + delay.getSeconds() + delay.getNano() / 1e9, true);
    }

    /**
     * Opens a timeout scope for the current task with a deadline in loop time (seconds, as
     * {@link EventLoop#time()}): asyncio's {@code asyncio.timeout_at(when)}; see {@link Timeout}. A deadline
     * at or before the current loop time means "already due"; {@code +Infinity} never expires.
     *
     * @param when the deadline in loop time (seconds, as {@link EventLoop#time()})
     * @return the open scope, to close (try-with-resources) in the same task
     * @throws IllegalArgumentException if {@code when} is NaN
     * @throws IllegalStateException outside a task, or off the loop thread
     */
    public static Timeout timeoutAt(double when) {
        return new Timeout(when, true);
    }

    /**
     * Runs {@code body} inline in the current task under a deadline {@code delay} from now, with asyncio's
     * {@code async with asyncio.timeout(delay):} rules exactly: when the deadline passes, the body sees
     * {@link CancelledError} at its await (so its own {@code catch (TimeoutError)} blocks, and nested scopes,
     * do not mistake this scope's expiry for theirs), and the {@link TimeoutError} is raised when the
     * {@code CancelledError} leaves the body. Prefer this form to the try-with-resources {@link #timeout(Duration)}
     * when timeouts nest or the body catches {@link TimeoutError} itself; see {@link Timeout}. A body that needs
     * the scope itself ({@code as cm}) takes it: {@link #timeout(Duration, Timeout.Body)}.
     *
     * <p>A zero or negative delay means "already due": the body runs until its first await, which is
     * cancelled, as in asyncio's {@code timeout(0)}. Null means no deadline. A body that swallows the
     * {@code CancelledError} ends normally and its value is returned (asyncio's scope then raises nothing
     * either); {@link Task#cancelling()} is back to its value at entry afterwards.
     *
     * @param <T>   the body's result type
     * @param delay how long from now the body may run, in loop time; null for no deadline
     * @param body  the code to run, inline in this task (not a new task)
     * @return the body's result
     * @throws NullPointerException if {@code body} is null
     * @throws TimeoutError if the deadline passed and the body ended with the resulting {@link CancelledError}
     *         (which is the {@code TimeoutError}'s cause)
     * @throws CancelledError if the task is cancelled by anyone else meanwhile (a real cancel wins)
     * @throws IllegalStateException outside a task, or off the loop thread
     */
    public static <T> T timeout(Duration delay, Coroutine<T> body) {
        Objects.requireNonNull(body, "body");
        return timeout(delay, scope -> body.call());
    }

    /**
     * Runs {@code body} inline in the current task under a deadline {@code delay} from now and gives it the open
     * scope: asyncio's {@code async with asyncio.timeout(delay) as cm:}, with its rules exactly, as
     * {@link #timeout(Duration, Coroutine)}. The body may move the deadline ({@link Timeout#reschedule}, null
     * for none) and read {@link Timeout#when()}; the scope can be kept to ask {@link Timeout#expired()} after
     * the call.
     *
     * <pre>{@code
     * Timeout[] cm = new Timeout[1];
     * String page = Async.timeout(Duration.ofSeconds(2), scope -> {
     *     cm[0] = scope;
     *     String first = fetch("a");
     *     scope.reschedule(scope.when() + 1);   // one more second for the second page
     *     return first + fetch("b");
     * });
     * }</pre>
     *
     * @param <T>   the body's result type
     * @param delay how long from now the body may run, in loop time; null for no deadline
     * @param body  the code to run with the scope open, inline in this task (not a new task)
     * @return the body's result
     * @throws NullPointerException if {@code body} is null
     * @throws TimeoutError if the deadline passed and the body ended with the resulting {@link CancelledError}
     *         (which is the {@code TimeoutError}'s cause)
     * @throws CancelledError if the task is cancelled by anyone else meanwhile (a real cancel wins)
     * @throws IllegalStateException outside a task, or off the loop thread
     */
    public static <T> T timeout(Duration delay, Timeout.Body<T> body) {
        Objects.requireNonNull(body, "body");
        EventLoop loop = EventLoop.runningLoopOrThrow();
        return Timeout.runBody(new Timeout(delay == null ? null : loop.time() + delay.getSeconds() + delay.getNano() / 1e9,
                false), body);
    }

    /**
     * Runs {@code body} inline in the current task under a deadline in loop time (seconds, as
     * {@link EventLoop#time()}), with asyncio's {@code async with asyncio.timeout_at(when):} rules exactly; see
     * {@link #timeout(Duration, Coroutine)}. A deadline at or before the current loop time means "already
     * due"; {@code +Infinity} never expires.
     *
     * @param <T>  the body's result type
     * @param when the deadline in loop time (seconds, as {@link EventLoop#time()})
     * @param body the code to run, inline in this task (not a new task)
     * @return the body's result
     * @throws NullPointerException if {@code body} is null
     * @throws IllegalArgumentException if {@code when} is NaN
     * @throws TimeoutError if the deadline passed and the body ended with the resulting {@link CancelledError}
     *         (which is the {@code TimeoutError}'s cause)
     * @throws CancelledError if the task is cancelled by anyone else meanwhile (a real cancel wins)
     * @throws IllegalStateException outside a task, or off the loop thread
     */
    public static <T> T timeoutAt(double when, Coroutine<T> body) {
        Objects.requireNonNull(body, "body");
        return timeoutAt(when, scope -> body.call());
    }

    /**
     * Runs {@code body} inline in the current task under a deadline in loop time (seconds, as
     * {@link EventLoop#time()}) and gives it the open scope: asyncio's
     * {@code async with asyncio.timeout_at(when) as cm:}, with its rules exactly; see
     * {@link #timeout(Duration, Timeout.Body)}. A deadline at or before the current loop time means "already
     * due"; {@code +Infinity} never expires.
     *
     * @param <T>  the body's result type
     * @param when the deadline in loop time (seconds, as {@link EventLoop#time()})
     * @param body the code to run with the scope open, inline in this task (not a new task)
     * @return the body's result
     * @throws NullPointerException if {@code body} is null
     * @throws IllegalArgumentException if {@code when} is NaN
     * @throws TimeoutError if the deadline passed and the body ended with the resulting {@link CancelledError}
     *         (which is the {@code TimeoutError}'s cause)
     * @throws CancelledError if the task is cancelled by anyone else meanwhile (a real cancel wins)
     * @throws IllegalStateException outside a task, or off the loop thread
     */
    public static <T> T timeoutAt(double when, Timeout.Body<T> body) {
        Objects.requireNonNull(body, "body");
        return Timeout.runBody(new Timeout(when, false), body);
    }

    /**
     * Returns who awaits {@code future}, transitively, with each task's stack: asyncio 3.14's
     * {@code capture_call_graph}. Loop thread (from other threads the view is weakly consistent).
     *
     * @param future the future or task to start from
     * @return the graph: {@code future}, its stack if it is a task, and who awaits it
     * @throws NullPointerException if {@code future} is null
     */
    public static FutureCallGraph captureCallGraph(Future<?> future) {
        return FutureCallGraph.capture(Objects.requireNonNull(future, "future"), Integer.MAX_VALUE);
    }

    /**
     * Returns who awaits {@code future} as {@link #captureCallGraph(Future)} does, with at most the newest
     * {@code limit} frames of each task's stack (zero or less: none, and no stack is walked): asyncio 3.14's
     * {@code capture_call_graph(future, limit=...)}. Any thread, as {@link #captureCallGraph(Future)}.
     *
     * @param future the future or task to start from
     * @param limit  the most frames kept per task, newest first; zero or less keeps none
     * @return the graph: {@code future}, its stack if it is a task, and who awaits it
     * @throws NullPointerException if {@code future} is null
     */
    public static FutureCallGraph captureCallGraph(Future<?> future, int limit) {
        return FutureCallGraph.capture(Objects.requireNonNull(future, "future"), limit);
    }

    /**
     * Returns the call graph of the current task: asyncio 3.14's {@code capture_call_graph()}. Loop thread
     * only, in a task.
     *
     * @return the graph of the current task, its stack, and who awaits it
     * @throws IllegalStateException outside a task
     */
    public static FutureCallGraph captureCallGraph() {
        return captureCallGraph(EventLoop.runningLoopOrThrow().currentTaskForAwait());
    }

    /**
     * Returns the call graph of {@code future} as text: asyncio 3.14's {@code format_call_graph(future)}; see
     * {@link io.asyncruntime.debug.CallGraphFormat} for the layout. Any thread (a weakly consistent view from
     * threads other than the loop's).
     *
     * @param future the future or task to start from
     * @return the text, lines separated by {@code \n}
     * @throws NullPointerException if {@code future} is null
     */
    public static String formatCallGraph(Future<?> future) {
        return captureCallGraph(future).format();
    }

    /**
     * Returns the call graph of the current task as text, or an empty string in a loop callback (no current
     * task), as asyncio 3.14's {@code format_call_graph()}.
     *
     * @return the text, or {@code ""} in a loop callback
     * @throws IllegalStateException if no loop runs in this thread
     */
    public static String formatCallGraph() {
        Task<?> current = EventLoop.runningLoopOrThrow().runningTask();
        return current == null ? "" : formatCallGraph(current);
    }

    /**
     * Prints {@link #formatCallGraph(Future)} and a line break to {@code out}: asyncio 3.14's
     * {@code print_call_graph(future, file=out)}. Any thread, as {@link #formatCallGraph(Future)}.
     *
     * @param future the future or task to start from
     * @param out    where to print
     * @throws NullPointerException if {@code future} or {@code out} is null
     */
    public static void printCallGraph(Future<?> future, java.io.PrintStream out) {
        Objects.requireNonNull(out, "out");
        out.println(formatCallGraph(future));
    }

    /**
     * Prints the current task's call graph to {@link System#out}: asyncio 3.14's {@code print_call_graph()}.
     * Prints nothing in a loop callback (no current task).
     *
     * @throws IllegalStateException if no loop runs in this thread
     */
    public static void printCallGraph() {
        Task<?> current = EventLoop.runningLoopOrThrow().runningTask();
        if (current != null) {
            printCallGraph(current, System.out);
        }
    }

    /**
     * Submits {@code coro} to {@code loop} from any other thread and returns a {@link CompletableFuture} of its
     * outcome: asyncio's {@code run_coroutine_threadsafe(coro, loop)}. The task is named {@code Task-<id>}.
     * Cancelling the CompletableFuture cancels the task. Any thread; do not block on the result on the loop's
     * own thread.
     *
     * @param <T>  the coroutine's result type
     * @param coro the task's coroutine
     * @param loop the loop to run it on
     * @return a future completed with the task's outcome (cancelled if the task is cancelled)
     * @throws NullPointerException if {@code coro} or {@code loop} is null
     * @throws IllegalStateException if the loop is closed
     */
    public static <T> CompletableFuture<T> runCoroutineThreadsafe(Coroutine<T> coro, EventLoop loop) {
        return runCoroutineThreadsafe(coro, null, loop);
    }

    /* As the public one, with the task's name (null: Task-<id>). */
    static <T> CompletableFuture<T> runCoroutineThreadsafe(Coroutine<T> coro, String name, EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(coro, "coro");
        TaskCompletableFuture<T> result = new TaskCompletableFuture<>(loop);
        try {
            result.track(loop.createTaskThreadsafe(coro, name, result::bind, result::abandoned));
        } catch (RuntimeException refused) {
            // Refused at the call (a closed loop): nothing was handed out, so nothing waits to be answered.
            loop.externalWaiterAnswered(result);
            throw refused;
        }
        return result;
    }

}
