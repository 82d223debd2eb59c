package io.asyncruntime;

import io.asyncruntime.internal.VirtualThreads;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;

/**
 * {@link EngineMode#FAST}: a virtual thread whose carrier is the loop thread, serving one task at a time.
 *
 * <p>The thread is the executor of its own continuation: whenever the JDK makes it runnable it calls
 * {@link #execute}, which queues the task it serves on the loop; when the loop runs that task's step the
 * continuation mounts on the loop thread and runs until the thread parks. A switch between tasks is one
 * continuation yield and one resume on the same OS thread.
 *
 * <p>A thread belongs to its task from the task's first step until the task is done; then it is wiped (thread
 * locals, interrupt status, name, context class loader, uncaught-exception handler) and serves another task.
 * So a task that never suspends costs no thread of its own: it runs on a thread that some earlier task
 * finished with.
 */
final class TaskThread implements Executor, Runnable {
    /*
     * Overview.
     *
     * Why a step ended is read after the continuation returns:
     *   ended       the thread is gone (the loop is closing, the task was abandoned, or the pool is full).
     *   pooled      the task is done and the thread yielded into the loop's pool of idle threads; the
     *               continuation the JDK resubmitted for the yield is kept, and runs when a new task takes it.
     *   suspending  the task parked in suspend() or yielded in yieldNow(): an ordinary suspension.
     *   neither     the task parked outside an await (Thread.sleep, blocking I/O, a j.u.c lock).
     *               By default the loop holds for it, as asyncio's loop is held by a blocking call;
     *               with EventLoop.Builder.blockingCallsSuspend(true) the loop moves on instead.
     *
     * Run-ahead: when a task is done and the next ready item of the loop's iteration is the first step of a
     * new task, the thread takes that task at once instead of yielding back to the loop thread, which would
     * only hand the same thread the same step. A burst of tasks that never suspend then runs without a
     * single switch.
     *
     * Another thread that takes the stack of an unmounted virtual thread (getStack, thread dumps) holds it
     * for the walk: a run of the continuation meanwhile returns without running it, and the JDK resubmits
     * it afterwards through execute(). So a step may end with none of the flags above changed: that is the
     * "neither" case, and the resubmission ends the hold like a foreign resume. A pooled thread's
     * resubmission is dropped: the pool runs it anyway when a task takes it.
     *
     * A thread parked outside an await is resumed by a foreign thread (the JDK's timer, the I/O poller,
     * whoever unlocks), which calls execute(). The phase field is the hand-off with that thread:
     *
     *   IDLE ──loop runs a step──▶ STEPPING ──foreign execute()──▶ RESUMED
     *     ▲                            │                              │
     *     └──step ended, CAS───────────┘       loop runs it again ◀───┘
     *
     * A foreign execute() that finds IDLE queues the task through the loop's thread-safe queue; one that
     * finds STEPPING marks RESUMED and wakes a loop that may be holding. Every execute() call leads to exactly
     * one run of the continuation: the JDK counts on it.
     */
    private static final int IDLE = 0;
    private static final int STEPPING = 1;
    private static final int RESUMED = 2;
    /* Idle threads a loop keeps for its next tasks: enough for bursts, little memory (about 1 KB each). */
    static final int POOL_SIZE = 16;
    private static final VarHandle PHASE;
    private static final VarHandle SUSPENDING;
    private static final VarHandle SUSPENSIONS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PHASE = l.findVarHandle(TaskThread.class, "phase", int.class);
            SUSPENDING = l.findVarHandle(TaskThread.class, "suspending", boolean.class);
            SUSPENSIONS = l.findVarHandle(TaskThread.class, "suspensions", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventLoop loop;
    final Thread thread;
    /* Threading: CAS by the loop and by foreign threads. */
    private volatile int phase;
    /* Threading: written once on the loop at start (capturing), read by any thread calling execute(). */
    private Runnable continuation;
    /* Threading: loop only; true only inside thread.start(). */
    private boolean capturing;
    /* Threading: loop writes before the thread runs the task (take, run-ahead on the thread itself); the task
       thread and foreign execute() calls of the task read it (a park orders them). Null while pooled. */
    CarrierTaskRunner runner;
    /* Threading: task thread writes, loop reads after the continuation returned (same OS thread). */
    boolean suspending;
    private boolean ended;
    private boolean pooled;
    /* Threading: the closing loop's owner writes before it runs the pooled thread one last time. */
    private boolean retiring;
    /* Threading: task thread writes (plain), the watchdog reads (opaque): which suspension this is. */
    int suspensions;
    /* Threading: task thread writes, loop reads after the continuation returned (same OS thread). An eager
       task to run before the current one continues (see CarrierTaskRunner.yieldTo). */
    TaskRunner eagerNext;

    private TaskThread(EventLoop loop) {
        this.loop = loop;
        this.thread = VirtualThreads.newThread(this, this);
    }

    /* A thread for runner's first step: an idle one of the loop's pool, else a new one. Loop thread. */
    static TaskThread take(EventLoop loop, CarrierTaskRunner runner) {
        TaskThread t = loop.taskThreads.poll();
        if (t == null) {
            t = new TaskThread(loop);
            t.runner = runner;
            t.capturing = true;
            try {
                t.thread.start();
            } finally {
                t.capturing = false;
            }
        } else {
            t.pooled = false;
            t.runner = runner;
        }
        return t;
    }

    /* Runs the current task until it suspends or is done (and then, by run-ahead, maybe more new tasks). Loop. */
    void step() {
        loop.enterStep(runner.task, thread);
        phase = STEPPING;
        try {
            for (;;) {
                continuation.run();
                if (ended || pooled) {
                    phase = IDLE;
                    return;
                }
                if (suspending) {
                    if (!PHASE.compareAndSet(this, STEPPING, IDLE)) {
                        // Resubmitted during the step: Thread.yield (sleep(0)) always is, and so is a stray
                        // unpark. Honour it at the back of the ready queue; a thread that was not really
                        // resumed finds that out and parks again.
                        phase = IDLE;
                        TaskRunner eager = eagerNext;
                        if (eager != null) {
                            eagerNext = null;
                            loop.runNextInThisIteration(runner);
                            loop.runNextInThisIteration(eager);
                        } else {
                            loop.readyAdd(runner);
                        }
                    }
                    return;
                }
                if (loop.blockingCallsSuspend) {
                    if (PHASE.compareAndSet(this, STEPPING, IDLE)) {
                        return;
                    }
                } else {
                    loop.holdForBlockedTask(runner);
                }
                phase = STEPPING;
            }
        } finally {
            loop.exitStep();
        }
    }

    /* Called by the loop thread while it holds for this thread's task: true once a foreign thread resumed it. */
    boolean resumedWhileHeld() {
        return phase == RESUMED;
    }

    boolean suspendingButMounted() {
        return (boolean) SUSPENDING.getOpaque(this);
    }

    long suspensionNumber() {
        return (int) SUSPENSIONS.getOpaque(this);
    }

    /**
     * Takes the continuation of the virtual thread when the JDK makes it runnable. Not for application code.
     */
    @Override
    public void execute(Runnable command) {
        if (capturing) {
            continuation = command;
            return;
        }
        if (pooled && command == continuation) {
            return; // the yield into the pool: kept until a new task takes this thread (see take)
        }
        CarrierTaskRunner r = runner;
        if (command != continuation || r == null || r.task.abandoned) {
            // An abandoned task's thread unwinds off its closed loop, on the JDK's scheduler.
            // A virtual thread started by the task's code inherited this scheduler: run it as ordinary.
            VirtualThreads.defaultScheduler().execute(command);
            return;
        }
        // During this task's own step (phase STEPPING) the resume belongs to that step, whoever calls: a
        // foreign thread that ends a blocking call, or the JDK itself on the loop thread when the unpark
        // raced with the park (afterYield resubmits from the carrier) or after Thread.yield. step() sees
        // RESUMED and either continues at once or, after a yield, requeues the task.
        if (PHASE.compareAndSet(this, STEPPING, RESUMED)) {
            if (!loop.inLoop()) {
                loop.wakeHolder();
            }
        } else if (loop.inLoop()) {
            loop.readyAdd(r);
        } else {
            loop.submitThreadsafe(r);
        }
    }

    /*
     * The thread's body: the tasks it serves, one after another. It stays small: its frame is under every
     * suspended task's stack, so whatever it keeps in that frame is copied into each task's stack chunk (the
     * work between two tasks, in nextTask, ran to 50 bytes more per suspended task when it was inline here).
     */
    @Override
    public void run() {
        try {
            do {
                runner.task.runBody();
            } while (nextTask());
        } finally {
            ended = true;
        }
    }

    /* Its task is done: gives the thread to the next new task, or to the pool; false when it ends instead. */
    private boolean nextTask() {
        CarrierTaskRunner r = runner;
        r.release(this);
        runner = null;
        if (r.task.abandoned || !wipe()) {
            return false; // unwound off a closed loop, or a thread that cannot be wiped: it ends here
        }
        CarrierTaskRunner next = (CarrierTaskRunner) loop.pollFirstStep();
        if (next != null) {
            // Run-ahead: the loop's next step is a new task's first: take it here, no switch.
            next.bind(this);
            runner = next;
            loop.enterStep(next.task, thread);
            return true;
        }
        if (!loop.taskThreads.offer(this)) {
            return false;
        }
        pooled = true;
        Thread.yield();
        if (retiring) {
            return false;
        }
        if (runner == null) {
            // The yield did not unmount (a native frame or class initializer under the thread that started
            // this loop?): leave the pool, end instead of serving from there.
            loop.taskThreads.remove(this);
            return false;
        }
        return true;
    }

    /*
     * Clears what a task may have left on its thread, so the next task starts as on a new thread. Task thread,
     * the task done. False if the thread locals cannot be reached (then the thread is not reused).
     */
    private boolean wipe() {
        Thread t = thread;
        Thread.interrupted();
        if (!VirtualThreads.clearThreadLocals(t)) {
            return false;
        }
        if (!t.getName().isEmpty()) {
            t.setName("");
        }
        // A new task thread inherits the loop thread's context class loader (it is created there).
        Thread loopThread = loop.loopThread();
        ClassLoader loader = loopThread != null ? loopThread.getContextClassLoader() : t.getContextClassLoader();
        if (t.getContextClassLoader() != loader) {
            t.setContextClassLoader(loader);
        }
        if (t.getUncaughtExceptionHandler() != t.getThreadGroup()) {
            t.setUncaughtExceptionHandler(null);
        }
        return true;
    }

    /* Ends a pooled thread: it runs once more, off the loop, and returns. The closing loop's owner. */
    private void retire() {
        retiring = true;
        pooled = false; // a resubmission from now on (see below) goes to the JDK's scheduler, not the pool
        VirtualThreads.defaultScheduler().execute(continuation);
    }

    /** The loop's idle task threads, newest first. Threading: loop only (the owner once it is closed). */
    static final class Pool {
        private final TaskThread[] idle = new TaskThread[POOL_SIZE];
        private int size;
        private boolean closed;

        TaskThread poll() {
            return size == 0 ? null : removeAt(size - 1);
        }

        boolean offer(TaskThread t) {
            if (closed || size == idle.length) {
                return false;
            }
            idle[size++] = t;
            return true;
        }

        void remove(TaskThread t) {
            for (int i = size - 1; i >= 0; i--) {
                if (idle[i] == t) {
                    removeAt(i);
                    return;
                }
            }
        }

        private TaskThread removeAt(int i) {
            TaskThread t = idle[i];
            System.arraycopy(idle, i + 1, idle, i, size - i - 1);
            idle[--size] = null;
            return t;
        }

        /* The loop closes: its idle threads end, and no thread joins the pool any more. */
        void close() {
            closed = true;
            while (size > 0) {
                removeAt(size - 1).retire();
            }
        }

        /* White-box, for tests. */
        int size() {
            return size;
        }
    }
}
