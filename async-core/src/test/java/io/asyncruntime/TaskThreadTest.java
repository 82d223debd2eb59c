package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A task's thread is its own from its first step until it is done; in FAST mode it then serves later tasks
 * ({@link TaskThread}), so nothing a task leaves on its thread may reach the next one. The build runs these
 * in both modes; where FAST reuses a thread the tests check that it did, so that they test the reuse.
 */
class TaskThreadTest {
    private static final ThreadLocal<String> LOCAL = new ThreadLocal<>();
    private static final InheritableThreadLocal<String> INHERITABLE = new InheritableThreadLocal<>();
    private static final ContextVar<String> VAR = new ContextVar<>("var", "unset");

    private static boolean fast() {
        return EngineMode.configuredDefault() == EngineMode.FAST;
    }

    /* DIRECT: no thread per task; every task runs on the loop thread (with thread locals of its own). */
    private static boolean direct() {
        return EngineMode.configuredDefault() == EngineMode.DIRECT;
    }

    /* What a task sees of its thread when it starts, before it touches anything. */
    private record Seen(Thread thread, String local, String inheritable, boolean interrupted, String name,
            ClassLoader loader, Thread.UncaughtExceptionHandler handler, ThreadGroup group, String var) {
        static Seen now() {
            Thread t = Thread.currentThread();
            return new Seen(t, LOCAL.get(), INHERITABLE.get(), t.isInterrupted(), t.getName(),
                    t.getContextClassLoader(), t.getUncaughtExceptionHandler(), t.getThreadGroup(), VAR.get());
        }
    }

    /* A task that looks at its thread, then leaves everything it can on it. */
    private static Coroutine<Seen> litter(int n) {
        return () -> {
            Seen seen = Seen.now();
            Thread t = Thread.currentThread();
            LOCAL.set("local of task " + n);
            INHERITABLE.set("inheritable of task " + n);
            VAR.set("var of task " + n);
            t.setContextClassLoader(new ClassLoader() { });
            t.setUncaughtExceptionHandler((thread, e) -> { });
            t.setName("renamed by task " + n);
            t.interrupt();
            return seen;
        };
    }

