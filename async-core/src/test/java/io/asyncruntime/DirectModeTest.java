package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.internal.Continuations;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link EngineMode#DIRECT} asked for explicitly: what it trades and keeps. Every execution of the build runs these;
 * where the JVM lacks {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} (the FAST and PORTABLE ones) each
 * test asserts instead that asking for DIRECT is a clear error naming that flag.
 */
class DirectModeTest {

    /* A DIRECT loop on virtual time, or null after asserting the error when this JVM cannot have one. */
    private static EventLoop directLoop() {
        if (!Continuations.isAvailable()) {
            assertThatThrownBy(() -> EventLoop.builder().mode(EngineMode.DIRECT).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED");
            return null;
        }
        EventLoop loop = EventLoop.builder().mode(EngineMode.DIRECT).clock(new ManualClock()).build();
        assertThat(loop.engineMode()).isEqualTo(EngineMode.DIRECT);
        return loop;
    }

    private static <T> T run(EventLoop loop, Coroutine<T> main) {
        try {
            return loop.runUntilComplete(main);
        } finally {
            Async.cancelAllTasks(loop);
            loop.close();
        }
    }

    @Test
    void tasksRunOnTheLoopThreadItself() {
        EventLoop loop = directLoop();
        if (loop == null) {
            return;
        }
        Thread me = Thread.currentThread();
        List<Boolean> onLoopThread = run(loop, () -> {
            List<Boolean> out = new ArrayList<>();
            out.add(Thread.currentThread() == me);
            Task<Boolean> child = Async.createTask(() -> {
                Async.sleep(0.01);
                return Thread.currentThread() == me;
            });
            out.add(child.await());
            return out;
        });
        assertThat(onLoopThread).containsExactly(true, true);
    }

    @Test
    void blockingCallsSuspendIsRefusedAtBuild() {
        if (!Continuations.isAvailable()) {
            assertThat(directLoop()).isNull();
            return;
        }
        assertThatThrownBy(() -> EventLoop.builder().mode(EngineMode.DIRECT).blockingCallsSuspend(true).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("blockingCallsSuspend needs FAST mode")
                .hasMessageContaining("DIRECT");
    }

    @Test
    void anEagerTaskRunsNestedInItsCreatorsStepAsTheCurrentTask() {
        EventLoop loop = directLoop();
        if (loop == null) {
            return;
        }
        List<String> log = run(loop, () -> {
            List<String> out = new ArrayList<>();
            Task<?> creator = Async.currentTask().orElseThrow();
            EventLoop l = Async.getRunningLoop();
            Task<String> quick = l.createTask(() -> {
                Task<?> me = Async.currentTask().orElseThrow();
                out.add("quick runs as itself: " + (me != creator && l.currentTask().orElseThrow() == me));
                return "done at once";
            }, "quick", true);
            out.add("after quick, current is the creator: " + (Async.currentTask().orElseThrow() == creator));
            out.add("quick is done without a step of its own: " + quick.done() + " " + quick.result());
            Future<String> gate = l.createFuture();
            Task<String> slow = l.createTask(() -> {
                out.add("slow first step");
                String v = gate.await();
                out.add("slow resumed by the loop, current is slow: "
                        + (Async.currentTask().orElseThrow().getName().equals("slow")));
                return v;
            }, "slow", true);
            out.add("slow suspended, creator goes on: " + !slow.done());
            gate.setResult("later");
            out.add("slow's result: " + slow.await());
            return out;
        });
        assertThat(log).containsExactly(
                "quick runs as itself: true",
                "after quick, current is the creator: true",
                "quick is done without a step of its own: true done at once",
                "slow first step",
                "slow suspended, creator goes on: true",
                "slow resumed by the loop, current is slow: true",
                "slow's result: later");
    }

    @Test
    void aBurstOfTasksThatNeverSuspendRunsOnOneContinuationWithoutASwitch() {
        EventLoop loop = directLoop();
        if (loop == null) {
            return;
        }
        // White-box: the continuation that ran each task (its carrier's), and the loop's idle carriers after.
        List<Object> seen = run(loop, () -> {
            List<Object> continuations = new ArrayList<>();
            List<Task<Integer>> burst = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int k = i;
                burst.add(Async.createTask(() -> {
                    continuations.add(((DirectTaskRunner) Async.currentTask().orElseThrow().runner).liveContinuation());
                    return k;
                }));
            }
            int sum = 0;
            for (Task<Integer> t : burst) {
                sum += t.await();
            }
            List<Object> out = new ArrayList<>();
            out.add(sum);
            out.add(continuations.stream().distinct().count());
            out.add(Async.getRunningLoop().directCarriers.size());
            return out;
        });
        assertThat(seen).containsExactly(4950, 1L, 1);
    }

    private static final Object MONITOR = new Object();

    @Test
    void anAwaitInsideSynchronizedSuspendsAndTheTaskKeepsTheMonitorUntilItLeaves() {
        EventLoop loop = directLoop();
        if (loop == null) {
            return;
        }
        // JDK 25 lets a continuation yield while it holds a monitor (JEP 491): the await works, and the monitor
        // stays the suspended task's until it leaves the block, as a lock held across an await in asyncio.
        List<String> log = run(loop, () -> {
            List<String> out = new ArrayList<>();
            Task<String> holder = Async.createTask(() -> {
                synchronized (MONITOR) {
                    Async.sleep(0.01);
                    out.add("holder resumed inside the block");
                }
                return "left";
            });
            Async.sleep(0.001);
            Thread other = Thread.ofPlatform().start(() -> {
                synchronized (MONITOR) {
                    out.add("another thread got the monitor");
                }
            });
            other.join(50); // a blocking call: holds the loop, so the holder cannot leave meanwhile
            out.add("other thread still waits: " + other.isAlive());
            String left = holder.await();
            other.join();
            out.add(left);
            return out;
        });
        assertThat(log).containsExactly("other thread still waits: true", "holder resumed inside the block",
                "another thread got the monitor", "left");
    }

    @Test
    void aSuspendedTasksStackComesFromItsContinuationAndARunningOnesFromTheLoopThread() {
        EventLoop loop = directLoop();
        if (loop == null) {
            return;
        }
        List<String> stacks = run(loop, () -> {
            Future<Void> gate = Async.getRunningLoop().createFuture();
            Task<Void> waiter = Async.createTask(() -> waitHere(gate), "waiter");
            Async.sleep(0);
            List<String> out = new ArrayList<>();
            out.add(String.valueOf(waiter.getStack().getLast().getMethodName()));
            java.util.concurrent.atomic.AtomicReference<List<StackTraceElement>> fromAnotherThread =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> fromAnotherThread.set(waiter.getStack()));
            t.join();
            out.add(fromAnotherThread.get().getLast().getMethodName());
            Task<?> me = Async.currentTask().orElseThrow();
            List<StackTraceElement> own = me.getStack();
            out.add(own.getLast().getMethodName().contains("lambda") + " " + own.stream()
                    .noneMatch(f -> f.getClassName().startsWith("org.junit")));
            gate.setResult(null);
            waiter.await();
            out.add(waiter.getStack().toString());
            return out;
        });
        assertThat(stacks).containsExactly("waitHere", "waitHere", "true true", "[]");
    }

