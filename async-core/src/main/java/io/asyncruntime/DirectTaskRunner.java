package io.asyncruntime;

import io.asyncruntime.internal.Continuations;
import java.util.Arrays;

/**
 * {@link EngineMode#DIRECT}: the task is a JDK continuation that the loop thread runs itself; no virtual thread.
 *
 * <p>A step is one run of the continuation on the loop thread; an await yields it back to the loop. Resuming is
 * putting this runner on the ready queue: nothing is allocated per switch. An eager task's first step runs nested
 * inside its creator's step ({@link #yieldTo}): the child yields back to the creator, and the loop runs it from
 * then on like any other task.
 *
 * <p>What the task's code sees: {@link Thread#currentThread()} is the loop thread, thread locals are the loop
 * thread's, a blocking call holds the loop thread (asyncio's rule), and an await where a native frame or a class
 * initializer is on the stack fails with {@link IllegalStateException} (the JDK cannot suspend there).
 *
 * <p>Threading: {@link #run()}, {@link #resume()} and the task's own calls on the loop thread; {@link #unwind()} on
 * the closing loop's owner; {@link #liveFrames()} from any thread.
 */
final class DirectTaskRunner extends TaskRunner {
    /* What cont holds once the task's body has ended: the continuation is dropped (a finished task may be kept
       long after, and should not keep its continuation). */
    private static final Object ENDED = new Object();
    /* Threading: loop writes (the first step, the end); any thread reads it for stacks. The continuation of the
       task's Carrier (a jdk.internal.vm.Continuation, typed Object: the library compiles without access to its
       package). Null before the first step, ENDED once the task's body has returned. */
    private volatile Object cont;

    /* Threading: task's own code. Why the last await could not suspend (Continuations' message), until read. */
    private String pinnedCause;
    /* Threading: the closing thread, while it unwinds the task. The CancelledError of the unwinding was raised. */
    private boolean unwindRaised;

    DirectTaskRunner(Task<?> task) {
        super(task);
    }

    /* No thread of its own: the loop thread (or the closing one) runs it; a thread dump shows that one. */
    @Override
    Thread thread() {
        return null;
    }

    /* On the loop thread: the ready queue reached this task's step. */
    @Override
    public void run() {
        EventLoop loop = task.loop;
        step(loop);
        loop.exitStep();
    }

    /* Runs the step with this task current; leaves it current (the caller says who is current next). */
    private void step(EventLoop loop) {
        Object c = cont;
        if (c == null) {
            c = Carrier.take(loop, this).cont;
        } else if (c == ENDED) {
            return; // not expected: a step queued after the end; nothing left to run
        }
        loop.enterStep(task, Thread.currentThread());
        long giveUpAt = 0;
        for (int spins = 1; ; spins++) {
            try {
                Continuations.run(c);
                return;
            } catch (IllegalStateException walked) {
                // Another thread holds the continuation for a moment to read its stack (getStack): the JDK
                // refuses to run it meanwhile, before running anything. Retry once the walk is over.
                if (!Continuations.isMountedConflict(walked)) {
                    throw walked;
                }
                if ((spins & 1023) == 0) {
                    // A walk takes microseconds; one that never ends means the continuation is held for good
                    // (it is running further down this very stack): fail loudly rather than spin forever.
                    long now = System.nanoTime();
                    if (giveUpAt == 0) {
                        giveUpAt = now + HELD_LIMIT_NANOS;
                    } else if (now - giveUpAt > 0) {
                        throw new IllegalStateException("the continuation of " + task + " stayed held for "
                                + HELD_LIMIT_NANOS / 1_000_000_000L + " s (running elsewhere?); its step cannot run", walked);
                    }
                    Thread.yield();
                }
                Thread.onSpinWait();
            }
        }
    }

    /* How long a step waits for another thread's stack walk of its continuation before giving up. */
    private static final long HELD_LIMIT_NANOS = 10_000_000_000L;

    @Override
    void suspend() {
        try {
            Continuations.yieldNow();
        } catch (IllegalStateException pinned) {
            // The JDK could not suspend (a native frame or class initializer on the stack): the task goes on
            // running, so the await must fail rather than return. A resume that raced in (what it awaits was
            // cancelled at once) must not run it later at some other await.
            task.loop.readyRemove(this);
            pinnedCause = pinned.getMessage();
            task.pinnedAbort = true;
        }
    }