    @Test
    void aTaskFindsItsThreadAsNewWhateverEarlierTasksLeftOnIt() {
        if (direct()) {
            // DIRECT, documented: a task's thread is the loop thread, but its thread locals (inheritable ones too)
            // are its own, as on a thread of its own: the loop swaps them in and out at each step. Nor does the
            // code that runs the loop see the tasks' (nor they its own).
            List<String> seen = Loops.runVirtual(() -> {
                Thread loopThread = Thread.currentThread();
                List<String> out = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    int n = i;
                    out.add(Async.createTask(() -> {
                        String s = (Thread.currentThread() == loopThread) + " " + LOCAL.get() + " "
                                + INHERITABLE.get() + " " + VAR.get();
                        LOCAL.set("local of task " + n);
                        INHERITABLE.set("inheritable of task " + n);
                        VAR.set("var of task " + n);
                        Async.sleep(0); // a suspension in between: its values come back with it
                        return s + " / after an await: " + LOCAL.get() + ", " + INHERITABLE.get();
                    }).await());
                }
                out.add("main sees " + LOCAL.get() + " " + INHERITABLE.get() + " " + VAR.get());
                return out;
            });
            assertThat(seen).containsExactly(
                    "true null null unset / after an await: local of task 0, inheritable of task 0",
                    "true null null unset / after an await: local of task 1, inheritable of task 1",
                    "true null null unset / after an await: local of task 2, inheritable of task 2",
                    "main sees null null unset");
            assertThat(LOCAL.get()).as("the thread that ran the loop").isNull();
            return;
        }
        List<Seen> seen = Loops.runVirtual(() -> {
            List<Task<Seen>> tasks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                tasks.add(Async.createTask(litter(i))); // one burst: FAST runs them back to back on one thread
            }
            List<Seen> out = new ArrayList<>();
            for (Task<Seen> t : tasks) {
                out.add(t.await());
            }
            for (int i = 0; i < 50; i++) {
                out.add(Async.createTask(litter(i)).await()); // one at a time: a thread from the pool
            }
            return out;
        });
        ClassLoader loader = seen.get(0).loader();
        for (Seen s : seen) {
            assertThat(s.local()).isNull();
            assertThat(s.inheritable()).isNull();
            assertThat(s.var()).isEqualTo("unset");
            assertThat(s.interrupted()).isFalse();
            assertThat(s.name()).isEmpty();
            assertThat(s.loader()).isSameAs(loader);
            assertThat(s.handler()).isSameAs(s.group()); // no handler of its own
        }
        long threads = seen.stream().map(Seen::thread).distinct().count();
        if (fast()) {
            assertThat(threads).as("threads for 100 tasks that never suspend").isLessThanOrEqualTo(2);
        } else {
            assertThat(threads).isEqualTo(100);
        }
    }

    @Test
    void aThreadServesALaterTaskOnlyOnceItsTaskIsDone() {
        List<String> log = Loops.runVirtual(() -> {
            Future<Void> gate = Async.getRunningLoop().createFuture();
            List<String> out = new ArrayList<>();
            Thread[] threads = new Thread[3];
            Task<Void> waiter = Async.createTask(() -> {
                threads[0] = Thread.currentThread();
                gate.await();
                return null;
            }, "waiter");
            Task<Void> quick = Async.createTask(() -> {
                threads[1] = Thread.currentThread();
                return null;
            }, "quick");
            quick.await();
            gate.setResult(null);
            waiter.await();
            Task<Void> later = Async.createTask(() -> {
                threads[2] = Thread.currentThread();
                out.add("later before suspending: '" + Thread.currentThread().getName() + "'");
                Async.sleep(0.01); // a real suspension names the thread (sleep(0) only yields)
                out.add("later suspended once: '" + Thread.currentThread().getName() + "'");
                return null;
            }, "later");
            later.await();
            if (direct()) {
                Thread me = Thread.currentThread();
                out.clear();
                out.add("all on the loop thread: " + (threads[0] == me && threads[1] == me && threads[2] == me));
                out.add("waiter's stack now: " + waiter.getStack());
                return out;
            }
            out.add("waiter and quick share a thread: " + (threads[0] == threads[1]));
            out.add("waiter's stack now: " + waiter.getStack());
            return out;
        });
        if (direct()) {
            assertThat(log).containsExactly("all on the loop thread: true", "waiter's stack now: []");
            return;
        }
        assertThat(log).containsExactly("later before suspending: ''", "later suspended once: 'later (task "
                + log.get(1).replaceAll("\\D", "") + ")'", "waiter and quick share a thread: false",
                "waiter's stack now: []");
    }

    @Test
    void theStackOfADoneTaskIsNotTheStackOfTheTaskItsThreadServesNow() {
        Loops.runVirtual(() -> {
            Future<Void> gate = Async.getRunningLoop().createFuture();
            Thread[] threads = new Thread[2];
            Task<Void> first = Async.createTask(() -> {
                threads[0] = Thread.currentThread();
                return null;
            });
            first.await();
            Task<Void> second = Async.createTask(() -> {
                threads[1] = Thread.currentThread();
                gate.await();
                return null;
            });
            Async.sleep(0);
            if (fast()) {
                assertThat(threads[1]).isSameAs(threads[0]);
            }
            assertThat(first.getStack()).isEmpty();
            assertThat(second.getStack()).isNotEmpty().as("only the coroutine's own frames, none of the engine's")
                    .allMatch(f -> f.getClassName().startsWith(TaskThreadTest.class.getName()));
            gate.setResult(null);
            return second.await();
        });
    }

    @Test
    void stepsOfNewTasksKeepTheirPlaceAmongCallbacks() {
        List<String> log = Loops.runVirtual(() -> {
            List<String> out = new ArrayList<>();
            EventLoop loop = Async.getRunningLoop();
            Task<Void> a = Async.createTask(() -> {
                out.add("a");
                return null;
            });
            loop.callSoon(() -> out.add("callback"));
            Task<Void> b = Async.createTask(() -> {
                out.add("b");
                return null;
            });
            a.await();
            b.await();
            return out;
        });
        assertThat(log).containsExactly("a", "callback", "b");
    }

    @Test
    void anEagerStepFromACallbackRunsAloneEvenWhenNewTasksAreReady() {
        List<String> log = Loops.runVirtual(() -> {
            List<String> out = new ArrayList<>();
            EventLoop loop = Async.getRunningLoop();
            Future<Void> done = loop.createFuture();
            loop.callSoon(() -> {
                out.add("callback starts");
                loop.createTask(() -> {
                    out.add("eager");
                    return null;
                }, "eager", true);
                out.add("callback ends");
                done.setResult(null);
            });
            Task<Void> queued = Async.createTask(() -> {
                out.add("queued");
                return null;
            });
            done.await();
            queued.await();
            return out;
        });
        assertThat(log).containsExactly("callback starts", "eager", "callback ends", "queued");
    }

    @Test
    void closingTheLoopEndsTheThreadsItKeptForLaterTasks() throws Exception {
        EventLoop loop = Loops.virtual();
        List<Thread> threads = loop.runUntilComplete(() -> {
            List<Task<Thread>> tasks = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                tasks.add(Async.createTask(() -> {
                    Async.sleep(0); // all five suspend: five threads, kept when they are done
                    return Thread.currentThread();
                }));
            }
            List<Thread> out = new ArrayList<>();
            for (Task<Thread> t : tasks) {
                out.add(t.await());
            }
            return out;
        });
        if (fast()) {
            assertThat(loop.taskThreads.size()).as("idle threads kept").isGreaterThanOrEqualTo(5); // White-box test.
        }
        if (direct()) {
            // DIRECT keeps no threads: the tasks ran on the loop thread (this one).
            assertThat(threads).containsOnly(Thread.currentThread());
            assertThat(loop.taskThreads.size()).isZero();
            loop.close();
            return;
        }
        loop.close();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(t.isAlive()).as("thread of a closed loop, state " + t.getState()).isFalse();
        }
    }

    @Test
    void tasksThatInterleaveKeepTheirOwnThreadLocalsAcrossAwaits() {
        // Every mode: a task's thread locals are its own, whoever runs between its steps (in DIRECT all of them
        // run on the loop thread, whose maps are swapped at each step), and an eager child nested in its creator's
        // step neither sees nor clobbers the creator's.
        List<String> seen = Loops.runVirtual(() -> {
            List<String> out = new ArrayList<>();
            EventLoop loop = Async.getRunningLoop();
            List<Task<String>> tasks = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                tasks.add(Async.createTask(() -> {
                    LOCAL.set(name);
                    for (int i = 0; i < 3; i++) {
                        Async.sleep(0); // the others run in between
                    }
                    String child = loop.createTask(() -> {
                        String inherited = LOCAL.get();
                        LOCAL.set(name + "'s child");
                        return String.valueOf(inherited);
                    }, name + "-child", true).await();
                    return name + " kept " + LOCAL.get() + ", its eager child saw " + child;
                }, name));
            }
            for (Task<String> t : tasks) {
                out.add(t.await());
            }
            return out;
        });
        assertThat(seen).containsExactly("a kept a, its eager child saw null", "b kept b, its eager child saw null",
                "c kept c, its eager child saw null");
    }
}
