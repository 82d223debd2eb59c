package io.asyncruntime;

import io.asyncruntime.internal.VirtualThreads;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link EngineMode#FAST}: the loop thread is the carrier of the task's virtual thread.
 *
 * <p>The runner is the virtual thread's scheduler. Whenever the JDK makes the thread runnable it calls
 * {@link #execute}, which queues this runner on the loop; when the loop runs it, the continuation mounts
 * on the loop thread and runs until the thread parks. A switch between tasks is one continuation yield and
 * one resume on the same OS thread.
 */
final class CarrierTaskRunner extends TaskRunner implements Executor {
    /*
     * Overview.
     *
     * Why a step ended is read after the continuation returns:
     *   finished    the coroutine returned or threw; the thread is gone.
     *   suspending  the task parked in suspend() or yielded in yieldNow(): an ordinary suspension.
     *   neither     the task parked outside an await (Thread.sleep, blocking I/O, a j.u.c lock).
     *               By default the loop holds for it, as asyncio's loop is held by a blocking call;
     *               with EventLoop.Builder.blockingCallsSuspend(true) the loop moves on instead.
     *
     * A thread parked outside an await is resumed by a foreign thread (the JDK's timer, the I/O poller,
     * whoever unlocks), which calls execute(). The phase field is the hand-off with that thread:
     *
     *   IDLE ──loop runs the runner──▶ STEPPING ──foreign execute()──▶ RESUMED
     *     ▲                               │                               │
     *     └──step ended, CAS──────────────┘        loop runs it again ◀───┘
     *
     * A foreign execute() that finds IDLE queues the runner through the loop's thread-safe queue; one
     * that finds STEPPING marks RESUMED and wakes a loop that may be holding. Every execute() call leads
     * to exactly one run of the continuation: the JDK counts on it.
     */
    private static final int IDLE = 0;
    private static final int STEPPING = 1;
    private static final int RESUMED = 2;
    private static final VarHandle PHASE;
    private static final VarHandle SUSPENDING;
    private static final VarHandle SUSPENSIONS;

    static {
        try {
            PHASE = MethodHandles.lookup().findVarHandle(CarrierTaskRunner.class, "phase", int.class);
            SUSPENDING = MethodHandles.lookup().findVarHandle(CarrierTaskRunner.class, "suspending", boolean.class);
            SUSPENSIONS = MethodHandles.lookup().findVarHandle(CarrierTaskRunner.class, "suspensions", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /* Threading: CAS by the loop and by foreign threads. */
    private volatile int phase;
    /* Threading: loop only (written before the thread starts). */
    private Thread thread;
    /* Threading: written once on the loop at start, read by any thread calling execute(). */
    private Runnable continuation;
    /* Threading: loop only; true only inside thread.start(). */
    private boolean capturing;
    /* Threading: task thread writes, loop reads after the continuation returned (same OS thread). */
    private boolean suspending;
    private boolean finished;
    /* Threading: task thread writes (plain), the watchdog reads (opaque): which suspension this is. */
    private long suspensions;
    /* Threading: loop writes in resume(), task thread reads after it is resumed. */
    private boolean resumed;
    /* Threading: task thread writes, loop reads after the continuation returned (same OS thread). An eager
       task to run before this one continues (see yieldTo). */
    private TaskRunner eagerNext;

    CarrierTaskRunner(Task<?> task) {
        super(task);
    }

    @Override
    Thread thread() {
        return thread;
    }

    @Override
    public void run() {
        if (thread == null) {
            thread = VirtualThreads.newThread(this, this::threadBody);
            capturing = true;
            try {
                thread.start();
            } finally {
                capturing = false;
            }
        }
        loop.enterStep(task, thread);
        phase = STEPPING;
        try {
            for (;;) {
                continuation.run();
                if (finished) {
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
                            loop.runNextInThisIteration(this);
                            loop.runNextInThisIteration(eager);
                        } else {
                            loop.readyAdd(this);
                        }
                    }
                    return;
                }
                if (loop.blockingCallsSuspend) {
                    if (PHASE.compareAndSet(this, STEPPING, IDLE)) {
                        return;
                    }
                } else {
                    loop.holdForBlockedTask(this);
                }
                phase = STEPPING;
            }
        } finally {
            loop.exitStep();
        }
    }

    /*
     * For the watchdog (another thread): the task asked to suspend but its thread is still mounted. Right
     * after a normal park the step ends and the loop clears its running task at once; if this stays true
     * with the loop not advancing, the park could not unmount: the thread is pinned (a native frame or a
     * class initializer on its stack) and parked the loop thread itself.
     */
    boolean suspendingButMounted() {
        return (boolean) SUSPENDING.getOpaque(this);
    }

    /* For the watchdog: identifies the current suspension, so two ticks can tell they saw the same one. */
    long suspensionNumber() {
        return (long) SUSPENSIONS.getOpaque(this);
    }

    /* Called by the loop thread while it holds for this task: true once a foreign thread resumed it. */
    boolean resumedWhileHeld() {
        return phase == RESUMED;
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
        if (command != continuation || task.abandoned) {
            // An abandoned task's thread unwinds off its closed loop, on the JDK's scheduler.
            // A virtual thread started by the task's code inherited this scheduler: run it as ordinary.
            VirtualThreads.defaultScheduler().execute(command);
            return;
        }
        // During this task's own step (phase STEPPING) the resume belongs to that step, whoever calls: a
        // foreign thread that ends a blocking call, or the JDK itself on the loop thread when the unpark
        // raced with the park (afterYield resubmits from the carrier) or after Thread.yield. run() sees
        // RESUMED and either continues at once or, after a yield, requeues the task.
        if (PHASE.compareAndSet(this, STEPPING, RESUMED)) {
            if (!loop.inLoop()) {
                loop.wakeHolder();
            }
        } else if (loop.inLoop()) {
            loop.readyAdd(this);
        } else {
            loop.submitThreadsafe(this);
        }
    }

    @Override
    void suspend() {
        if (resumed) {
            // Resumed before it could suspend (what it awaited was cancelled at once): still let the
            // others run first, as asyncio's step would.
            resumed = false;
            yieldNow();
            return;
        }
        nameThreadOnce();
        suspensions++;
        suspending = true;
        boolean interrupted = false;
        do {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        } while (!resumed && !task.pinnedAbort && !task.abandoned);
        resumed = false;
        suspending = false;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    void resume() {
        resumed = true;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    void yieldNow() {
        suspending = true;
        Thread.yield();
        suspending = false;
    }

    @Override
    void unwind() {
        Thread t = thread;
        if (t != null && suspending) {
            LockSupport.unpark(t);
        }
    }

    @Override
    void yieldTo(TaskRunner next) {
        // Thread.yield resubmits this thread during the step, so run() requeues it: in front, behind next.
        eagerNext = next;
        yieldNow();
        if (eagerNext == next) {
            // The yield did not unmount (the thread is pinned: a class initializer or a native frame on its
            // stack), so run() never took next: schedule it as an ordinary task instead of losing it.
            eagerNext = null;
            loop.readyAdd(next);
        }
    }

    private void threadBody() {
        runTask();
        finished = true;
    }
}
