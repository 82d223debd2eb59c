package io.asyncruntime;

import java.util.concurrent.locks.LockSupport;

/**
 * {@link EngineMode#FAST}: the loop thread is the carrier of the task's virtual thread.
 *
 * <p>The task takes a {@link TaskThread} at its first step (an idle one of the loop's, or a new one) and
 * keeps it until it is done; that thread's continuation mounts on the loop thread for each step and runs until
 * the thread parks. A switch between tasks is one continuation yield and one resume on the same OS thread.
 */
final class CarrierTaskRunner extends TaskRunner {
    /* Threading: loop writes (take, run-ahead, release); any thread reads it for introspection (racy: a
       reader checks afterwards that the task still has it). Null before the first step and once done. */
    private TaskThread carrier;
    /* Threading: loop writes in resume(), task thread reads after it is resumed. */
    private boolean resumed;
    /* Threading: loop only. Whether the task's first step was taken (a thread bound to it), done or not. */
    private boolean started;

    CarrierTaskRunner(Task<?> task) {
        super(task);
    }

    @Override
    Thread thread() {
        TaskThread c = carrier;
        return c != null ? c.thread : null;
    }

    @Override
    public void run() {
        TaskThread c = carrier;
        if (c == null) {
            if (started) {
                // A stale entry of a task that is done: the JDK resubmits a virtual thread whose stack another
                // thread read while it waited in the ready queue (so it is queued twice). Its body ran once.
                return;
            }
            started = true;
            c = TaskThread.take(task.loop, this);
            carrier = c;
        }
        c.step();
    }

    /* A task has a thread from its first step until it is done; a stale entry of a done task is not "new" (run). */
    @Override
    boolean notStarted() {
        return !started;
    }

    /* The task's first step runs on t, which finished another task just now (run-ahead). Loop holder. */
    void bind(TaskThread t) {
        started = true;
        carrier = t;
    }

    /* The task is done: t serves other tasks from now on. Loop holder (or t unwinding off a closed loop). */
    void release(TaskThread t) {
        if (carrier == t) {
            carrier = null;
        }
    }

    /*
     * For the watchdog (another thread): the task asked to suspend but its thread is still mounted. Right
     * after a normal park the step ends and the loop clears its running task at once; if this stays true
     * with the loop not advancing, the park could not unmount: the thread is pinned (a native frame or a
     * class initializer on its stack) and parked the loop thread itself.
     */
    boolean suspendingButMounted() {
        TaskThread c = carrier;
        return c != null && c.suspendingButMounted();
    }

    /* For the watchdog: identifies the current suspension, so two ticks can tell they saw the same one. */
    long suspensionNumber() {
        TaskThread c = carrier;
        return c != null ? c.suspensionNumber() : -1;
    }

    /* Called by the loop thread while it holds for this task: true once a foreign thread resumed it. */
    boolean resumedWhileHeld() {
        return carrier.resumedWhileHeld();
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
        TaskThread c = carrier;
        c.suspensions++;
        c.suspending = true;
        boolean interrupted = false;
        do {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        } while (!resumed && !task.pinnedAbort && !task.abandoned);
        resumed = false;
        c.suspending = false;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    void resume() {
        resumed = true;
        TaskThread c = carrier;
        if (c != null) {
            LockSupport.unpark(c.thread);
        }
    }

    @Override
    void yieldNow() {
        TaskThread c = carrier;
        c.suspending = true;
        Thread.yield();
        c.suspending = false;
    }

    @Override
    void unwind() {
        TaskThread c = carrier;
        if (c != null && c.suspending) {
            LockSupport.unpark(c.thread);
        }
    }

    @Override
    void yieldTo(TaskRunner next) {
        // Thread.yield resubmits this thread during the step, so step() requeues it: in front, behind next.
        TaskThread c = carrier;
        c.eagerNext = next;
        try {
            yieldNow();
        } finally {
            if (c.eagerNext == next) {
                // The yield did not unmount (the thread is pinned: a class initializer or a native frame on its
                // stack) or failed (a StackOverflowError from a deep stack), so step() never took next: schedule
                // it as an ordinary task instead of losing it.
                c.eagerNext = null;
                task.loop.readyAdd(next);
            }
        }
    }
}