    @Test
    void stacksReadFromAnotherThreadWhileTheLoopSwitchesAreNeverTornAndNeverStopIt() throws Exception {
        EventLoop loop = directLoop();
        if (loop == null) {
            return;
        }
        // The JDK holds a continuation mounted while another thread walks it, and refuses to run it meanwhile:
        // the step waits for the walk, the walk of a running task falls back to the loop thread's stack.
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Task<?>> watched = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            while (!done.get()) {
                for (Task<?> t : watched) {
                    try {
                        for (StackTraceElement f : t.getStack()) {
                            if (f.getClassName().startsWith("org.junit")) {
                                throw new AssertionError("the loop's frames in a task's stack: " + f);
                            }
                        }
                        reads.incrementAndGet();
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }
            }
        });
        int rounds = run(loop, () -> {
            Task<Integer> a = Async.createTask(() -> {
                for (int i = 0; i < 20_000; i++) {
                    Async.sleep(0);
                }
                return 20_000;
            }, "a");
            Task<Integer> b = Async.createTask(() -> {
                for (int i = 0; i < 20_000; i++) {
                    Async.sleep(0);
                }
                return 20_000;
            }, "b");
            watched.add(a);
            watched.add(b);
            watched.add(Async.currentTask().orElseThrow());
            return a.await() + b.await();
        });
        done.set(true);
        reader.join();
        assertThat(rounds).isEqualTo(40_000);
        assertThat(errors).isEmpty();
        assertThat(reads.get()).isPositive();
    }

    private static Void waitHere(Future<Void> gate) {
        return gate.await();
    }

    @Test
    void closingTheLoopUnwindsAnAbandonedTaskOnTheClosingThread() {
        EventLoop loop = directLoop();
        if (loop == null) {
            return;
        }
        loop.setExceptionHandler((l, c) -> { });
        List<String> log = new ArrayList<>();
        Future<Void> started = loop.createFuture();
        Task<Void> task = loop.createTask(() -> {
            started.setResult(null);
            try {
                Async.getRunningLoop().createFuture().await();
            } catch (CancelledError e) {
                log.add("await raised: " + e.getMessage());
                throw e;
            } finally {
                log.add("finally ran on the closing thread");
                try {
                    Async.sleep(1); // an await once unwound: suspends for good, it does not hang close()
                } finally {
                    log.add("never");
                }
            }
            return null;
        });
        loop.runUntilComplete(started);
        loop.close();
        assertThat(task.cancelled()).isTrue();
        assertThat(log).hasSize(2);
        assertThat(log.get(0)).startsWith("await raised: event loop");
        assertThat(log.get(1)).isEqualTo("finally ran on the closing thread");
    }
}