    @Override
    void resume() {
        if (task.done()) {
            // Abandoned by a closing loop while it awaited: nothing of a closed loop may be touched.
            return;
        }
        task.loop.readyAdd(this);
    }

    @Override
    void yieldNow() {
        EventLoop loop = task.loop;
        loop.readyAdd(this);
        try {
            Continuations.yieldNow();
        } catch (IllegalStateException pinned) {
            loop.readyRemove(this);
            throw pinnedError(pinned.getMessage(), pinned);
        }
        if (task.abandoned) {
            task.checkAbandoned(); // woken by the closing loop: raise its CancelledError here
        }
    }

    /* Runs next's first step now, nested in this task's step: next yields back here; then this task goes on. */
    @Override
    void yieldTo(TaskRunner next) {
        EventLoop loop = task.loop;
        loop.directNested++; // no run-ahead in there: nothing but next's step may run inside this one
        try {
            ((DirectTaskRunner) next).step(loop);
        } finally {
            loop.directNested--;
        }
        loop.enterStep(task, Thread.currentThread());
    }

    /* White-box, for tests: the continuation running the task now (its carrier's). */
    Object liveContinuation() {
        return cont;
    }

    /* Whether the task's first step has not run: run-ahead may take it (EventLoop.pollFirstDirectStep). */
    boolean notStarted() {
        return cont == null;
    }

    /*
     * A continuation that serves one task at a time, from the task's first step until it is done, then the next:
     * DIRECT's counterpart of FAST's TaskThread. A task that never suspends costs no continuation of its own, and
     * when the next ready item of the iteration is a new task's first step, the finished task's carrier takes it
     * at once (run-ahead): a burst of such tasks runs without a single switch. Idle carriers wait, yielded, in
     * the loop's pool. Threading: loop only (the closing owner while it unwinds).
     */
    static final class Carrier implements Runnable {
        /* Idle carriers a loop keeps: enough for bursts; each is a continuation with a small stack chunk. */
        static final int POOL_SIZE = 16;

        private final EventLoop loop;
        final Object cont;
        /* The task served now; null while pooled. */
        private DirectTaskRunner runner;

        private Carrier(EventLoop loop) {
            this.loop = loop;
            this.cont = Continuations.create(this);
        }

        /*
         * A carrier for runner's first step: an idle one of the loop's, else a new one. Loop. An eager first step
         * nested in its creator's takes a new one: it most often ends within that step, and a continuation that
         * just ends costs less than a resume out of the pool and a yield back into it.
         */
        static Carrier take(EventLoop loop, DirectTaskRunner runner) {
            Carrier k = loop.directNested == 0 ? loop.directCarriers.poll() : null;
            if (k == null) {
                k = new Carrier(loop);
            }
            k.runner = runner;
            runner.cont = k.cont;
            return k;
        }

        /* The continuation's body: the tasks it serves, one after another. Kept small: its frames are at the
           bottom of every suspended task's stack. */
        @Override
        public void run() {
            do {
                runner.runTask();
            } while (next());
        }

        /* Its task is done: serve the next new task at once, or wait in the pool; false when it ends instead. */
        private boolean next() {
            DirectTaskRunner done = runner;
            runner = null;
            done.cont = ENDED;
            if (done.task.abandoned) {
                return false; // unwound by a closed loop's owner: end here
            }
            DirectTaskRunner following = loop.pollFirstDirectStep();
            if (following != null) {
                runner = following;
                following.cont = cont;
                loop.enterStep(following.task, Thread.currentThread());
                return true;
            }
            if (loop.directNested > 0 || !loop.directCarriers.offer(this)) {
                return false; // ends (see take), or the pool is full
            }
            try {
                Continuations.yieldNow(); // back to whoever ran the step; take() runs it again with a new task
            } catch (IllegalStateException pinned) {
                loop.directCarriers.remove(this);
                return false;
            }
            return runner != null;
        }
    }

    /** The loop's idle carriers, newest first. Threading: loop only (the owner once it is closed). */
    static final class Pool {
        private final Carrier[] idle = new Carrier[Carrier.POOL_SIZE];
        private int size;
        private boolean closed;

        Carrier poll() {
            if (size == 0) {
                return null;
            }
            Carrier k = idle[--size];
            idle[size] = null;
            return k;
        }

        boolean offer(Carrier k) {
            if (closed || size == idle.length) {
                return false;
            }
            idle[size++] = k;
            return true;
        }

