package io.asyncruntime;

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
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.Callable;
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
     * holds the loop while it runs and hands it on itself (HandOffTaskRunner). inLoop() is true on the
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
    private final PriorityQueue<TimerHandle> timers = new PriorityQueue<>(TimerHandle::compare);
    private int cancelledTimers;
    private long timerSequence;
    /* Threading: loop holder. Ready items left in this iteration; the hand-off engine takes from it too. */
    int ntodo;
    /* Threading: loop holder. Context of the callback running now, null outside callbacks. */
    Context callbackContext;
    final TaskRegistry registry = new TaskRegistry();

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
    /* Threading: work handed to other threads whose result will come back through incoming. */
    private final AtomicInteger outstandingExternalWork = new AtomicInteger();
    /* Threading: loop thread only. The loop thread was interrupted while running: parking would return at
       once forever, so the flag is cleared and given back when runForever returns. */
    private boolean interruptedWhileRunning;
    /* PORTABLE mode: the loop thread may go on (a task handed the loop back). */
    private volatile boolean loopThreadHoldsLoop;
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
    /* Threading: copy-on-write under this; read by the watchdog. */
    private volatile LoopStallListener[] stallListeners = new LoopStallListener[0];
    private volatile ExceptionHandler exceptionHandler;
    private volatile ExecutorService defaultExecutor;

    /** Creates a loop with the real clock and the best engine this JVM allows. */
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
        EngineMode m = b.mode != null ? b.mode : EngineMode.best();
        if (m == EngineMode.FAST && !VirtualThreads.isAvailable()) {
            throw new IllegalStateException("FAST mode is not available: " + VirtualThreads.unavailableReason());
        }
        if (b.mode == null && m == EngineMode.FAST && Thread.currentThread().isVirtual()) {
            // A loop created on a virtual thread is most likely run there, and only a platform thread can carry.
            m = EngineMode.PORTABLE;
        }
        this.mode = m;
        this.blockingCallsSuspend = b.blockingCallsSuspend;
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

    /** Returns a builder for a loop with options: name, clock, engine mode, debug. */
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
        } else {
            String why = VirtualThreads.unavailableReason();
            // The reason says once what would turn FAST on (the flag, when that is what is missing); a hint
            // appended here would repeat it, or name a flag that cannot help (another JDK, asyncruntime.mode=portable).
            LOG.log(System.Logger.Level.INFO, "asyncruntime: PORTABLE engine (tasks hand the loop to each other)"
                    + (why != null ? "; FAST is off because " + why : "; FAST is available here but was not chosen"));
        }
    }

    // ---------------------------------------------------------------- identity, clock, mode

    /** Returns the loop's name (its thread's name under {@link AsyncRuntime}). */
    public String name() {
        return name;
    }

    /** Returns which engine runs this loop's tasks. */
    public EngineMode engineMode() {
        return mode;
    }

    /** Returns the loop's time in seconds: monotonic, only differences are meaningful. Any thread. */
    public double time() {
        return clock.nanoTime() / 1e9;
    }

    long nanoTime() {
        return clock.nanoTime();
    }

    /** Returns whether the loop is running. Any thread. */
    public boolean isRunning() {
        return loopThread != null;
    }

    /** Returns whether the loop was closed. Any thread. */
    public boolean isClosed() {
        return closed;
    }

    /** Returns the thread running the loop, or null when it is not running. Any thread. */
    public Thread loopThread() {
        return loopThread;
    }

    // ---------------------------------------------------------------- scheduling

    /**
     * Schedules {@code callback} to run on the loop in the next iteration, after what is already scheduled,
     * in the current context. Loop thread only.
     *
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
     * Schedules {@code callback} from any thread: the one thread-safe way into the loop.
     *
     * <p>How it works: the callback goes onto a lock-free queue that the loop drains at the start of every
     * iteration, before it decides how long to wait. If the loop is parked waiting for work, the caller
     * unparks it. The park/offer race is closed by ordering: the loop sets {@code idle} and then looks at the
     * queue, a submitter offers and then reads {@code idle}; both are volatile, so at least one of them sees
     * the other and the callback is never stranded. Callbacks from one thread run in the order they were
     * submitted. The callback runs in the context current on the calling thread.
     *
     * @throws IllegalStateException if the loop is closed
     */
    public Handle callSoonThreadsafe(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkNotClosed();
        Handle h = new Handle(this, callback, Context.current().copy());
        submitThreadsafe(h);
        return h;
    }

    /**
     * Schedules {@code callback} after {@code delaySeconds}. Loop thread only.
     *
     * @throws IllegalArgumentException if the delay is negative or not a number
     */
    public TimerHandle callLater(double delaySeconds, Runnable callback) {
        return callAtNanos(clock.nanoTime() + delayNanos(delaySeconds), callback);
    }

    /** Schedules {@code callback} after {@code delay}; see {@link #callLater(double, Runnable)}. */
    public TimerHandle callLater(Duration delay, Runnable callback) {
        return callAtNanos(clock.nanoTime() + delayNanos(delay), callback);
    }

    /**
     * Schedules {@code callback} at loop time {@code when} (seconds, as {@link #time()}); a time in the past
     * runs in the next iteration. Loop thread only.
     */
    public TimerHandle callAt(double when, Runnable callback) {
        if (Double.isNaN(when)) {
            throw new IllegalArgumentException("when must be a number");
        }
        return callAtNanos((long) (when * 1e9), callback);
    }

    TimerHandle callAtNanos(long deadlineNanos, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        return scheduleTimer(deadlineNanos, callback, Context.current().copy());
    }

    /* For the library's own timers: no context to enter. */
    TimerHandle scheduleTimer(long deadlineNanos, Runnable callback, Context context) {
        checkNotClosed();
        checkThread("callAt");
        TimerHandle h = new TimerHandle(this, deadlineNanos, timerSequence++, callback, context);
        h.scheduled = true;
        timers.add(h);
        return h;
    }

    static long delayNanos(double seconds) {
        if (Double.isNaN(seconds) || seconds < 0) {
            throw new IllegalArgumentException("delay must be a non-negative number of seconds, got " + seconds);
        }
        return seconds >= Long.MAX_VALUE / 1e9 ? Long.MAX_VALUE / 4 : (long) (seconds * 1e9);
    }

    static long delayNanos(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        try {
            return Math.min(delay.toNanos(), Long.MAX_VALUE / 4);
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 4;
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

    /** Creates a future that belongs to this loop: asyncio's {@code loop.create_future()}. */
    public <T> Future<T> createFuture() {
        return new Future<>(this);
    }

    /** Wraps {@code coro} in a task and schedules its first step; see {@link #createTask(Coroutine, String)}. */
    public <T> Task<T> createTask(Coroutine<T> coro) {
        return createTask(coro, null);
    }

    /**
     * Wraps {@code coro} in a task named {@code name} (null: {@code Task-<id>}) running in a copy of the
     * current context, and schedules its first step. Loop thread only (or a loop that is not running).
     *
     * @throws IllegalStateException if the loop is closed or this is not the loop's thread
     */
    public <T> Task<T> createTask(Coroutine<T> coro, String name) {
        Objects.requireNonNull(coro, "coro");
        checkNotClosed();
        checkThread("createTask");
        Task<T> task = newTask(coro, name);
        startTask(task);
        return task;
    }

    /**
     * Sets the decorator applied to the coroutine of every task created from now on (null: none). Any thread.
     */
    public void setTaskDecorator(TaskDecorator decorator) {
        this.taskDecorator = decorator;
    }

    /** Returns the task decorator, or null. */
    public TaskDecorator getTaskDecorator() {
        return taskDecorator;
    }

    /* Builds a task on the creating thread: decorated, in a copy of the current context, with its creation site. */
    private <T> Task<T> newTask(Coroutine<T> coro, String name) {
        Task<T> task = new Task<>(this, decorated(coro), name, Context.current().copy());
        if (recordCreationSites || debug) {
            task.creationSite = io.asyncruntime.internal.StackFrames.creationSite();
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
        submitThreadsafe(new PendingStart<>(this, task, onStart, onAbandon));
        if (closed) {
            // Closed while we submitted: close() may already have swept the queue.
            abandonPendingStarts();
        }
        return task;
    }

    /* Fails the task starts that were handed in but will never run: the loop closed first. Any thread. */
    private void abandonPendingStarts() {
        for (Runnable r; (r = incoming.poll()) != null; ) {
            if (r instanceof PendingStart<?> p) {
                p.abandon();
            }
        }
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
            onStart.accept(task);
        }

        void abandon() {
            task.cancelledExc = new CancelledError("event loop " + loop.name + " closed before the task started");
            task.finishCancelled(task.cancelledExc.getMessage());
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
        registry.remove(task);
        TaskListener[] listeners = taskListeners;
        for (TaskListener l : listeners) {
            try {
                l.taskFinished(task);
            } catch (Throwable t) {
                callExceptionHandler(new ExceptionContext("TaskListener " + l + " failed", t, task, null));
            }
        }
    }

    /** Registers a listener for the tasks started from now on and their ends. Any thread. */
    public void addTaskListener(TaskListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            taskListeners = with(taskListeners, listener);
        }
    }

    /** Removes a listener; does nothing if it is not registered. Any thread. */
    public void removeTaskListener(TaskListener listener) {
        synchronized (this) {
            taskListeners = without(taskListeners, listener);
        }
    }

    /**
     * Registers a listener told by the watchdog about steps that hold this loop for long: slower than
     * {@link #getSlowCallbackDuration()}, or blocking it past {@link #getBlockedThreshold()}. Any thread.
     *
     * @throws NullPointerException if listener is null
     */
    public void addStallListener(LoopStallListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            stallListeners = with(stallListeners, listener);
        }
    }

    /** Removes a stall listener; does nothing if it is not registered. Any thread. */
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

    /** Returns how long one step may hold the loop before stall listeners hear that it is blocked (1 s). */
    public Duration getBlockedThreshold() {
        return Duration.ofNanos(blockedThresholdNanos);
    }

    /**
     * Sets the blocked threshold. Any thread.
     *
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
     * Runs the loop until {@link #stop()} is called.
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
     * Runs the loop until {@code future} is done, and returns its result.
     *
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

    /** Wraps {@code coro} in a task and runs the loop until it is done; see {@link #runUntilComplete(Future)}. */
    public <T> T runUntilComplete(Coroutine<T> coro) {
        return runUntilComplete(createTask(coro));
    }

    /**
     * Asks the loop to stop: it finishes the current iteration (callbacks already scheduled for it run) and
     * {@link #runForever()} returns. If the loop is not running, the next run does one iteration. Any thread.
     */
    public void stop() {
        stopping = true;
        wake();
    }

    /**
     * Closes the loop: drops what is still scheduled and shuts the default executor down. A closed loop
     * refuses all work. Closing twice does nothing. Tasks still pending are reported to the exception
     * handler, since nothing will finish them; cancel and await them first (as {@link Async#run} does).
     *
     * @throws IllegalStateException if the loop is running
     */
    @Override
    public void close() {
        if (isRunning()) {
            throw new IllegalStateException("Cannot close a running event loop");
        }
        if (closed) {
            return;
        }
        closed = true;
        List<Task<?>> pending = new ArrayList<>();
        registry.forEach(pending::add);
        for (Task<?> t : pending) {
            callExceptionHandler(new ExceptionContext("Task was destroyed but it is pending!", null, t, null));
        }
        ready.clear();
        timers.clear();
        abandonPendingStarts();
        ExecutorService executor = defaultExecutor;
        if (executor != null) {
            executor.shutdown();
        }
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
        long now = clock.nanoTime();
        for (TimerHandle t; (t = timers.peek()) != null && t.deadlineNanos <= now; ) {
            timers.poll();
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

    void submitThreadsafe(Runnable item) {
        incoming.offer(item);
        if (idle) {
            Thread t = loopThread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
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

    Task<?> currentTaskForAwait() {
        Task<?> task = runningTask();
        if (task != null) {
            return task;
        }
        EventLoop current = currentLoopOrNull();
        if (current == null) {
            throw new IllegalStateException("await outside of a task: no event loop is running in this thread"
                    + " (start one with Async.run, or use AsyncRuntime from ordinary threads)");
        }
        if (current != this) {
            throw new IllegalStateException("Task got Future attached to a different loop");
        }
        throw new IllegalStateException("await outside of a task: the loop is running a callback, not a task");
    }

    // ---------------------------------------------------------------- introspection (any thread)

    /** Returns the tasks of this loop not yet done: a weakly consistent snapshot. Any thread. */
    public Set<Task<?>> allTasks() {
        Set<Task<?>> out = new LinkedHashSet<>();
        registry.forEach(out::add);
        return Collections.unmodifiableSet(out);
    }

    /** Returns the number of tasks not yet done. Any thread. */
    public int taskCount() {
        return registry.size();
    }

    /** Returns the pending task with this id, if any. Any thread. */
    public Optional<Task<?>> findTask(long id) {
        return Optional.ofNullable(registry.find(id));
    }

    /**
     * Returns the task the loop is running at this instant, if any: from the loop, the calling task; from
     * another thread, the task whose step is in progress (or whose blocking call holds the loop). Any thread.
     */
    public Optional<Task<?>> currentTask() {
        Thread me = Thread.currentThread();
        if (me == loopThread || me == DRIVER.getOpaque(this)) {
            return Optional.ofNullable(runningTask());
        }
        Task<?> t = (Task<?>) RUNNING_TASK.getAcquire(this);
        return Optional.ofNullable(t != null ? t : blockedTask);
    }


    /** Returns whether the loop is parked waiting for work. Any thread. */
    public boolean isIdle() {
        return idle;
    }

    /* White-box, for tests: timers still in the heap, cancelled ones included. Loop thread. */
    int timerHeapSize() {
        return timers.size();
    }

    /** Returns the number of callbacks ready to run (an estimate from other threads). */
    public int readyCount() {
        return ready.size() + incoming.size();
    }

    // ---------------------------------------------------------------- executors

    /**
     * Runs {@code fn} on {@code executor} (null: the loop's default executor, a virtual thread per call) and
     * returns a future of this loop completed with its outcome, on the loop. Cancelling the future does not
     * interrupt {@code fn}. Loop thread only.
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
                submitThreadsafe(() -> {
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

    /** Sets the executor {@link #runInExecutor} uses when given null. */
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

    /** Sets who hears of errors nobody handled (callbacks that threw, exceptions never retrieved); null restores the default, which logs. */
    public void setExceptionHandler(ExceptionHandler handler) {
        this.exceptionHandler = handler;
    }

    /** Returns the exception handler set, or null for the default. */
    public ExceptionHandler getExceptionHandler() {
        return exceptionHandler;
    }

    /** Passes {@code context} to the exception handler, or logs it if none is set or the handler throws. */
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

    /** Logs {@code context} as asyncio's default handler does. */
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

    void reportFromAnyThread(ExceptionContext context) {
        if (!closed && isRunning()) {
            try {
                submitThreadsafe(() -> callExceptionHandler(context));
                return;
            } catch (RuntimeException ignored) {
                // fall through: report here
            }
        }
        callExceptionHandler(context);
    }

    /** Returns whether debug mode is on. */
    public boolean getDebug() {
        return debug;
    }

    /** Turns debug mode on or off: logs callbacks and steps slower than {@link #getSlowCallbackDuration()} and checks threads. */
    public void setDebug(boolean enabled) {
        this.debug = enabled;
    }

    /**
     * Records where each task is created ({@link Task#creationSite()}) from now on; debug mode records them
     * too. Costs a short stack walk per task, about a microsecond: off by default. Any thread.
     */
    public void setRecordCreationSites(boolean enabled) {
        this.recordCreationSites = enabled;
    }

    /** Returns whether creation sites are recorded (debug mode records them as well). */
    public boolean getRecordCreationSites() {
        return recordCreationSites;
    }

    /** Returns the slow-callback threshold of debug mode (asyncio's {@code slow_callback_duration}, 100 ms). */
    public Duration getSlowCallbackDuration() {
        return Duration.ofNanos(slowCallbackNanos);
    }

    /**
     * Sets the slow-callback threshold: debug mode logs every step slower than it, and
     * {@link LoopStallListener}s hear of such steps whether or not debug mode is on.
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
            // long before the next.
            if (s == watchdogSteps && t == watchdogTask && suspension == watchdogSuspension) {
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

    static EventLoop[] runningLoops() {
        return runningLoops;
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
        /** Handles one error; runs on the loop, or on a cleaner thread when the loop no longer runs. */
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

        /** Names the loop (and, under {@link AsyncRuntime}, its thread). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Sets the clock; a {@link ManualClock} gives virtual time. */
        public Builder clock(LoopClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Chooses the engine; the default is {@link EngineMode#best()}.
         *
         * @throws IllegalStateException at {@link #build()} if FAST is asked for and not available
         */
        public Builder mode(EngineMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * FAST mode only: lets blocking JDK calls inside a task (sleep, socket reads, locks) suspend the task
         * and run others meanwhile, instead of holding the loop as asyncio does. This gives up the guarantee
         * that nothing else runs between two awaits: any blocking call becomes a point where other tasks
         * interleave.
         */
        public Builder blockingCallsSuspend(boolean enabled) {
            this.blockingCallsSuspend = enabled;
            return this;
        }

        /** Turns debug mode on; see {@link EventLoop#setDebug}. */
        public Builder debug(boolean enabled) {
            this.debug = enabled;
            return this;
        }

        /** Sets the slow-callback threshold; see {@link EventLoop#setSlowCallbackDuration}. */
        public Builder slowCallbackDuration(Duration threshold) {
            this.slowCallbackDuration = Objects.requireNonNull(threshold, "threshold");
            return this;
        }

        /**
         * Sets how long one step may hold the loop before stall listeners hear that it is blocked (1 s).
         *
         * @throws IllegalArgumentException at {@link #build()} if it is zero or negative
         */
        public Builder blockedThreshold(Duration threshold) {
            this.blockedThreshold = Objects.requireNonNull(threshold, "threshold");
            return this;
        }

        /** Builds the loop. */
        public EventLoop build() {
            return new EventLoop(this);
        }
    }
}
