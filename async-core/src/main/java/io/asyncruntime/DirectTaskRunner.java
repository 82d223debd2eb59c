package io.asyncruntime;

import io.asyncruntime.internal.Continuations;
import io.asyncruntime.internal.VirtualThreads;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * {@link EngineMode#DIRECT}: the task is a JDK continuation that the loop thread runs itself; no virtual thread.
 *
 * <p>A step is one run of the continuation on the loop thread; an await yields it back to the loop. Resuming is
 * putting this runner on the ready queue: nothing is allocated per switch. An eager task's first step runs nested
 * inside its creator's step ({@link #yieldTo}): the child yields back to the creator, and the loop runs it from
 * then on like any other task.
 *
 * <p>What the task's code sees: {@link Thread#currentThread()} is the loop thread, with the task's own thread
 * locals (swapped in for its steps, see SWAP_THREAD_LOCALS), a blocking call holds the loop thread (asyncio's
 * rule), and an await where a native frame or a class initializer is on the stack fails with
 * {@link IllegalStateException} (the JDK cannot suspend there).
 *
 * <p>Threading: {@link #run()}, {@link #resume()} and the task's own calls on the loop thread; {@link #unwind()} on
 * the closing loop's owner; {@link #liveFrames()} from any thread.
 */
final class DirectTaskRunner extends TaskRunner {
    /* Threading: loop writes (the first step, the end); any thread reads it for stacks. The continuation serving
       the task: null before its first step, Carrier.ENDED once the task's body has returned (a finished task may be
       kept long after, and must not keep its carrier). */
    private volatile Carrier carrier;

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
        Carrier k = carrier;
        if (k == null) {
            k = Carrier.take(loop, this);
        } else if (k == Carrier.ENDED) {
            return; // not expected: a step queued after the end; nothing left to run
        }
        Thread t = Thread.currentThread();
        loop.enterStep(task, t);
        k.acquire(task);
        // The task's own thread locals for the step (see Carrier.threadLocalMaps); the thread's, or the creator's
        // for an eager step nested in its creator's, come back afterwards. A reference store costs a GC barrier,
        // so only a map that differs is stored: most tasks have none, and neither has a loop thread, mostly.
        Object outerLocals = null;
        Object outerInheritables = null;
        if (SWAP_THREAD_LOCALS) {
            outerLocals = VirtualThreads.threadLocals(t);
            outerInheritables = VirtualThreads.inheritableThreadLocals(t);
            Object maps = k.threadLocalMaps;
            Object locals = maps;
            Object inheritables = null;
            if (maps instanceof Object[] both) {
                locals = both[0];
                inheritables = both[1];
            }
            if (locals != outerLocals) {
                VirtualThreads.setThreadLocals(t, locals);
            }
            if (inheritables != outerInheritables) {
                VirtualThreads.setInheritableThreadLocals(t, inheritables);
            }
        }
        try {
            Continuations.run(k.cont);
        } finally {
            if (SWAP_THREAD_LOCALS) {
                Object locals = VirtualThreads.threadLocals(t);
                Object inheritables = VirtualThreads.inheritableThreadLocals(t);
                // The carrier may have moved on to another task (run-ahead) or to the pool meanwhile: what the
                // thread holds now is the task's it serves now, if any.
                if (k.runner != null) {
                    Object maps = inheritables == null ? locals : new Object[] {locals, inheritables};
                    if (maps != k.threadLocalMaps) {
                        k.threadLocalMaps = maps;
                    }
                }
                if (locals != outerLocals) {
                    VirtualThreads.setThreadLocals(t, outerLocals);
                }
                if (inheritables != outerInheritables) {
                    VirtualThreads.setInheritableThreadLocals(t, outerInheritables);
                }
            }
            k.release();
            // The task's thread state is the loop thread's: an interrupt it leaves set (the usual re-assert after
            // catching InterruptedException) must not reach the next task or the loop's caller, as FAST's wipe of
            // a task thread ensures there. An interrupt of the loop thread from outside during a step is lost,
            // as in FAST.
            Thread.interrupted();
        }
    }

    /* How long a step waits for another thread's stack read of its continuation before giving up. */
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
            carrier.pinnedCause = pinned.getMessage();
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

    /*
     * Eager first steps nested in one another at most this deep. Each level stacks the creator's frames, the
     * engine's and the child's on the loop thread's one stack, which overflowed at 600 to 1,300 levels; an
     * overflow inside the JDK's continuation entry leaves a continuation that cannot run again. asyncio nests
     * eager steps on one stack too and fails the chain with RecursionError near 1,000 frames.
     */
    static final int MAX_NESTED_EAGER_STEPS = 100;

    /*
     * Whether each task gets thread locals of its own: the loop thread's maps are swapped for the task's at each
     * step, which needs java.lang opened (FAST's flag). Without it, all tasks share the loop thread's.
     */
    static final boolean SWAP_THREAD_LOCALS = VirtualThreads.canSwapThreadLocals();

    /*
     * Runs next's first step now, nested in this task's step: next yields back here; then this task goes on.
     * Deeper than MAX_NESTED_EAGER_STEPS, next's first step runs right after this step instead, before anything
     * else of the loop, as FAST does when it cannot switch.
     */
    @Override
    void yieldTo(TaskRunner next) {
        EventLoop loop = task.loop;
        if (loop.directNested >= MAX_NESTED_EAGER_STEPS) {
            loop.runNextInThisIteration(next);
            return;
        }
        DirectTaskRunner[] creators = loop.directNestedCreators;
        if (creators == null) {
            creators = new DirectTaskRunner[MAX_NESTED_EAGER_STEPS];
            loop.directNestedCreators = creators;
        }
        creators[loop.directNested] = this; // for a look at this task's stack while next runs (liveFrames)
        loop.directNested++; // no run-ahead in there: nothing but next's step may run inside this one
        try {
            ((DirectTaskRunner) next).step(loop);
        } finally {
            loop.directNested--;
            creators[loop.directNested] = null;
        }
        loop.enterStep(task, Thread.currentThread());
    }

    /* White-box, for tests: the continuation running the task now (its carrier's). */
    Object liveContinuation() {
        Carrier k = carrier;
        return k != null ? k.cont : null;
    }

    @Override
    boolean notStarted() {
        return carrier == null;
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
        /* What a runner's carrier field holds once its task's body has returned. Never run. */
        static final Carrier ENDED = new Carrier(true);
        /*
         * Who holds the continuation: nobody, the thread running it (the loop, or a closing owner unwinding), or a
         * thread reading its stack. The JDK walks an unmounted continuation's frames in place, so a walk while the
         * loop runs (and so thaws and freezes) it would read frames being rewritten: each side takes the carrier
         * first. The loop pays one CAS per step; a walk takes microseconds, and the loop waits for it.
         */
        private static final int IDLE = 0;
        private static final int RUNNING = 1;
        private static final int WALKING = 2;
        private static final VarHandle STATE;

        /* Carrier.next; not final, so never a constant that C2 could inline (see run). */
        @SuppressWarnings("FieldMayBeFinal")
        private static MethodHandle next;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                STATE = lookup.findVarHandle(Carrier.class, "state", int.class);
                next = lookup.findVirtual(Carrier.class, "next",
                        MethodType.methodType(boolean.class, Object.class, Throwable.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Object cont;
        /* The task served now; null while pooled. Threading: written by whoever holds the carrier (the loop). */
        private DirectTaskRunner runner;
        /*
         * The served task's thread-local maps while it is suspended: a task has thread locals of its own in DIRECT
         * as on its own thread in FAST, though it runs on the loop thread. Null until it sets one; its
         * ThreadLocal.ThreadLocalMap (typed Object) when it has no inheritable ones; else both, in an Object[2].
         * One field in the carrier (one per live task, not one per runner), which stays 32 bytes. Threading: the
         * loop, at the ends of the task's steps.
         */
        private Object threadLocalMaps;
        /* Threading: CAS by the loop and by stack readers. */
        private volatile int state;
        /* Threading: its task's own code. Why the task's last await could not suspend (Continuations' message),
           until read. Here rather than in the runner, which exists per task (this field fills the carrier's
           alignment gap, where the runner grew by 8 bytes). */
        private String pinnedCause;

        /* No field for the loop: the task it serves names it (next), and take() is given it. */
        private Carrier(boolean ended) {
            this.cont = ended ? null : Continuations.create(this);
        }

        /* Takes the carrier to run it; waits while another thread reads its stack. Loop (or closing owner). */
        void acquire(Task<?> task) {
            if (STATE.compareAndSet(this, IDLE, RUNNING)) {
                return;
            }
            long giveUpAt = System.nanoTime() + HELD_LIMIT_NANOS;
            for (int spins = 1; !STATE.compareAndSet(this, IDLE, RUNNING); spins++) {
                if ((spins & 1023) == 0) {
                    // A walk takes microseconds; a carrier held for good is running further down this very stack
                    // (or a reader died mid-walk): fail loudly rather than spin forever.
                    if (System.nanoTime() - giveUpAt > 0) {
                        throw new IllegalStateException("the continuation of " + task + " stayed held ("
                                + (state == RUNNING ? "running" : "its stack being read") + ") for "
                                + HELD_LIMIT_NANOS / 1_000_000_000L + " s; its step cannot run");
                    }
                    Thread.yield();
                }
                Thread.onSpinWait();
            }
        }

        void release() {
            STATE.setRelease(this, IDLE);
        }

        /* A stack reader takes the carrier if nobody runs or reads it now. Any thread. */
        boolean tryWalk() {
            return STATE.compareAndSet(this, IDLE, WALKING);
        }

        /*
         * A carrier for runner's first step: an idle one of the loop's, else a new one. Loop. An eager first step
         * nested in its creator's takes a new one: it most often ends within that step, and a continuation that
         * just ends costs less than a resume out of the pool and a yield back into it.
         */
        static Carrier take(EventLoop loop, DirectTaskRunner runner) {
            Carrier k = loop.directNested == 0 ? loop.directCarriers.poll() : null;
            if (k == null) {
                k = new Carrier(false);
            }
            k.runner = runner;
            runner.carrier = k;
            return k;
        }

        /*
         * The continuation's body: the tasks it serves, one after another. Its compiled frame is at the bottom of
         * every suspended task's stack, copied into each one's stack chunk: nothing but the call of the coroutine
         * may be inlined into it. The task's outcome and the work between two tasks (next) once grew every
         * suspended task by 100-150 bytes there (more after other workloads had made C2 inline their completion
         * paths). A call through a method handle that is not a constant (next is deliberately not final) is one
         * C2 cannot inline.
         */
        @Override
        public void run() {
            Object value;
            Throwable failure;
            do {
                value = null;
                failure = null;
                try {
                    value = runner.task.callCoroutine();
                } catch (Throwable t) {
                    failure = t;
                }
            } while (callNext(value, failure));
        }

        private boolean callNext(Object value, Throwable failure) {
            try {
                return (boolean) next.invokeExact(this, value, failure);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        /*
         * Its task's coroutine returned value or threw failure: the task's outcome, then serve the next new task
         * at once, or wait in the pool; false when it ends instead.
         */
        private boolean next(Object value, Throwable failure) {
            runner.task.finishBody(value, failure);
            DirectTaskRunner done = runner;
            EventLoop loop = done.task.loop;
            runner = null;
            done.carrier = ENDED;
            Thread.interrupted(); // nothing of the done task's thread state reaches the next (see step)
            threadLocalMaps = null;
            if (SWAP_THREAD_LOCALS) {
                Thread t = Thread.currentThread();
                if (VirtualThreads.threadLocals(t) != null) {
                    VirtualThreads.setThreadLocals(t, null);
                }
                if (VirtualThreads.inheritableThreadLocals(t) != null) {
                    VirtualThreads.setInheritableThreadLocals(t, null);
                }
            }
            if (done.task.abandoned) {
                return false; // unwound by a closed loop's owner: end here
            }
            DirectTaskRunner following = (DirectTaskRunner) loop.pollFirstStep();
            if (following != null) {
                runner = following;
                following.carrier = this;
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
        Carrier k = carrier;
        if (k == null || k == Carrier.ENDED || Continuations.isDone(k.cont)) {
            return;
        }
        Task.unwindOnThisThread(task, () -> {
            k.acquire(task);
            try {
                Continuations.run(k.cont);
            } finally {
                k.release();
            }
        });
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
        Carrier k = carrier;
        if (k == null || k == Carrier.ENDED) {
            return null;
        }
        String cause = k.pinnedCause;
        k.pinnedCause = null;
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
        Carrier k = carrier;
        if (k == null || k == Carrier.ENDED) {
            return NO_FRAMES;
        }
        EventLoop loop = task.loop;
        for (int attempt = 0; attempt < 3; attempt++) {
            if (k.tryWalk()) {
                try {
                    // The carrier may have finished this task and taken another meanwhile: not this task's frames.
                    return carrier == k && k.runner == this ? Continuations.stackTrace(k.cont) : NO_FRAMES;
                } finally {
                    k.release();
                }
            }
            Thread t = loop.loopThread();
            if (t == null) {
                // Not running: the closing thread unwinds it, and that is the caller (a finally block asking).
                StackTraceElement[] own = segment(Thread.currentThread().getStackTrace(), 0);
                return own != null ? own : NO_FRAMES;
            }
            // Running now, on the loop thread: its stack, if the loop is still in this very step once it is taken.
            long step = loop.stepsAnyThread();
            if (loop.runningTaskAnyThread() == task) {
                StackTraceElement[] frames = t.getStackTrace();
                if (loop.runningTaskAnyThread() == task && loop.stepsAnyThread() == step) {
                    StackTraceElement[] own = segment(frames, 0);
                    if (own != null) {
                        return own;
                    }
                }
            }
            // Or under the steps of eager tasks it created, nested in its own: its frames lie that many
            // continuation starts down the loop thread's stack.
            int depth = nestedDepth(loop);
            if (depth > 0) {
                StackTraceElement[] frames = t.getStackTrace();
                if (nestedDepth(loop) == depth && loop.stepsAnyThread() == step) {
                    StackTraceElement[] own = segment(frames, depth);
                    if (own != null) {
                        return own;
                    }
                }
            }
            Thread.onSpinWait();
        }
        return NO_FRAMES; // it kept moving between suspended and running: no consistent picture
    }

    /*
     * How many continuation starts lie above this task's on the loop thread's stack while eager first steps run
     * nested in its step (1: the child it created runs now), or 0. Any thread: the loop's counters are read racily;
     * the caller checks that they held across its look.
     */
    private int nestedDepth(EventLoop loop) {
        DirectTaskRunner[] creators = loop.directNestedCreators;
        if (creators == null) {
            return 0;
        }
        for (int i = Math.min(loop.directNested, creators.length) - 1; i >= 0; i--) {
            if (creators[i] == this) {
                return loop.directNested - i;
            }
        }
        return 0;
    }

    /*
     * The frames of the continuation below the depth-th continuation start (newest first; depth 0: the innermost
     * continuation's, above the first start), or null if the stack has fewer.
     */
    private static StackTraceElement[] segment(StackTraceElement[] threadFrames, int depth) {
        int from = 0;
        int seen = 0;
        for (int i = 0; i < threadFrames.length; i++) {
            if (isContinuationRun(threadFrames[i])) {
                seen++;
                if (seen == depth) {
                    from = i + 1;
                } else if (seen == depth + 1) {
                    return Arrays.copyOfRange(threadFrames, from, i);
                }
            }
        }
        return null;
    }

    private static final StackTraceElement[] NO_FRAMES = new StackTraceElement[0];

    private static boolean isContinuationRun(StackTraceElement f) {
        return "run".equals(f.getMethodName()) && "jdk.internal.vm.Continuation".equals(f.getClassName());
    }

    /*
     * Frames of the thread running a task's continuation, newest first, cut at the innermost continuation's
     * start: what lies below is the loop (or, for an eager task's first step, its creator).
     */
    static StackTraceElement[] ownFrames(StackTraceElement[] threadFrames) {
        StackTraceElement[] own = segment(threadFrames, 0);
        return own != null ? own : NO_FRAMES;
    }
}