        void remove(Carrier k) {
            for (int i = size - 1; i >= 0; i--) {
                if (idle[i] == k) {
                    System.arraycopy(idle, i + 1, idle, i, size - i - 1);
                    idle[--size] = null;
                    return;
                }
            }
        }

        /* The loop closes: the idle carriers are dropped (suspended, never run again, collected). */
        void close() {
            closed = true;
            while (size > 0) {
                idle[--size] = null;
            }
        }

        /* White-box, for tests. */
        int size() {
            return size;
        }
    }

    /*
     * The task was abandoned by its closing loop while suspended at an await: run it once more here, so that
     * its await raises CancelledError and its finally blocks run. An await after that suspends it for good: it is
     * never run again (see yieldForGood). Closing loop's owner.
     */
    @Override
    void unwind() {
        Object c = cont;
        if (c == null || c == ENDED || Continuations.isDone(c)) {
            return;
        }
        Task.unwindOnThisThread(task, () -> Continuations.run(c));
    }

    /* The first await of an abandoned task raises its CancelledError; a later one never returns. */
    void checkAbandoned() {
        if (!unwindRaised) {
            unwindRaised = true;
            throw new CancelledError(task.cancelMessageForUnwind());
        }
        yieldForGood();
    }

    /* Suspends the unwinding task without return: nobody runs it again, and it is collected with its task. */
    void yieldForGood() {
        for (;;) {
            Continuations.yieldNow();
        }
    }

    /* Why the last await failed to suspend, then forgotten. Task's own code. */
    String takePinnedCause() {
        String cause = pinnedCause;
        pinnedCause = null;
        return cause;
    }

    IllegalStateException pinnedError(String cause, Throwable jdkError) {
        IllegalStateException e = new IllegalStateException(task.getName() + " cannot suspend here (" + cause
                + "): a native frame or a class initializer is on its stack, and in DIRECT mode the task is a"
                + " continuation of the loop thread, which the JDK cannot suspend there; await outside of it");
        if (jdkError != null) {
            e.initCause(jdkError);
        }
        return e;
    }

    /*
     * The task's own frames, newest first, engine included (Task filters them): a suspended task's from its
     * continuation; a running one's from the thread running it (the loop thread), cut where its continuation
     * starts. Empty before its first step. Any thread (racy, as any look at a running task).
     */
    StackTraceElement[] liveFrames() {
        Object c = cont;
        if (c == null || c == ENDED) {
            return NO_FRAMES;
        }
        EventLoop loop = task.loop;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                StackTraceElement[] frames = Continuations.stackTrace(c);
                // Its carrier may have finished it and taken another task meanwhile: those frames are not its own.
                return cont == c ? frames : NO_FRAMES;
            } catch (IllegalStateException running) {
                if (!Continuations.isMountedConflict(running)) {
                    throw running;
                }
            }
            Thread t = loop.loopThread();
            if (t == null) {
                // Not running: the closing thread unwinds it, and that is the caller (a finally block asking).
                return cut(Thread.currentThread().getStackTrace());
            }
            // Running now, on the loop thread: its stack, if the loop is still in this very step once it is taken.
            long step = loop.stepsAnyThread();
            if (loop.runningTaskAnyThread() == task) {
                StackTraceElement[] frames = t.getStackTrace();
                if (loop.runningTaskAnyThread() == task && loop.stepsAnyThread() == step) {
                    StackTraceElement[] own = cut(frames);
                    if (own != null) {
                        return own;
                    }
                }
            }
        }
        return NO_FRAMES; // it kept moving between suspended and running: no consistent picture
    }

    private static final StackTraceElement[] NO_FRAMES = new StackTraceElement[0];

    /* The frames above the innermost continuation's start, or null if no continuation runs on that stack. */
    private static StackTraceElement[] cut(StackTraceElement[] threadFrames) {
        for (int i = 0; i < threadFrames.length; i++) {
            if (isContinuationRun(threadFrames[i])) {
                return Arrays.copyOf(threadFrames, i);
            }
        }
        return null;
    }

    private static boolean isContinuationRun(StackTraceElement f) {
        return "run".equals(f.getMethodName()) && "jdk.internal.vm.Continuation".equals(f.getClassName());
    }

    /*
     * Frames of the thread running a task's continuation, newest first, cut at the innermost continuation's
     * start: what lies below is the loop (or, for an eager task's first step, its creator).
     */
    static StackTraceElement[] ownFrames(StackTraceElement[] threadFrames) {
        StackTraceElement[] own = cut(threadFrames);
        return own != null ? own : NO_FRAMES;
    }
}
