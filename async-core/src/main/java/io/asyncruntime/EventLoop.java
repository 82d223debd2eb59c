package io.asyncruntime;

import io.asyncruntime.internal.Continuations;
import io.asyncruntime.internal.VirtualThreads;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * An event loop: asyncio's {@code BaseEventLoop}, running callbacks, timers and tasks one at a time.
 *
 * <p>{@code new EventLoop()} is asyncio's {@code new_event_loop()}: nothing runs until a thread calls
 * {@link #runForever()} or {@link #runUntilComplete}; that thread becomes the loop thread until they return.
 * Each iteration takes the callbacks handed in from other threads, waits for the earliest timer if nothing
 * is ready, moves due timers to the ready queue, then runs exactly the callbacks and task steps that were
 * ready at that moment (what they schedule runs in the next iteration), as asyncio's {@code _run_once}.
 *
 * <p>Threading: the loop thread (and, while one runs, the task's virtual thread) owns everything. From
 * other threads use only {@link #callSoonThreadsafe}, {@link #stop()}, {@link #time()}, {@link #allTasks()},
 * {@link #currentTask()}, {@link #findTask(long)}, {@link #isRunning()}, {@link #isClosed()} and the debug
 * settings. Other methods called from a wrong thread while the loop runs throw {@link IllegalStateException}.
 * A loop that is not running belongs to whichever thread drives it, as in asyncio.
 */
public class EventLoop implements AutoCloseable {
    /*
     * Overview for maintainers.
     *
     * Work reaches the loop three ways: ready (loop thread only, FIFO), timers (a heap ordered by deadline
     * then sequence number, cancelled ones removed lazily), and incoming (any thread; see
     * callSoonThreadsafe). A task step is a ready item like any callback: its TaskRunner.
     *
     * "The loop" is whoever holds it. In FAST mode that is always the loop thread, sometimes mounting a
     * task's virtual thread (then driver is that virtual thread). In PORTABLE mode a task's virtual thread
     * holds the loop while it runs and hands it on itself (HandOffTaskRunner). In DIRECT mode the loop thread
     * runs each task's continuation itself (DirectTaskRunner): driver stays the loop thread, runningTask says
     * which task's step it is in. inLoop() is true on the
     * thread that holds it; driver and runningTask say who that is, for other threads too.
     */
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    private static final VarHandle DRIVER;
    private static final VarHandle RUNNING_TASK;
    private static final VarHandle STEPS;
    private static final Object RUNNING_LOCK = new Object();
    /* Threading: copy-on-write under RUNNING_LOCK; read anywhere. Usually zero or one loop. */
    private static volatile EventLoop[] runningLoops = new EventLoop[0];
    private static final AtomicInteger LOOP_NAMES = new AtomicInteger();
    private static volatile boolean modeAnnounced;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            DRIVER = l.findVarHandle(EventLoop.class, "driver", Thread.class);
            RUNNING_TASK = l.findVarHandle(EventLoop.class, "runningTask", Task.class);
            STEPS = l.findVarHandle(EventLoop.class, "steps", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final LoopClock clock;
    private final ManualClock manualClock;
    private final EngineMode mode;
    final boolean blockingCallsSuspend;

    /* Threading: loop only. */
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>(256);
    private final TimerHeap timers = new TimerHeap();
    private int cancelledTimers;
    private long timerSequence;
    /* Threading: loop holder. Ready items left in this iteration; the hand-off engine takes from it too. */
    int ntodo;
    /* Threading: loop holder. Context of the callback running now, null outside callbacks. */
    Context callbackContext;
    final TaskRegistry registry = new TaskRegistry();
    /* FAST mode: task threads whose tasks are done, kept for the next tasks. Threading: loop only. */
    final TaskThread.Pool taskThreads = new TaskThread.Pool();
    /* DIRECT mode: carriers whose tasks are done, kept for the next tasks. Threading: loop only. */
    final DirectTaskRunner.Pool directCarriers = new DirectTaskRunner.Pool();
    /* DIRECT mode, loop holder: how many eager first steps run nested in their creators' steps now. */
    int directNested;
    /* DIRECT mode: the tasks whose steps run those nested eager steps, outermost first. Threading: loop holder
       writes; any thread reads it racily to find a creator's frames (DirectTaskRunner.liveFrames). */
    DirectTaskRunner[] directNestedCreators;
    /* FAST mode, loop holder: an eager task's first step runs nested in a callback; no other step may join it. */
    private boolean eagerFromCallback;

    /* Threading: any thread offers, the loop drains. */
    private final ConcurrentLinkedQueue<Runnable> incoming = new ConcurrentLinkedQueue<>();
    /* Threading: loop writes, submitters read: the loop is parked waiting for work and must be woken. */
    private volatile boolean idle;
    /* Threading: the loop thread while running, else null. */
    private volatile Thread loopThread;
    /* Threading: loop holder writes (release), anyone reads (acquire). */
    private Thread driver;
    private Task<?> runningTask;
    /* Threading: loop holder writes (opaque), the watchdog reads: advances with every step. */
    private long steps;
    private volatile boolean stopping;
    private volatile boolean closed;
    /* Threading: any thread. The CompletableFutures handed to other threads and not yet answered: whatever
       becomes of the loop, each gets an answer (see close() and releaseExternalWaiters). */
    private final Set<TaskCompletableFuture<?>> externalWaiters = ConcurrentHashMap.newKeySet();
    /* Threading: any thread writes once, the loop reads. Set while an owner shuts the loop down: a task
       handed in from another thread from now on is cancelled before its first step, like the rest. */
    private volatile String shutdownMessage;
    /* Threading: any thread. Once set, waiters handed out from then on are answered at once (see below). */
    private volatile java.util.function.Function<Task<?>, String> releasedWhy;
    /* Threading: work handed to other threads whose result will come back through incoming. */
    private final AtomicInteger outstandingExternalWork = new AtomicInteger();
    /* Threading: loop thread only. The loop thread was interrupted while running: parking would return at
       once forever, so the flag is cleared and given back when runForever returns. */
    private boolean interruptedWhileRunning;
    /* PORTABLE mode: the loop thread may go on (a task handed the loop back). */
    private volatile boolean loopThreadHoldsLoop;
    /* PORTABLE mode, loop holder: an eager task's first step was lent the loop from a callback on the loop
       thread, which must get it back right after that step. */
    private boolean eagerFromLoopThread;
    /* Threading: any thread; read once per task created. */
    private volatile boolean eagerStart;
    /* FAST mode: the task whose blocking call holds the loop, for introspection. */
    private volatile Task<?> blockedTask;

    /* Threading: copy-on-write under this; read by the loop. Empty in the common case: one volatile read. */
    private volatile TaskListener[] taskListeners = new TaskListener[0];
    private volatile boolean debug;
    private volatile boolean recordCreationSites;
    private volatile long slowCallbackNanos = TimeUnit.MILLISECONDS.toNanos(100);
    private volatile long blockedThresholdNanos = TimeUnit.SECONDS.toNanos(1);
    /* Threading: any thread; read once per task created. */
    private volatile TaskDecorator taskDecorator;
    /* Threading: copy-on-write under this; read by the watchdog. Starts with the flight recorder's listener. */
    private volatile LoopStallListener[] stallListeners = LoopStallRecorder.DEFAULT;
    private volatile ExceptionHandler exceptionHandler;
    private volatile ExecutorService defaultExecutor;

    /**
     * Creates a loop with the real clock and the best engine this JVM allows: asyncio's
     * {@code new_event_loop()}. It is not running until {@link #runForever()} or {@link #runUntilComplete}
     * runs it; use {@link #builder()} for options.
     */
    @SuppressWarnings("this-escape") // see EventLoop(Builder)
    public EventLoop() {
        this(builder());
    }

    // The setters called below only validate and write this loop's own volatile fields; a subclass overriding
    // them would see a half-built loop (-Xlint:this-escape), which making EventLoop final would rule out.
    @SuppressWarnings("this-escape")
    private EventLoop(Builder b) {
        this.name = b.name != null ? b.name : "asyncio-loop-" + LOOP_NAMES.incrementAndGet();
        this.clock = b.clock;
        this.manualClock = b.clock instanceof ManualClock m ? m : null;
        EngineMode m = b.mode != null ? b.mode : EngineMode.configuredDefault();
        if (m == EngineMode.FAST && !VirtualThreads.isAvailable()) {
            throw new IllegalStateException("FAST mode is not available: " + VirtualThreads.unavailableReason());
        }
        if (m == EngineMode.DIRECT && !Continuations.isAvailable()) {
            throw new IllegalStateException("DIRECT mode is not available: " + Continuations.unavailableReason());
        }
        if (b.mode == null && m == EngineMode.FAST && Thread.currentThread().isVirtual()) {
            // A loop created on a virtual thread is most likely run there, and only a platform thread can carry.
            m = EngineMode.PORTABLE;
        }
        this.mode = m;
        this.blockingCallsSuspend = b.blockingCallsSuspend;
        if (b.blockingCallsSuspend && m == EngineMode.DIRECT) {
            throw new IllegalStateException("blockingCallsSuspend needs FAST mode: in DIRECT mode a task runs on the"
                    + " loop thread itself, so a blocking call can only hold the loop");
        }
        if (b.blockingCallsSuspend && m != EngineMode.FAST) {
            throw new IllegalStateException("blockingCallsSuspend needs FAST mode");
        }
        this.debug = b.debug;
        if (b.slowCallbackDuration != null) {
            setSlowCallbackDuration(b.slowCallbackDuration);
        }
        if (b.blockedThreshold != null) {
            setBlockedThreshold(b.blockedThreshold);
        }
        announceMode(m);
    }

    /**
     * Returns a builder for a loop with options: name, clock, engine mode, debug, thresholds.
     *
     * @return a new builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    private static void announceMode(EngineMode m) {
        if (modeAnnounced) {
            return;
        }
        modeAnnounced = true;
        if (m == EngineMode.FAST) {
            LOG.log(System.Logger.Level.INFO, "asyncruntime: FAST engine (event loop threads carry their tasks' virtual threads)");
        } else if (m == EngineMode.DIRECT) {
            LOG.log(System.Logger.Level.INFO, "asyncruntime: DIRECT engine (tasks are continuations run by the event loop"
                    + " thread itself: inside a task, Thread.currentThread() is the loop thread)");
        } else {
            String why = VirtualThreads.unavailableReason();
            // The reason says once what would turn FAST on (the flag, when that is what is missing); a hint
            // appended here would repeat it, or name a flag that cannot help (another JDK, asyncruntime.mode=portable).
            LOG.log(System.Logger.Level.INFO, "asyncruntime: PORTABLE engine (tasks hand the loop to each other)"
                    + (why != null ? "; FAST is off because " + why : "; FAST is available here but was not chosen"));
        }
    }

    // ---------------------------------------------------------------- identity, clock, mode

    /**
     * Returns the loop's name (its thread's name under {@link AsyncRuntime}). Any thread.
     *
     * @return the name given to the builder, or the one chosen by default
     */
    public String name() {
        return name;
    }

    /**
     * Returns which engine runs this loop's tasks. Any thread.
     *
     * @return the engine, fixed when the loop was built
     */
    public EngineMode engineMode() {
        return mode;
    }

    /**
     * Returns the clock the loop reads its time from, fixed when the loop was built: a {@link ManualClock} means the
     * loop runs on virtual time (so, for instance, a latency probe measures nothing there). Any thread.
     *
     * @return the loop's clock
     */
    public LoopClock clock() {
        return clock;
    }

    /**
     * Returns the loop's current time: asyncio's {@code loop.time()}. Any thread.
     *
     * @return the time in seconds of the loop's clock: monotonic, only differences are meaningful
     */
    public double time() {
        return clock.nanoTime() / 1e9;
    }

    long nanoTime() {
        return clock.nanoTime();
    }

    /**
     * Returns whether the loop is running: asyncio's {@code loop.is_running()}. Any thread.
     *
     * @return true while {@link #runForever()} or {@link #runUntilComplete} is running it
     */
    public boolean isRunning() {
        return loopThread != null;
    }

    /**
     * Returns whether the loop was closed: asyncio's {@code loop.is_closed()}. Any thread.
     *
     * @return true once {@link #close()} was called
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Returns the thread running the loop. Any thread.
     *
     * @return the thread, or null when the loop is not running
     */
    public Thread loopThread() {
        return loopThread;
    }

    // ---------------------------------------------------------------- scheduling

    /**
     * Schedules {@code callback} to run on the loop in the next iteration, after what is already scheduled,
     * in a copy of the current context: asyncio's {@code loop.call_soon(callback)}. Loop thread only (any
     * thread while the loop is not running).
     *
     * @param callback what to run
     * @return a handle whose {@link Handle#cancel()} unschedules it
     * @throws NullPointerException if {@code callback} is null
     * @throws IllegalStateException if the loop is closed or this is not the loop's thread
     */
    public Handle callSoon(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkNotClosed();
        checkThread("callSoon");
        Handle h = new Handle(this, callback, Context.current().copy());
        ready.addLast(h);
        return h;
    }

    /**
     * Schedules {@code callback} from any thread: asyncio's {@code loop.call_soon_threadsafe(callback)}, the one
     * thread-safe way into the loop.
     *
     * <p>How it works: the callback goes onto a lock-free queue that the loop drains at the start of every
     * iteration, before it decides how long to wait. If the loop is parked waiting for work, the caller
     * unparks it. The park/offer race is closed by ordering: the loop sets {@code idle} and then looks at the
     * queue, a submitter offers and then reads {@code idle}; both are volatile, so at least one of them sees
     * the other and the callback is never stranded. Callbacks from one thread run in the order they were
     * submitted. The callback runs in a copy of the context current on the calling thread.
     *
     * @param callback what to run on the loop
     * @return a handle whose {@link Handle#cancel()} unschedules it
     * @throws NullPointerException if {@code callback} is null
     * @throws IllegalStateException if the loop is closed
     */
    public Handle callSoonThreadsafe(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkNotClosed();
        Handle h = new Handle(this, callback, Context.current().copy());
        if (!submitThreadsafe(h)) {
            throw new IllegalStateException("Event loop " + name + " is closed");
        }
        return h;
    }

    /**
     * Schedules {@code callback} after {@code delaySeconds}: asyncio's {@code loop.call_later}. A delay at or
     * below zero is already due: the callback runs in the next iteration, ordered by its deadline among the
     * due timers (a delay of -1 runs before one of 0, as in asyncio); an infinite delay never comes due.
     * The callback runs in a copy of the current context. Loop thread only (any thread while the loop is not
     * running).
     *
     * @param delaySeconds the delay in seconds of loop time
     * @param callback     what to run
     * @return a handle whose {@link TimerHandle#cancel()} unschedules it and whose {@link TimerHandle#when()}
     *         is the deadline
     * @throws NullPointerException if {@code callback} is null
     * @throws IllegalArgumentException if {@code delaySeconds} is NaN
     * @throws IllegalStateException if the loop is closed or this is not the loop's thread
     */
    public TimerHandle callLater(double delaySeconds, Runnable callback) {
        return callAtNanos(deadlineAfter(dueInNanos(delaySeconds, "delaySeconds")), callback);
    }

    /**
     * Schedules {@code callback} after {@code delay}: asyncio's {@code loop.call_later}; see
     * {@link #callLater(double, Runnable)}. A zero or negative delay is already due; a delay longer than about
     * 73 years never comes due. Loop thread only (any thread while the loop is not running).
     *
     * @param delay    the delay in loop time
     * @param callback what to run
     * @return a handle whose {@link TimerHandle#cancel()} unschedules it
     * @throws NullPointerException if {@code delay} or {@code callback} is null
     * @throws IllegalStateException if the loop is closed or this is not the loop's thread
     */
    public TimerHandle callLater(Duration delay, Runnable callback) {
        return callAtNanos(deadlineAfter(dueInNanos(delay, "delay")), callback);
    }

    /**
     * Schedules {@code callback} at loop time {@code when} (seconds, as {@link #time()}): asyncio's
     * {@code loop.call_at}. A time in the past, even {@code -Infinity}, runs in the next iteration, ordered by
     * time among the due timers; {@code +Infinity} never comes due. The callback runs in a copy of the current
     * context. Loop thread only (any thread while the loop is not running).
     *
     * @param when     the loop time to run at, in seconds
     * @param callback what to run
     * @return a handle whose {@link TimerHandle#cancel()} unschedules it
     * @throws NullPointerException if {@code callback} is null
     * @throws IllegalArgumentException if {@code when} is NaN (asyncio accepts it and then misorders its timer
     *         heap; a Java caller gets told instead)
     * @throws IllegalStateException if the loop is closed or this is not the loop's thread
     */
    public TimerHandle callAt(double when, Runnable callback) {
        if (Double.isNaN(when)) {
            throw new IllegalArgumentException("when must be a loop time in seconds, got NaN");
        }
        return callAtNanos(deadlineAt(when), callback);
    }

    /* The clock deadline of loop time when (seconds): taken relative to now, so that -Infinity and +Infinity
       saturate instead of overflowing. */
    long deadlineAt(double when) {
        return deadlineAfter(saturate(when * 1e9 - clock.nanoTime()));
    }

    TimerHandle callAtNanos(long deadlineNanos, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        return scheduleTimer(deadlineNanos, callback, Context.current().copy());
    }

    /* For the library's own timers: no context to enter. */
    TimerHandle scheduleTimer(long deadlineNanos, Runnable callback, Context context) {
        checkNotClosed();
        checkThread("callAt");
        TimerHandle h = new TimerHandle(this, deadlineNanos, callback, context);
        h.scheduled = true;
        timers.add(h, timerSequence++); // equal deadlines run in scheduling order
        return h;
    }

    /* A delay this long is "never": far enough that no loop reaches it, near enough that now + it cannot overflow. */
    static final long NEVER_NANOS = Long.MAX_VALUE / 4;

    /**
     * Converts a delay in seconds to nanoseconds for a function where a delay at or below zero means "already
     * due" (asyncio: sleep, call_later, wait_for, wait, as_completed): negative values are kept (callers that
     * need zero clamp), infinities saturate to +-{@link #NEVER_NANOS}, NaN is refused naming {@code param}.
     */
    static long dueInNanos(double seconds, String param) {
        if (Double.isNaN(seconds)) {
            throw new IllegalArgumentException(param + " must be a number of seconds, got NaN");
        }
        return saturate(seconds * 1e9);
    }

    /** As {@link #dueInNanos(double, String)} for a Duration, which cannot be NaN but can be null. */
    static long dueInNanos(Duration delay, String param) {
        Objects.requireNonNull(delay, param);
        long seconds = delay.getSeconds();
        if (seconds >= NEVER_NANOS / 1_000_000_000L) {
            return NEVER_NANOS;
        }
        if (seconds <= -NEVER_NANOS / 1_000_000_000L) {
            return -NEVER_NANOS;
        }
        return seconds * 1_000_000_000L + delay.getNano();
    }

    private static long saturate(double nanos) {
        return nanos >= NEVER_NANOS ? NEVER_NANOS : nanos <= -NEVER_NANOS ? -NEVER_NANOS : (long) nanos;
    }

    /* The loop-clock deadline {@code nanos} from now; both stay within +-NEVER_NANOS of now, so no overflow. */
    long deadlineAfter(long nanos) {
        return clock.nanoTime() + nanos;
    }

    /* For settings that must be a non-negative length (thresholds), not a delay: negative is a caller's error. */
    static long delayNanos(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        try {
            return Math.min(delay.toNanos(), NEVER_NANOS);
        } catch (ArithmeticException tooLong) {
            return NEVER_NANOS;
        }
    }

    void timerHandleCancelled(TimerHandle handle) {
        // Only the loop counts (the count is loop-confined); a cancel from elsewhere is found lazily.
        if (handle.scheduled && inLoop()) {
            handle.cancelCounted = true;
            cancelledTimers++;
        }
    }

    private void timerRemoved(TimerHandle t) {
        t.scheduled = false;
        if (t.cancelCounted) {
            t.cancelCounted = false;
            cancelledTimers--;
        }
    }

    /**
     * Creates a pending future that belongs to this loop: asyncio's {@code loop.create_future()}. Any thread
     * (the future itself is then completed on the loop thread).
     *
     * @param <T> the result type
     * @return a new pending future
     */
    public <T> Future<T> createFuture() {
        return new Future<>(this);
    }

    /**
     * Wraps {@code coro} in a task named {@code Task-<id>} and schedules its first step: asyncio's
     * {@code loop.create_task(coro)}; see {@link #createTask(Coroutine, String)}.
     *
     * @param <T>  the coroutine's result type
     * @param coro the task's coroutine
     * @return the new task (started already if {@link #getEagerStart()} is on and the caller is on the loop)
     * @throws NullPointerException if {@code coro} is null
     * @throws IllegalStateException if the loop is closed or this is not the loop's thread
     */
    public <T> Task<T> createTask(Coroutine<T> coro) {
        return createTask(coro, null);
    }

    /**
     * Wraps {@code coro} in a task named {@code name} (null: {@code Task-<id>}) running in a copy of the
     * current context, and schedules its first step: asyncio's {@code loop.create_task(coro, name=name)}. Loop
     * thread only (or a loop that is not running); from other threads use
     * {@link Async#runCoroutineThreadsafe} or {@link AsyncRuntime#createTask}.
     *
     * @param <T>  the coroutine's result type
     * @param coro the task's coroutine
     * @param name the task's name, or null for {@code Task-<id>}
     * @return the new task (started already if {@link #getEagerStart()} is on and the caller is on the loop)
     * @throws NullPointerException if {@code coro} is null
     * @throws IllegalStateException if the loop is closed or this is not the loop's thread
     */
    public <T> Task<T> createTask(Coroutine<T> coro, String name) {
        return createTask(coro, name, eagerStart);
    }

    /**
     * As {@link #createTask(Coroutine, String)}, choosing eager start for this task: asyncio 3.14's
     * {@code create_task(coro, name=name, eager_start=eagerStart)}.
     *
     * <p>An eager task starts at once: its coroutine runs inside this call, with {@link Async#currentTask()}
     * being the new task, until it first suspends or finishes; then this call returns. A coroutine that
     * finishes without suspending is done on return (its done callbacks are scheduled as usual), and the
     * task was never queued. No other task or callback runs in between. Eager start applies only while the
     * loop runs and the caller is on it (a task or a callback); otherwise the task is scheduled as usual.
     * It still costs a switch to the task's virtual thread and back (in FAST mode a reused one; see the README),
     * except in {@link EngineMode#DIRECT}, where the step runs nested in the caller's own step.
     *
     * @param <T>        the coroutine's result type
     * @param coro       the task's coroutine
     * @param name       the task's name, or null for {@code Task-<id>}
     * @param eagerStart true to run the coroutine at once until it first suspends; false to only schedule it
     * @return the new task; done already if an eager coroutine finished without suspending
     * @throws NullPointerException if {@code coro} is null
     * @throws IllegalStateException if the loop is closed or this is not the loop's thread
     */
    public <T> Task<T> createTask(Coroutine<T> coro, String name, boolean eagerStart) {
        Objects.requireNonNull(coro, "coro");
        checkNotClosed();
        checkThread("createTask");
        Task<T> task = newTask(coro, name);
        startTask(task);
        if (eagerStart && loopThread != null) {
            runEagerly(task);
        }
        return task;
    }

    /*
     * Runs a just-started task's first step now. From a task: that task yields to it (TaskRunner.yieldTo) and
     * goes on right after it. From a callback on the loop thread: the step runs nested in the callback.
     */
    private void runEagerly(Task<?> task) {
        // startTask queued the first step at the back; it runs here instead.
        ready.removeLastOccurrence(task.runner);
        Task<?> creator = runningTask();
        if (creator != null) {
            creator.runner.yieldTo(task.runner);
            return;
        }
        // From a callback: run the step nested here. If that step starts eager tasks of its own, they and the
        // rest of the step were put in front of the ready queue (yieldTo): run those too, so that the whole
        // first step is over when createTask returns, as from a task.
        int before = ntodo;
        Runnable step = task.runner;
        boolean outer = eagerFromCallback;
        eagerFromCallback = true;
        try {
            for (;;) {
                if (mode == EngineMode.PORTABLE) {
                    eagerFromLoopThread = true; // the task hands the loop straight back after this step (handOffFrom)
                }
                step.run();
                if (ntodo <= before) {
                    return;
                }
                ntodo--;
                step = ready.pollFirst();
            }
        } finally {
            eagerFromCallback = outer;
        }
    }

    /**
     * Returns whether tasks created on this loop start eagerly by default; see {@link #setEagerStart}. Any
     * thread.
     *
     * @return true if {@link #createTask(Coroutine, String)} starts tasks eagerly
     */
    public boolean getEagerStart() {
        return eagerStart;
    }

    /**
     * Makes eager start the default for tasks created from now on ({@link #createTask(Coroutine, String, boolean)}):
     * asyncio's {@code loop.set_task_factory(asyncio.eager_task_factory)}. Any thread.
     *
     * @param enabled true for eager start, false (the default) to schedule new tasks as usual
     */
    public void setEagerStart(boolean enabled) {
        this.eagerStart = enabled;
    }

    /**
     * Sets the decorator applied to the coroutine of every task created from now on. Any thread.
     *
     * @param decorator the decorator, or null for none
     */
    public void setTaskDecorator(TaskDecorator decorator) {
        this.taskDecorator = decorator;
    }

    /**
     * Returns the task decorator. Any thread.
     *
     * @return the decorator set with {@link #setTaskDecorator}, or null if none
     */
    public TaskDecorator getTaskDecorator() {
        return taskDecorator;
    }

    /*
     * asyncio's create_task(coro, context=ctx): the task runs in ctx itself, not in a copy, so what it sets is
     * seen by the next task given ctx (Runner runs each coroutine in its one context this way).
     */
    <T> Task<T> createTask(Coroutine<T> coro, String name, Context context) {
        Objects.requireNonNull(coro, "coro");
        Objects.requireNonNull(context, "context");
        checkNotClosed();
        checkThread("createTask");
        Task<T> task = newTask(coro, name, context);
        startTask(task);
        return task;
    }

    /* Builds a task on the creating thread: decorated, in a copy of the current context, with its creation site. */
    private <T> Task<T> newTask(Coroutine<T> coro, String name) {
        return newTask(coro, name, Context.currentEntries()); // the copy is made if the task ever asks for it
    }

    /* context: a Context the task runs in itself, or the variables its own copy will hold. */
    private <T> Task<T> newTask(Coroutine<T> coro, String name, Object context) {
        Task<T> task = new Task<>(this, decorated(coro), name, context);
        if (recordCreationSites || debug) {
            task.extras().creationSite = io.asyncruntime.internal.StackFrames.creationSite();
        }
        return task;
    }

    private <T> Coroutine<T> decorated(Coroutine<T> coro) {
        TaskDecorator d = taskDecorator;
        if (d == null) {
            return coro;
        }
        Coroutine<T> wrapped = Objects.requireNonNull(d.decorate(coro), "TaskDecorator returned null");
        return wrapped == coro ? coro : new Task.Decorated<>(coro, wrapped);
    }

    /* From any thread: the task is built here, in the caller's context, and started on the loop. */
    <T> Task<T> createTaskThreadsafe(Coroutine<T> coro, String name, Consumer<Task<T>> onStart, Runnable onAbandon) {
        Objects.requireNonNull(coro, "coro");
        checkNotClosed();
        Task<T> task = newTask(coro, name);
        if (inLoop()) {
            startTask(task);
            onStart.accept(task);
            return task;
        }
        // If the loop closed meanwhile, the start was answered (abandoned) instead: the caller still gets a
        // task, done and cancelled, and whoever waits on it is answered.
        submitThreadsafe(new PendingStart<>(this, task, onStart, onAbandon));
        return task;
    }

    /* A task start handed in from another thread; abandoned, not lost, if the loop closes before it runs. */
    private static final class PendingStart<T> implements Runnable {
        private final EventLoop loop;
        private final Task<T> task;
        private final Consumer<Task<T>> onStart;
        private final Runnable onAbandon;

        PendingStart(EventLoop loop, Task<T> task, Consumer<Task<T>> onStart, Runnable onAbandon) {
            this.loop = loop;
            this.task = task;
            this.onStart = onStart;
            this.onAbandon = onAbandon;
        }

        @Override
        public void run() {
            loop.startTask(task);
            String shutdown = loop.shutdownMessage;
            if (shutdown != null) {
                // Handed in while the owner shuts the loop down: cancelled like the tasks already running,
                // before its first step, so its body never runs.
                task.cancel(shutdown);
            }
            onStart.accept(task);
        }

        void abandon() {
            task.abandon("event loop " + loop.name + " closed before the task started", false);
            onAbandon.run();
        }
    }

    void startTask(Task<?> task) {
        registry.add(task);
        ready.addLast(task.runner);
        TaskListener[] listeners = taskListeners;
        for (TaskListener l : listeners) {
            try {
                l.taskStarted(task);
            } catch (Throwable t) {
                callExceptionHandler(new ExceptionContext("TaskListener " + l + " failed", t, task, null));
            }
        }
    }

    void taskFinished(Task<?> task) {
        // Listeners first (a finished-task history is one), then the registry: a reader on another thread
        // that misses the task among the pending ones then finds it in the history, never in neither.
        TaskListener[] listeners = taskListeners;
        for (TaskListener l : listeners) {
            try {
                l.taskFinished(task);
            } catch (Throwable t) {
                callExceptionHandler(new ExceptionContext("TaskListener " + l + " failed", t, task, null));
            }
        }
        registry.remove(task);
    }

    /**
     * Registers a listener for the tasks started from now on and their ends. A listener added twice is told
     * twice. Any thread.
     *
     * @param listener the listener; it is called on the loop thread, and what it throws goes to the exception
     *                 handler
     * @throws NullPointerException if {@code listener} is null
     */
    public void addTaskListener(TaskListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            taskListeners = with(taskListeners, listener);
        }
    }

    /**
     * Removes every registration of a task listener; does nothing if it is not registered. Any thread.
     *
     * @param listener the listener to remove (compared by identity); null removes nothing
     */
    public void removeTaskListener(TaskListener listener) {
        synchronized (this) {
            taskListeners = without(taskListeners, listener);
        }
    }

    /**
     * Registers a listener told by the watchdog about steps that hold this loop for long: slower than
     * {@link #getSlowCallbackDuration()}, or blocking it past {@link #getBlockedThreshold()}. Any thread.
     *
     * @param listener the listener, called on the watchdog thread
     * @throws NullPointerException if {@code listener} is null
     */
    public void addStallListener(LoopStallListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            stallListeners = with(stallListeners, listener);
        }
    }

    /**
     * Removes every registration of a stall listener; does nothing if it is not registered. Any thread.
     *
     * @param listener the listener to remove (compared by identity); null removes nothing
     */
    public void removeStallListener(LoopStallListener listener) {
        synchronized (this) {
            stallListeners = without(stallListeners, listener);
        }
    }

    /* Copy-on-write listener arrays: readers on the loop and the watchdog take one volatile read, no lock. */
    private static <L> L[] with(L[] now, L listener) {
        L[] next = Arrays.copyOf(now, now.length + 1);
        next[now.length] = listener;
        return next;
    }

    private static <L> L[] without(L[] now, L listener) {
        return Arrays.stream(now).filter(l -> l != listener)
                .toArray(n -> Arrays.copyOf(now, n));
    }

    /**
     * Returns how long one step may hold the loop before stall listeners hear that it is blocked. Any thread.
     *
     * @return the blocked threshold (1 second unless set)
     */
    public Duration getBlockedThreshold() {
        return Duration.ofNanos(blockedThresholdNanos);
    }

    /**
     * Sets how long one step may hold the loop before stall listeners hear that it is blocked. Any thread.
     *
     * @param threshold the new threshold; durations beyond about 73 years mean never
     * @throws NullPointerException if {@code threshold} is null
     * @throws IllegalArgumentException if it is zero or negative
     */
    public void setBlockedThreshold(Duration threshold) {
        if (Objects.requireNonNull(threshold, "threshold").isNegative() || threshold.isZero()) {
            throw new IllegalArgumentException("blocked threshold must be positive: " + threshold);
        }
        this.blockedThresholdNanos = delayNanos(threshold);
    }

    // ---------------------------------------------------------------- running

    /**
     * Runs the loop on the calling thread until {@link #stop()} is called: asyncio's {@code loop.run_forever()}.
     * The calling thread becomes the loop thread until this returns. An interrupt of it while the loop runs
     * does not stop the loop; it is restored when this returns.
     *
     * @throws IllegalStateException if the loop is closed or already running, another loop runs on this
     *         thread, or a FAST loop is run on a virtual thread
     */
    public void runForever() {
        checkNotClosed();
        Thread me = Thread.currentThread();
        if (isRunning()) {
            throw new IllegalStateException("This event loop is already running");
        }
        if (currentLoopOrNull() != null) {
            throw new IllegalStateException("Cannot run the event loop while another loop is running");
        }
        if (mode == EngineMode.FAST && me.isVirtual()) {
            throw new IllegalStateException("A FAST event loop needs a platform thread to carry its tasks;"
                    + " run it on a platform thread or build it with mode(EngineMode.PORTABLE)");
        }
        // DIRECT tasks run on this thread itself: what they change of it (its name, its context class loader)
        // is the loop thread's while the loop runs, and this thread's caller gets it back as it was.
        String nameBefore = me.getName();
        ClassLoader loaderBefore = me.getContextClassLoader();
        enterRunning(me);
        try {
            for (;;) {
                runOnce();
                if (stopping) {
                    break;
                }
            }
        } finally {
            stopping = false;
            exitRunning();
            if (mode == EngineMode.DIRECT) {
                if (!nameBefore.equals(me.getName())) {
                    me.setName(nameBefore);
                }
                if (me.getContextClassLoader() != loaderBefore) {
                    me.setContextClassLoader(loaderBefore);
                }
            }
            if (interruptedWhileRunning) {
                interruptedWhileRunning = false;
                me.interrupt();
            }
        }
    }

    /* Parks the loop thread; an interrupt is remembered, not allowed to turn every later park into a spin. */
    private void parkLoopThread(long nanos) {
        if (nanos < 0) {
            LockSupport.park(this);
        } else {
            LockSupport.parkNanos(this, nanos);
        }
        if (Thread.interrupted()) {
            interruptedWhileRunning = true;
        }
    }

    /**
     * Runs the loop on the calling thread until {@code future} is done, and returns its result: asyncio's
     * {@code loop.run_until_complete(future)}.
     *
     * @param <T>    the result type
     * @param future the future to wait for; it must belong to this loop
     * @return the future's result
     * @throws NullPointerException if {@code future} is null
     * @throws IllegalArgumentException if {@code future} belongs to another loop
     * @throws CancelledError if the future was cancelled
     * @throws IllegalStateException if the loop was stopped before the future was done, and as {@link #runForever()}
     *         (any other exception: the future's)
     */
    public <T> T runUntilComplete(Future<T> future) {
        Objects.requireNonNull(future, "future");
        checkNotClosed();
        if (future.loop != this) {
            throw new IllegalArgumentException("The future belongs to a different loop than the one given");
        }
        if (isRunning()) {
            throw new IllegalStateException("This event loop is already running");
        }
        Consumer<Future<T>> stopper = f -> stop();
        future.addDoneCallback(stopper);
        try {
            runForever();
        } finally {
            future.removeDoneCallback(stopper);
        }
        if (!future.done()) {
            throw new IllegalStateException("Event loop stopped before Future completed.");
        }
        return future.result();
    }

    /**
     * Wraps {@code coro} in a task and runs the loop until it is done: asyncio's
     * {@code loop.run_until_complete(coro)}; see {@link #runUntilComplete(Future)}.
     *
     * @param <T>  the coroutine's result type
     * @param coro the coroutine to run as a task
     * @return the coroutine's value
     * @throws NullPointerException if {@code coro} is null
     * @throws CancelledError if the task was cancelled
     * @throws IllegalStateException if the loop is closed or already running, or another loop runs on this
     *         thread (all checked before the task is created, so a refused call leaves no task behind), or as
     *         {@link #runUntilComplete(Future)} (any other exception: the coroutine's)
     */
    public <T> T runUntilComplete(Coroutine<T> coro) {
        Objects.requireNonNull(coro, "coro");
        // Refuse before the task exists, as asyncio checks before ensure_future: a refused call leaves no task
        // pending on this loop.
        checkNotClosed();
        if (isRunning()) {
            throw new IllegalStateException("This event loop is already running");
        }
        if (currentLoopOrNull() != null) {
            throw new IllegalStateException("Cannot run the event loop while another loop is running");
        }
        return runUntilComplete(createTask(coro));
    }

    /**
     * Asks the loop to stop: it finishes the current iteration (callbacks already scheduled for it run) and
     * {@link #runForever()} returns: asyncio's {@code loop.stop()}. If the loop is not running, the next run does
     * one iteration. Any thread.
     */
    public void stop() {
        stopping = true;
        wake();
    }

    /**
     * Closes the loop: asyncio's {@code loop.close()}. A closed loop refuses all work. Closing twice does nothing.
     *
     * <p>Unlike asyncio, nothing handed out is left without an answer. Tasks still pending are
     * <em>abandoned</em>: each is finished as cancelled with a {@link CancelledError} saying that the loop closed,
     * and the exception handler hears of it ("Task was destroyed but it is pending!"). Its coroutine is resumed
     * once more, off the loop, only so that its {@code finally} blocks run: the await where it was suspended
     * raises that {@code CancelledError} (FAST and PORTABLE: on the task's own thread, after this returns;
     * DIRECT: on the calling thread, before this returns). What a {@code finally} block throws then is logged
     * at ERROR, as asyncio reports it ("Exception ignored in"); a later await suspends the coroutine for good.
     * Cancel and await tasks first, as {@link Async#run} and {@link AsyncRuntime#shutdown} do, to clean up while
     * the loop still runs. Done callbacks of futures, those already scheduled and those of
     * the abandoned tasks, run now on the calling thread, so a {@link java.util.concurrent.CompletableFuture}
     * from {@link Async#runCoroutineThreadsafe} or a thread in {@link AsyncRuntime#run} is answered. Task starts
     * handed in from other threads are abandoned the same way. Other callbacks and timers are dropped, and
     * the default executor is shut down. After close, a done callback of a future completed later (by work that
     * was still on another thread) runs at once on the completing thread.
     *
     * <p>Threading: the thread that drives the loop, or any thread while it is not running.
     *
     * @throws IllegalStateException if the loop is running
     */
    @Override
    public void close() {
        close("event loop " + name + " closed while the task was pending; it was abandoned", true);
    }

    /*
     * Closes with the given reason for abandoned tasks; report: whether each abandoned task goes to the
     * exception handler (AsyncRuntime reports them itself, once). Returns the tasks abandoned.
     */
    List<Task<?>> close(String abandonReason, boolean report) {
        if (isRunning()) {
            throw new IllegalStateException("Cannot close a running event loop");
        }
        if (closed) {
            return List.of();
        }
        closed = true;
        // From here on submitThreadsafe answers what it is given instead of queueing it; what was queued
        // before is taken now. Order: starts and completions handed in, then what the last iteration left
        // ready, then the tasks themselves (whose done callbacks run inline, the loop being closed).
        for (Runnable r; (r = incoming.poll()) != null; ) {
            disposeAfterClose(r);
        }
        for (Runnable r; (r = ready.pollFirst()) != null; ) {
            disposeAfterClose(r);
        }
        timers.clear();
        cancelledTimers = 0;
        List<Task<?>> pending = new ArrayList<>();
        registry.forEach(pending::add);
        for (Task<?> t : pending) {
            if (report) {
                callExceptionHandler(new ExceptionContext("Task was destroyed but it is pending!", null, t, null));
            }
            t.abandon(abandonReason, true);
        }
        ready.clear(); // steps of tasks woken by the abandoned ones: they are abandoned too
        taskThreads.close();
        directCarriers.close();
        releaseExternalWaiters(w -> abandonReason, Runnable::run);
        ExecutorService executor = defaultExecutor;
        if (executor != null) {
            executor.shutdown();
        }
        return pending;
    }

    /*
     * What becomes of an item that reaches a closed loop. Any thread.
     * - a task start: abandoned (the task is finished cancelled, its waiter answered);
     * - a future's done callback, or a completion from another thread: runs now, on this thread, so whoever
     *   waits on the future hears of it;
     * - anything else (a callback, a task step, a wake-up of an abandoned task's thread): dropped, as
     *   asyncio drops the handles of a closed loop.
     */
    private void disposeAfterClose(Runnable item) {
        if (item instanceof PendingStart<?> p) {
            p.abandon();
        } else if (item instanceof Completion || Future.isDoneCallback(item)) {
            runAfterClose(item);
        }
    }

    /*
     * Work done on another thread coming back to complete a future of this loop (runInExecutor, wrapFuture).
     * After close it still completes the future, on the thread that brings it, so the future's done callbacks
     * are answered.
     */
    interface Completion extends Runnable {
    }

    /* A done callback of a future of this loop: queued while open, run at once once closed. */
    void scheduleDoneCallback(Runnable entry) {
        if (closed) {
            runAfterClose(entry);
        } else {
            ready.addLast(entry);
        }
    }

    /* Threading: per thread. The done callbacks a closed loop runs on this thread, outermost call first. */
    private static final ThreadLocal<ArrayDeque<Runnable>> AFTER_CLOSE = new ThreadLocal<>();

    /*
     * Runs a done callback of a closed loop on this thread, through a trampoline: a callback that completes
     * another future queues that one's callbacks behind it instead of recursing, so a chain of any length
     * is answered without growing the stack (as the ready queue does while the loop runs).
     */
    private static void runAfterClose(Runnable entry) {
        ArrayDeque<Runnable> queue = AFTER_CLOSE.get();
        if (queue != null) {
            queue.addLast(entry);
            return;
        }
        queue = new ArrayDeque<>();
        AFTER_CLOSE.set(queue);
        try {
            for (Runnable r = entry; r != null; r = queue.pollFirst()) {
                if (Future.isDoneCallback(r)) {
                    Future.runDoneCallbackDetached(r);
                } else {
                    r.run(); // a completion from another thread
                }
            }
        } finally {
            AFTER_CLOSE.remove();
        }
    }

    /*
     * Marks the loop as shutting down: tasks handed in from other threads from now on are cancelled with
     * msg before their first step. Any thread.
     */
    void beginShutdown(String msg) {
        shutdownMessage = Objects.requireNonNull(msg, "msg");
    }

    void externalWaiterAdded(TaskCompletableFuture<?> f) {
        externalWaiters.add(f);
        java.util.function.Function<Task<?>, String> why = releasedWhy;
        if (why != null) {
            // Handed out after the owner gave up on this loop (a race with shutdown): answered at once too.
            // The add above and this read pair with the write and the sweep in releaseExternalWaiters.
            f.completeExceptionally(new CancelledError(why.apply(f.task())));
        }
    }

    void externalWaiterAnswered(TaskCompletableFuture<?> f) {
        externalWaiters.remove(f);
    }

    /**
     * Answers every {@link java.util.concurrent.CompletableFuture} this loop handed to other threads and has not
     * yet completed ({@link Async#runCoroutineThreadsafe}, {@link AsyncRuntime#submit}, the waits of
     * {@link AsyncRuntime#run}), with a {@link CancelledError} whose message {@code why} gives for its task.
     * For an owner that gives up on a loop whose thread is held by a blocking call: the callers are released
     * while the task's code is still stuck. The tasks themselves are finished when the loop closes.
     * {@code completer} runs each completion (and so the stages its caller attached). Any thread.
     *
     * @return the futures being answered
     */
    List<java.util.concurrent.CompletableFuture<?>> releaseExternalWaiters(
            java.util.function.Function<Task<?>, String> why, Executor completer) {
        releasedWhy = why;
        List<java.util.concurrent.CompletableFuture<?>> released = new ArrayList<>();
        for (TaskCompletableFuture<?> f : externalWaiters) {
            externalWaiters.remove(f);
            if (!f.isDone()) {
                CancelledError answer = new CancelledError(why.apply(f.task()));
                released.add(f);
                completer.execute(() -> f.completeExceptionally(answer));
            }
        }
        return released;
    }

    /* White-box, for tests: CompletableFutures handed out and not yet answered. */
    int externalWaiterCount() {
        return externalWaiters.size();
    }

    private void enterRunning(Thread me) {
        LoopWatchdog.ensureStarted();
        synchronized (RUNNING_LOCK) {
            EventLoop[] now = runningLoops;
            EventLoop[] next = Arrays.copyOf(now, now.length + 1);
            next[now.length] = this;
            DRIVER.setRelease(this, me);
            loopThread = me;
            runningLoops = next;
        }
    }

    private void exitRunning() {
        synchronized (RUNNING_LOCK) {
            EventLoop[] now = runningLoops;
            EventLoop[] next = new EventLoop[now.length - 1];
            int j = 0;
            for (EventLoop l : now) {
                if (l != this) {
                    next[j++] = l;
                }
            }
            runningLoops = next;
            loopThread = null;
            DRIVER.setRelease(this, null);
        }
    }

    /* One iteration: asyncio's _run_once. */
    private void runOnce() {
        drainIncoming();
        long timeout;
        if (!ready.isEmpty() || stopping) {
            timeout = 0;
        } else {
            TimerHandle next = nextLiveTimer();
            timeout = next == null ? -1 : Math.max(0, next.deadlineNanos - clock.nanoTime());
        }
        if (timeout != 0) {
            waitForWork(timeout);
            drainIncoming();
        }
        collectDueTimers();
        ntodo = ready.size();
        boolean timed = debug;
        while (ntodo > 0) {
            ntodo--;
            Runnable item = ready.pollFirst();
            STEPS.setOpaque(this, steps + 1);
            if (timed) {
                runTimed(item);
            } else {
                item.run();
            }
        }
    }

    private void collectDueTimers() {
        if (timers.isEmpty()) {
            return; // no clock read: an iteration of task switches only (ping-pong, sleep(0)) needs none
        }
        long now = clock.nanoTime();
        while (!timers.isEmpty() && timers.peekDeadline() <= now) {
            TimerHandle t = timers.poll();
            timerRemoved(t);
            if (!t.cancelled()) {
                ready.addLast(t);
            }
        }
    }

    private TimerHandle nextLiveTimer() {
        if (cancelledTimers > 100 && cancelledTimers * 2 > timers.size()) {
            timers.removeIf(t -> {
                if (t.cancelled()) {
                    t.scheduled = false;
                    t.cancelCounted = false;
                    return true;
                }
                return false;
            });
            cancelledTimers = 0;
        }
        TimerHandle t;
        while ((t = timers.peek()) != null && t.cancelled()) {
            timers.poll();
            timerRemoved(t);
        }
        return t;
    }

    private void waitForWork(long timeoutNanos) {
        if (manualClock != null && outstandingExternalWork.get() == 0 && incoming.isEmpty() && timeoutNanos > 0) {
            // Virtual time: nothing can happen before the next timer, so jump to it instead of sleeping.
            manualClock.advanceTo(clock.nanoTime() + timeoutNanos);
            return;
        }
        idle = true;
        try {
            if (incoming.isEmpty() && !stopping) {
                parkLoopThread(timeoutNanos < 0 || manualClock != null ? -1 : timeoutNanos);
            }
        } finally {
            idle = false;
        }
    }

    private void drainIncoming() {
        for (Runnable r; (r = incoming.poll()) != null; ) {
            ready.addLast(r);
        }
    }

    private void runTimed(Runnable item) {
        long t0 = System.nanoTime();
        item.run();
        long took = System.nanoTime() - t0;
        if (took >= slowCallbackNanos) {
            LOG.log(System.Logger.Level.WARNING, () -> String.format("Executing %s took %.3f seconds", item, took / 1e9));
        }
    }

    // ---------------------------------------------------------------- engine hooks

    /* Adds to the ready queue: the caller holds the loop (or it is not running). */
    void readyAdd(Runnable item) {
        ready.addLast(item);
    }

    /* DIRECT: takes back the step readyAdd just queued for a task that could not suspend after all. Loop holder. */
    void readyRemove(Runnable item) {
        ready.removeLastOccurrence(item);
    }

    /*
     * Run-ahead (FAST's TaskThread, DIRECT's carrier): takes the next ready item of the iteration under way if it
     * is the first step of a task, for a task thread or carrier that is free to run it at once. Not in debug mode
     * (each step is timed on its own), nor inside an eager step nested in a callback or, in DIRECT, in its
     * creator's step (nothing else may run there). A loop's ready queue holds runners of its own engine only.
     * Loop holder.
     */
    TaskRunner pollFirstStep() {
        if (ntodo > 0 && !debug && !eagerFromCallback && directNested == 0
                && ready.peekFirst() instanceof TaskRunner r && r.notStarted()) {
            ntodo--;
            ready.pollFirst();
            STEPS.setOpaque(this, steps + 1);
            return r;
        }
        return null;
    }

    /* Puts item in front of the ready queue, to run next in the iteration under way. Loop holder. */
    void runNextInThisIteration(Runnable item) {
        ready.addFirst(item);
        ntodo++;
    }

    /*
     * The hand-off from any thread. Returns false when the loop was closed: the item was not queued but
     * answered as close() answers what it finds queued (see disposeAfterClose). The offer races with close():
     * whichever of the two takes the item out of the queue answers it, so it is answered exactly once.
     */
    boolean submitThreadsafe(Runnable item) {
        if (closed) {
            disposeAfterClose(item);
            return false;
        }
        incoming.offer(item);
        if (closed && incoming.remove(item)) {
            disposeAfterClose(item);
            return false;
        }
        if (idle) {
            Thread t = loopThread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
        return true;
    }

    private void wake() {
        Thread t = loopThread;
        if (t != null && idle) {
            LockSupport.unpark(t);
        }
    }

    /* Whether the calling thread holds this loop: the loop thread, or the task thread it runs now. */
    boolean inLoop() {
        Thread me = Thread.currentThread();
        return me == loopThread || me == DRIVER.getOpaque(this);
    }

    void enterStep(Task<?> task, Thread thread) {
        DRIVER.setRelease(this, thread);
        RUNNING_TASK.setRelease(this, task);
        STEPS.setOpaque(this, steps + 1);
    }

    void exitStep() {
        RUNNING_TASK.setRelease(this, null);
        DRIVER.setRelease(this, loopThread);
    }

    /* FAST: a task parked outside an await; hold the loop until a foreign thread resumes it. */
    void holdForBlockedTask(CarrierTaskRunner runner) {
        blockedTask = runner.task;
        try {
            while (!runner.resumedWhileHeld()) {
                parkLoopThread(-1);
            }
        } finally {
            blockedTask = null;
        }
    }

    void wakeHolder() {
        Thread t = loopThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /* PORTABLE: on the loop thread, run a task's step by lending it the loop, and wait to get it back. */
    void lendLoop(HandOffTaskRunner runner) {
        loopThreadHoldsLoop = false;
        runner.takeLoop();
        while (!loopThreadHoldsLoop) {
            parkLoopThread(-1);
        }
    }

    /* PORTABLE: on a task's thread that gives up the loop: to the next ready task step, else the loop thread. */
    void handOffFrom() {
        if (eagerFromLoopThread) {
            eagerFromLoopThread = false;
            exitStep();
            loopThreadHoldsLoop = true;
            LockSupport.unpark(loopThread);
            return;
        }
        if (ntodo == 0 && !stopping && !debug) {
            // The iteration is over. Start the next one here when it needs no waiting, exactly as the loop
            // thread would (incoming, then due timers, then what is ready), so a task woken in this
            // iteration is reached without a round trip through the loop thread.
            drainIncoming();
            if (!ready.isEmpty()) {
                collectDueTimers();
                ntodo = ready.size();
            }
        }
        if (ntodo > 0 && ready.peekFirst() instanceof HandOffTaskRunner next) {
            ntodo--;
            ready.pollFirst();
            next.takeLoop();
            return;
        }
        exitStep();
        loopThreadHoldsLoop = true;
        LockSupport.unpark(loopThread);
    }

    Context enterContext(Context context) {
        Context previous = callbackContext;
        callbackContext = context;
        return previous;
    }

    void exitContext(Context previous) {
        callbackContext = previous;
    }

    Task<?> runningTask() {
        return Thread.currentThread() == DRIVER.getOpaque(this) ? (Task<?>) RUNNING_TASK.getOpaque(this) : null;
    }

    /* The step counter, read from any thread (racy): DIRECT's stack reads check the step did not change. */
    long stepsAnyThread() {
        return (long) STEPS.getOpaque(this);
    }

    /* The task in its step, read from any thread (racy): Context.run's check. */
    Task<?> runningTaskAnyThread() {
        return (Task<?>) RUNNING_TASK.getOpaque(this);
    }

    /* The running callback's context, read from any thread (racy, a plain field): Context.run's check. */
    Context callbackContextAnyThread() {
        return callbackContext;
    }

    Task<?> currentTaskForAwait() {
        Task<?> task = runningTask();
        if (task != null) {
            return task;
        }
        EventLoop current = currentLoopOrNull();
        if (current == null) {
            Task.parkIfUnwinding();
            throw new IllegalStateException("await outside of a task: no event loop is running in this thread"
                    + " (start one with Async.run, or use AsyncRuntime from ordinary threads)");
        }
        if (current != this) {
            throw new IllegalStateException("Task got Future attached to a different loop");
        }
        throw new IllegalStateException("await outside of a task: the loop is running a callback, not a task");
    }

    // ---------------------------------------------------------------- introspection (any thread)

    /**
     * Returns the tasks of this loop not yet done: asyncio's {@code all_tasks(loop)}. Any thread.
     *
     * @return an unmodifiable, weakly consistent snapshot, oldest first as far as the registry keeps order;
     *         empty if there are none
     */
    public Set<Task<?>> allTasks() {
        Set<Task<?>> out = new LinkedHashSet<>();
        registry.forEach(out::add);
        return Collections.unmodifiableSet(out);
    }

    /**
     * Returns the number of tasks not yet done. Any thread.
     *
     * @return the count (racy from other threads)
     */
    public int taskCount() {
        return registry.size();
    }

    /**
     * Returns the pending task with this id. Any thread.
     *
     * @param id a task's {@link Task#getId()}
     * @return the task, or empty if no pending task of this loop has this id
     */
    public Optional<Task<?>> findTask(long id) {
        return Optional.ofNullable(registry.find(id));
    }

    /**
     * Returns the task the loop is running at this instant, if any: from the loop, the calling task; from
     * another thread, the task whose step is in progress (or whose blocking call holds the loop). asyncio's
     * {@code current_task(loop)}. Any thread.
     *
     * @return the task, or empty if the loop runs a callback or nothing
     */
    public Optional<Task<?>> currentTask() {
        Thread me = Thread.currentThread();
        if (me == loopThread || me == DRIVER.getOpaque(this)) {
            return Optional.ofNullable(runningTask());
        }
        Task<?> t = (Task<?>) RUNNING_TASK.getAcquire(this);
        return Optional.ofNullable(t != null ? t : blockedTask);
    }


    /**
     * Returns whether the loop is parked waiting for work. Any thread.
     *
     * @return true while the loop thread waits for a callback or a timer (racy)
     */
    public boolean isIdle() {
        return idle;
    }

    /* White-box, for tests: timers still in the heap, cancelled ones included. Loop thread. */
    int timerHeapSize() {
        return timers.size();
    }

    /**
     * Returns the number of callbacks and task steps ready to run, including those handed in from other
     * threads and not yet taken. Any thread.
     *
     * @return the count (an estimate from other threads)
     */
    public int readyCount() {
        return ready.size() + incoming.size();
    }

    // ---------------------------------------------------------------- executors

    /**
     * Runs {@code fn} on {@code executor} (null: the loop's default executor, a virtual thread per call) and
     * returns a future of this loop completed with its outcome, on the loop. Cancelling the future does not
     * interrupt {@code fn}. asyncio's {@code loop.run_in_executor(executor, func)}. Loop thread only (any thread
     * while the loop is not running).
     *
     * @param <T>      the result type
     * @param executor where to run {@code fn}, or null for the default executor
     * @param fn       the blocking work; it runs in the executor thread's own context
     * @return a new future of this loop with {@code fn}'s result or exception
     * @throws NullPointerException if {@code fn} is null
     * @throws IllegalStateException if the loop is closed or this is not the loop's thread
     * @throws java.util.concurrent.RejectedExecutionException if the executor refuses the work
     */
    public <T> Future<T> runInExecutor(Executor executor, Callable<T> fn) {
        Objects.requireNonNull(fn, "fn");
        checkNotClosed();
        checkThread("runInExecutor");
        Executor ex = executor != null ? executor : defaultExecutor();
        Future<T> future = createFuture();
        outstandingExternalWork.incrementAndGet();
        try {
            ex.execute(() -> {
                T value = null;
                Throwable failure = null;
                try {
                    value = fn.call();
                } catch (Throwable t) {
                    failure = t;
                }
                T v = value;
                Throwable f = failure;
                submitThreadsafe((Completion) () -> {
                    outstandingExternalWork.decrementAndGet();
                    if (future.done()) {
                        return;
                    }
                    if (f != null) {
                        future.finishWithException(f);
                    } else {
                        future.finishWithResult(v);
                    }
                });
            });
        } catch (RuntimeException e) {
            outstandingExternalWork.decrementAndGet();
            throw e;
        }
        return future;
    }

    /* Work handed to another thread whose result will come back through callSoonThreadsafe: a loop on virtual
       time must wait for it instead of jumping to its next timer. */
    void externalWorkStarted() {
        outstandingExternalWork.incrementAndGet();
    }

    void externalWorkDone() {
        outstandingExternalWork.decrementAndGet();
    }

    /**
     * Sets the executor {@link #runInExecutor} uses when given null: asyncio's
     * {@code loop.set_default_executor(executor)}. {@link #close()} shuts it down. Any thread.
     *
     * @param executor the new default executor
     * @throws NullPointerException if {@code executor} is null
     */
    public void setDefaultExecutor(ExecutorService executor) {
        this.defaultExecutor = Objects.requireNonNull(executor, "executor");
    }

    private Executor defaultExecutor() {
        ExecutorService ex = defaultExecutor;
        if (ex == null) {
            synchronized (this) {
                ex = defaultExecutor;
                if (ex == null) {
                    ex = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-executor-", 0).factory());
                    defaultExecutor = ex;
                }
            }
        }
        return ex;
    }

    // ---------------------------------------------------------------- errors and debug

    /**
     * Sets who hears of errors nobody handled (callbacks that threw, exceptions never retrieved): asyncio's
     * {@code loop.set_exception_handler(handler)}. Any thread.
     *
     * @param handler the handler, or null to restore the default, which logs
     */
    public void setExceptionHandler(ExceptionHandler handler) {
        this.exceptionHandler = handler;
    }

    /**
     * Returns the exception handler: asyncio's {@code loop.get_exception_handler()}. Any thread.
     *
     * @return the handler set with {@link #setExceptionHandler}, or null for the default
     */
    public ExceptionHandler getExceptionHandler() {
        return exceptionHandler;
    }

    /**
     * Passes {@code context} to the exception handler, or logs it if none is set or the handler throws:
     * asyncio's {@code loop.call_exception_handler(context)}. Runs the handler on the calling thread.
     *
     * @param context what went wrong
     */
    public void callExceptionHandler(ExceptionContext context) {
        ExceptionHandler h = exceptionHandler;
        if (h != null) {
            try {
                h.handle(this, context);
                return;
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "Unhandled error in exception handler", t);
            }
        }
        defaultExceptionHandler(context);
    }

    /**
     * Logs {@code context} at ERROR as asyncio's {@code loop.default_exception_handler(context)} does, with
     * its future and handle if it names them.
     *
     * @param context what went wrong
     */
    public void defaultExceptionHandler(ExceptionContext context) {
        StringBuilder sb = new StringBuilder(context.message());
        if (context.future() != null) {
            sb.append("\nfuture: ").append(context.future());
        }
        if (context.handle() != null) {
            sb.append("\nhandle: ").append(context.handle());
        }
        LOG.log(System.Logger.Level.ERROR, sb.toString(), context.exception());
    }

    /*
     * An abandoned task's coroutine threw something other than its CancelledError while it unwound after the
     * loop closed (a finally block that fails). The loop's exception handler belongs to a closed loop, so it
     * goes to the log, as asyncio reports it through sys.unraisablehook. Any thread (the unwinding one).
     */
    void reportUnwindFailure(Task<?> task, Throwable failure) {
        LOG.log(System.Logger.Level.ERROR, "Exception ignored while " + task + " unwound after event loop " + name
                + " closed", failure);
    }

    void reportFromAnyThread(ExceptionContext context) {
        if (!closed && isRunning() && submitThreadsafe(() -> callExceptionHandler(context))) {
            return;
        }
        callExceptionHandler(context);
    }

    /**
     * Returns whether debug mode is on: asyncio's {@code loop.get_debug()}. Any thread.
     *
     * @return true in debug mode
     */
    public boolean getDebug() {
        return debug;
    }

    /**
     * Turns debug mode on or off: asyncio's {@code loop.set_debug(enabled)}. Debug mode logs callbacks and steps
     * slower than {@link #getSlowCallbackDuration()} and records where tasks are created. Any thread.
     *
     * @param enabled true for debug mode
     */
    public void setDebug(boolean enabled) {
        this.debug = enabled;
    }

    /**
     * Records where each task is created ({@link Task#creationSite()}) from now on; debug mode records them
     * too. Costs a short stack walk per task, about a microsecond: off by default. Any thread.
     *
     * @param enabled true to record creation sites of the tasks created from now on
     */
    public void setRecordCreationSites(boolean enabled) {
        this.recordCreationSites = enabled;
    }

    /**
     * Returns whether creation sites are recorded by {@link #setRecordCreationSites}. Any thread.
     *
     * @return the setting; debug mode records them as well whatever it says
     */
    public boolean getRecordCreationSites() {
        return recordCreationSites;
    }

    /**
     * Returns the slow-callback threshold: asyncio's {@code loop.slow_callback_duration}. Any thread.
     *
     * @return the threshold (100 ms unless set)
     */
    public Duration getSlowCallbackDuration() {
        return Duration.ofNanos(slowCallbackNanos);
    }

    /**
     * Sets the slow-callback threshold: debug mode logs every step slower than it, and
     * {@link LoopStallListener}s hear of such steps whether or not debug mode is on. Asyncio's
     * {@code loop.slow_callback_duration = seconds}. Any thread.
     *
     * @param threshold the new threshold; zero reports every step, durations beyond about 73 years none
     * @throws NullPointerException if {@code threshold} is null
     * @throws IllegalArgumentException if {@code threshold} is negative
     */
    public void setSlowCallbackDuration(Duration threshold) {
        this.slowCallbackNanos = delayNanos(threshold);
    }

    void checkNotClosed() {
        if (closed) {
            throw new IllegalStateException("Event loop is closed");
        }
    }

    void checkThread(String operation) {
        if (loopThread != null && !inLoop()) {
            throw new IllegalStateException("Non-thread-safe operation " + operation + " called from thread '"
                    + Thread.currentThread().getName() + "', not the loop's; use callSoonThreadsafe or AsyncRuntime");
        }
    }

    /** How often the watchdog looks at each running loop for steps that hold it (see {@link LoopStallListener}). */
    public static final Duration STALL_SAMPLE_PERIOD = Duration.ofMillis(LoopWatchdog.PERIOD_MILLIS);

    /* Threading: the watchdog thread only. The step it has seen running since stallSeenSince, if any. */
    private long stallSteps = -1;
    private long stallSeenSince;
    private boolean stallSlowReported;
    private LoopStall stallBlocked;

    /*
     * Called by LoopWatchdog every tick, for every running loop. A step counter that has not moved between two
     * ticks while the loop is not idle means one step (or callback) has been running at least that long.
     */
    void stallTick(long now) {
        LoopStallListener[] listeners = stallListeners;
        long s = (long) STEPS.getOpaque(this);
        if (idle || s != stallSteps || listeners.length == 0) {
            if (stallBlocked != null) {
                LoopStall ended = stallBlocked;
                Duration total = Duration.ofNanos(now - stallSeenSince);
                for (LoopStallListener l : listeners) {
                    notifyStall(() -> l.unblocked(ended, total));
                }
            }
            stallSteps = s;
            stallSeenSince = now;
            stallSlowReported = false;
            stallBlocked = null;
            return;
        }
        long heldFor = now - stallSeenSince;
        if (!stallSlowReported && heldFor >= slowCallbackNanos) {
            stallSlowReported = true;
            Task<?> task = stalledTask();
            for (LoopStallListener l : listeners) {
                notifyStall(() -> l.slowStep(this, task));
            }
        }
        if (stallBlocked == null && heldFor >= blockedThresholdNanos) {
            LoopStall stall = captureStall(Duration.ofNanos(heldFor));
            stallBlocked = stall;
            for (LoopStallListener l : listeners) {
                notifyStall(() -> l.blocked(stall));
            }
        }
    }

    private Task<?> stalledTask() {
        Task<?> t = (Task<?>) RUNNING_TASK.getAcquire(this);
        return t != null ? t : blockedTask;
    }

    private LoopStall captureStall(Duration heldFor) {
        Task<?> task = stalledTask();
        Thread thread = task != null ? task.runner.thread() : (Thread) DRIVER.getOpaque(this);
        if (thread == null) {
            thread = loopThread;
        }
        List<StackTraceElement> stack = thread == null ? List.of()
                : task != null ? task.liveFrames(thread)
                : io.asyncruntime.internal.StackFrames.userFrames(thread.getStackTrace());
        return new LoopStall(this, task, thread == null ? name : thread.getName(), heldFor, stack);
    }

    private static void notifyStall(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "Loop stall listener failed", e);
        }
    }

    /* Threading: the watchdog thread only. What it saw at its previous tick. */
    private long watchdogSteps = -1;
    private Task<?> watchdogTask;
    private long watchdogSuspension = -1;

    /*
     * Called by LoopWatchdog every tick. FAST mode only: a task that awaited while pinned to the loop thread
     * parked the loop thread itself, and nothing on the loop can ever wake it. Wake it with pinnedAbort set,
     * so its await raises a clear IllegalStateException instead of hanging forever.
     */
    void watchdogTick() {
        Task<?> t = (Task<?>) RUNNING_TASK.getAcquire(this);
        long s = (long) STEPS.getOpaque(this);
        long suspension = -1;
        if (t != null && t.runner instanceof CarrierTaskRunner c && c.suspendingButMounted()) {
            suspension = c.suspensionNumber();
            // Fire only when the previous tick already saw this very suspension stuck (same task, same
            // suspension, no step since): a suspension that is merely in progress at one tick has unmounted
            // long before the next. And only when the loop thread is really parked: on a loaded machine a
            // loop thread the OS did not schedule for a whole tick looks stuck in the same way, and aborting
            // that healthy await would fail the task.
            if (s == watchdogSteps && t == watchdogTask && suspension == watchdogSuspension && loopThreadParked()) {
                LOG.log(System.Logger.Level.ERROR, () -> t.getName() + " awaited while pinned to loop " + name
                        + "; raising IllegalStateException in it. Its stack:\n  " + String.join("\n  ",
                        t.getStack().stream().map(String::valueOf).toList()));
                t.pinnedAbort = true;
                LockSupport.unpark(c.thread());
            }
        }
        watchdogSteps = s;
        watchdogTask = t;
        watchdogSuspension = suspension;
    }

    /* For the watchdog: whether the loop thread is parked (a pinned virtual thread parks its carrier). */
    private boolean loopThreadParked() {
        Thread t = loopThread;
        return t != null && t.getState() == Thread.State.WAITING;
    }

    static EventLoop[] runningLoops() {
        return runningLoops;
    }

    /**
     * Returns the loops running in this JVM at this moment, on any thread: for diagnostics that must find every
     * loop without being handed one, such as a test extension that dumps the pending tasks when a test fails.
     * asyncio has no counterpart (a Python process usually has one loop). Any thread; a snapshot, weakly consistent
     * (a loop starting or stopping meanwhile may or may not be in it).
     *
     * @return the running loops, in the order they started; an unmodifiable list, empty when none runs
     */
    public static List<EventLoop> allRunningLoops() {
        return List.of(runningLoops);
    }

    // ---------------------------------------------------------------- finding the running loop

    /** Returns the loop running in the calling thread (or task), or null. */
    static EventLoop currentLoopOrNull() {
        Thread me = Thread.currentThread();
        for (EventLoop l : runningLoops) {
            if (me == l.loopThread || me == DRIVER.getOpaque(l)) {
                return l;
            }
        }
        return null;
    }

    static EventLoop runningLoopOrThrow() {
        EventLoop l = currentLoopOrNull();
        if (l == null) {
            Task.parkIfUnwinding(); // an abandoned task that goes on after its one CancelledError: stop it here
            throw new IllegalStateException("no running event loop");
        }
        return l;
    }

    @Override
    public String toString() {
        return "<EventLoop " + name + " " + mode + (closed ? " closed" : isRunning() ? " running" : "") + ">";
    }

    /** Receives errors nobody handled; see {@link #setExceptionHandler}. */
    @FunctionalInterface
    public interface ExceptionHandler {
        /**
         * Handles one error; runs on the loop, or on a cleaner thread when the loop no longer runs. What it
         * throws is logged, and the default handler then logs the error.
         *
         * @param loop    the loop the error happened on
         * @param context what went wrong
         */
        void handle(EventLoop loop, ExceptionContext context);
    }

    /** Options for a new loop. */
    public static final class Builder {
        private String name;
        private LoopClock clock = LoopClock.SYSTEM;
        private EngineMode mode;
        private boolean blockingCallsSuspend;
        private boolean debug;
        private Duration slowCallbackDuration;
        private Duration blockedThreshold;

        private Builder() {
        }

        /**
         * Names the loop (and, under {@link AsyncRuntime}, its thread).
         *
         * @param name the name
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Sets the clock; a {@link ManualClock} gives virtual time.
         *
         * @param clock the clock (default {@link LoopClock#SYSTEM})
         * @return this builder
         * @throws NullPointerException if {@code clock} is null
         */
        public Builder clock(LoopClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Chooses the engine; the default is {@link EngineMode#best()}, or {@link EngineMode#DIRECT} when the
         * system property {@code asyncruntime.mode} is {@code direct}.
         *
         * @param mode the engine
         * @return this builder
         * @throws NullPointerException if {@code mode} is null
         */
        public Builder mode(EngineMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * FAST mode only: lets blocking JDK calls inside a task (sleep, socket reads, locks) suspend the task
         * and run others meanwhile, instead of holding the loop as asyncio does. This gives up the guarantee
         * that nothing else runs between two awaits: any blocking call becomes a point where other tasks
         * interleave. {@link #build()} refuses it for a loop that is not FAST.
         *
         * @param enabled true to let blocking calls suspend the task (default false)
         * @return this builder
         */
        public Builder blockingCallsSuspend(boolean enabled) {
            this.blockingCallsSuspend = enabled;
            return this;
        }

        /**
         * Sets debug mode; see {@link EventLoop#setDebug}.
         *
         * @param enabled true for debug mode (default false)
         * @return this builder
         */
        public Builder debug(boolean enabled) {
            this.debug = enabled;
            return this;
        }

        /**
         * Sets the slow-callback threshold; see {@link EventLoop#setSlowCallbackDuration}.
         *
         * @param threshold the threshold (default 100 ms); {@link #build()} throws
         *                  {@link IllegalArgumentException} if it is negative
         * @return this builder
         * @throws NullPointerException if {@code threshold} is null
         */
        public Builder slowCallbackDuration(Duration threshold) {
            this.slowCallbackDuration = Objects.requireNonNull(threshold, "threshold");
            return this;
        }

        /**
         * Sets how long one step may hold the loop before stall listeners hear that it is blocked (1 s).
         *
         * @param threshold the threshold; {@link #build()} throws {@link IllegalArgumentException} if it is zero
         *                  or negative
         * @return this builder
         * @throws NullPointerException if {@code threshold} is null
         */
        public Builder blockedThreshold(Duration threshold) {
            this.blockedThreshold = Objects.requireNonNull(threshold, "threshold");
            return this;
        }

        /**
         * Builds the loop: asyncio's {@code new_event_loop()} with options. It is not running until
         * {@link EventLoop#runForever()} or {@link EventLoop#runUntilComplete} runs it.
         *
         * @return a new loop
         * @throws IllegalStateException if {@link EngineMode#FAST} or {@link EngineMode#DIRECT} was asked for
         *         and is not available (the message names the JVM flag that is missing), or
         *         {@link #blockingCallsSuspend} was asked for and the engine is not FAST
         * @throws IllegalArgumentException if the slow-callback duration is negative, or the blocked threshold
         *         zero or negative
         */
        public EventLoop build() {
            return new EventLoop(this);
        }
    }
}
