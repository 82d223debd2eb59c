package io.asyncruntime;

/**
 * Moves one task between running and suspended: the engine behind {@link Task}, one per task.
 *
 * <p>The loop runs the runner (a ready-queue item) to run the task's next step. The task's own code calls
 * {@link #suspend()} at an await and {@link #yieldNow()} at {@code sleep(0)}; the loop calls
 * {@link #resume()} when what the task awaits is done. {@link CarrierTaskRunner}, {@link HandOffTaskRunner} and
 * {@link DirectTaskRunner} are the three engines of {@link EngineMode}.
 *
 * <p>Threading: {@link #run()} and {@link #resume()} on the loop; {@link #suspend()} and {@link #yieldNow()}
 * on the task's virtual thread while it runs.
 */
abstract sealed class TaskRunner implements Runnable permits CarrierTaskRunner, HandOffTaskRunner, DirectTaskRunner {
    /* One per task, so every field costs per suspended task: the loop is the task's (task.loop), not a copy. */
    final Task<?> task;

    TaskRunner(Task<?> task) {
        this.task = task;
    }

    /** Runs the task until it next suspends or finishes. Loop only. */
    @Override
    public abstract void run();

    /** Gives up the loop until {@link #resume()}; returns on the task's thread when the task runs again. */
    abstract void suspend();

    /** Schedules the task's next step at the back of the ready queue. Loop only. */
    abstract void resume();

    /** Lets every step that is ready now run first, then continues: asyncio's {@code sleep(0)}. */
    abstract void yieldNow();

    /**
     * Lets {@code next} (a new eager task) run its first step now, then continues: the current task's step is
     * split around it, no other ready step runs in between. Task thread, while its step runs.
     */
    abstract void yieldTo(TaskRunner next);

    /**
     * Wakes the thread of a task that its closing loop abandoned while it was parked at an await, so that
     * the await raises and the thread ends off the loop (see {@link Task#abandon}). Loop owner, loop closed.
     */
    abstract void unwind();

    /*
     * Whether this is a task whose first step has not run, which run-ahead may take (EventLoop.pollFirstStep):
     * FAST and DIRECT. PORTABLE hands the loop on instead and runs no step ahead. Loop holder.
     */
    boolean notStarted() {
        return false;
    }

    /* Threading: task thread writes once; setName (any thread) reads. Whether the thread carries the task's name. */
    volatile boolean threadNamed;

    /*
     * Names the task's virtual thread after the task, at its first real suspension: from then on a thread dump,
     * JFR or a debugger shows the task where the endpoint does. A task that never suspends (most short ones)
     * never appears in a dump and pays nothing. Task thread.
     */
    final void nameThreadOnce() {
        if (!threadNamed) {
            Thread t = thread();
            if (t != null) {
                t.setName(task.threadName());
                threadNamed = true;
            }
        }
    }

    /** Returns the task's virtual thread, or null before its first step. */
    abstract Thread thread();

    /* The body of the task's virtual thread. */
    final void runTask() {
        task.runBody();
    }

    @Override
    public String toString() {
        return task.toString();
    }
}
