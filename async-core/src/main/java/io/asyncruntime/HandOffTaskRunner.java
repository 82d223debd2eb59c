package io.asyncruntime;

import java.util.concurrent.locks.LockSupport;

/**
 * {@link EngineMode#PORTABLE}: the task's virtual thread runs on the JDK's default scheduler, and the loop
 * moves between threads like a baton.
 *
 * <p>Exactly one thread holds the loop: the loop thread or one task's virtual thread. A task that suspends
 * hands the loop straight to the next ready task when the next ready item is a task step of the current
 * iteration, and back to the loop thread otherwise (callbacks, timers, waiting for work). The hand-off is a
 * volatile write read by the receiver, so whatever the giver did happens-before what the receiver does.
 *
 * <p>A blocking call inside a task blocks its thread while it holds the loop: nothing else of the loop
 * runs, as in asyncio.
 */
final class HandOffTaskRunner extends TaskRunner {
    /* Threading: loop holder only. */
    private Thread thread;
    /* Threading: written by the thread that hands the loop over, read by this task's thread. */
    private volatile boolean holdsLoop;

    HandOffTaskRunner(Task<?> task) {
        super(task);
    }

    @Override
    Thread thread() {
        return thread;
    }

    /* On the loop thread: the ready queue reached this task's step. */
    @Override
    public void run() {
        task.loop.lendLoop(this);
    }

    /* By the current holder of the loop: let this task run its step. */
    void takeLoop() {
        if (thread == null) {
            // Often started by the previous task's thread (handOffFrom): it must inherit nothing from that
            // task, neither its inheritable thread locals nor a context class loader it set.
            thread = Thread.ofVirtual().inheritInheritableThreadLocals(false).unstarted(this::threadBody);
            Thread loopThread = task.loop.loopThread();
            if (loopThread != null) {
                thread.setContextClassLoader(loopThread.getContextClassLoader());
            }
            task.loop.enterStep(task, thread);
            holdsLoop = true;
            thread.start();
        } else {
            task.loop.enterStep(task, thread);
            holdsLoop = true;
            LockSupport.unpark(thread);
        }
    }

    @Override
    void suspend() {
        nameThreadOnce();
        holdsLoop = false;
        task.loop.handOffFrom();
        try {
            awaitLoop();
        } catch (StackOverflowError tooDeep) {
            // The park itself overflowed a deep stack after the loop was handed on: this task must not run on
            // beside the task that has the loop now. Wait for its turn without calls (the stack has no room for
            // them), then let the await fail with the overflow, as it fails in FAST when the JDK cannot unmount.
            while (!holdsLoop) {
                Thread.onSpinWait();
            }
            throw tooDeep;
        }
    }

    @Override
    void resume() {
        if (task.done()) {
            // Abandoned by a closing loop while it awaited; what it awaited finished later, maybe on another
            // thread: nothing of a closed loop may be touched from there.
            return;
        }
        task.loop.readyAdd(this);
    }

    @Override
    void yieldNow() {
        task.loop.readyAdd(this);
        suspend();
    }

    @Override
    void yieldTo(TaskRunner next) {
        // The hand-off takes the first ready step of this iteration: next, then this task again.
        task.loop.runNextInThisIteration(this);
        task.loop.runNextInThisIteration(next);
        suspend();
    }

    @Override
    void unwind() {
        Thread t = thread;
        if (t != null && !holdsLoop) {
            holdsLoop = true; // not the loop (it is closed): just leave awaitLoop
            LockSupport.unpark(t);
        }
    }

    private void awaitLoop() {
        boolean interrupted = false;
        while (!holdsLoop) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void threadBody() {
        awaitLoop();
        runTask();
        if (task.abandoned) {
            return; // unwound off a closed loop: there is no loop to hand on
        }
        holdsLoop = false;
        task.loop.handOffFrom();
    }
}
