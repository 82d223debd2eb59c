package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Eager start (asyncio 3.12's eager task factory, 3.14's {@code eager_start}): the new task's coroutine runs
 * inside {@code createTask} until it first suspends. Expected orders checked on CPython 3.13.0 with
 * {@code loop.set_task_factory(asyncio.eager_task_factory)}.
 */
class EagerStartTest {
    private final Loops.Log log = new Loops.Log();

    private Coroutine<Integer> child(int n, boolean suspend) {
        return () -> {
            log.add("child" + n + " start in " + Async.currentTask().orElseThrow().getName());
            if (suspend) {
                Async.sleep(0);
                log.add("child" + n + " after suspend");
            }
            return n;
        };
    }

    @Test
    void aCoroutineThatNeverSuspendsIsDoneWhenCreateTaskReturns() {
        int result = Loops.runVirtual(() -> {
            Task<Integer> t = Async.createTask(child(1, false), "c1", true);
            log.add("after create c1 done=" + t.done());
            return t.result();
        });
        assertThat(result).isEqualTo(1);
        assertThat(log.lines()).containsExactly("child1 start in c1", "after create c1 done=true");
    }

    @Test
    void aCoroutineRunsUntilItsFirstSuspensionThenTheCreatorGoesOn() {
        Loops.runVirtual(() -> {
            Task<Integer> t = Async.createTask(child(2, true), "c2", true);
            log.add("after create c2 done=" + t.done());
            return t.await();
        });
        assertThat(log.lines()).containsExactly("child2 start in c2", "after create c2 done=false", "child2 after suspend");
    }

    @Test
    void withoutEagerStartTheCoroutineWaitsForTheLoop() {
        Loops.runVirtual(() -> {
            Task<Integer> t = Async.createTask(child(3, false), "c3", false);
            log.add("after create c3 done=" + t.done());
            return t.await();
        });
        assertThat(log.lines()).containsExactly("after create c3 done=false", "child3 start in c3");
    }

    @Test
    void nothingElseRunsBetweenTheCreatorAndTheEagerStep() {
        Loops.runVirtual(() -> {
            Task<Void> sibling = Async.createTask(() -> {
                log.add("sibling ran");
                return null;
            }, "sibling");
            Async.createTask(child(4, true), "c4", true);
            log.add("creator goes on");
            sibling.await();
            Async.sleep(0.01);
            return null;
        });
        assertThat(log.lines()).containsExactly("child4 start in c4", "creator goes on", "sibling ran", "child4 after suspend");
    }

    @Test
    void theLoopDefaultAppliesToEveryTaskCreatedOnIt() {
        EventLoop loop = Loops.virtual();
        loop.setEagerStart(true);
        assertThat(loop.getEagerStart()).isTrue();
        try {
            List<Object> out = loop.runUntilComplete(() -> {
                Task<Integer> t = Async.createTask(child(5, false), "c5");
                log.add("after create c5 done=" + t.done());
                return Async.gather(child(6, false), child(7, true)).await();
            });
            assertThat(out).containsExactly(6, 7);
        } finally {
            loop.close();
        }
        // gather's tasks start eagerly too: both first steps run inside gather(), before it is awaited
        assertThat(log.lines()).satisfiesExactly(
                l -> assertThat(l).isEqualTo("child5 start in c5"),
                l -> assertThat(l).isEqualTo("after create c5 done=true"),
                l -> assertThat(l).startsWith("child6 start in Task-"),
                l -> assertThat(l).startsWith("child7 start in Task-"),
                l -> assertThat(l).isEqualTo("child7 after suspend"));
    }

    @Test
    void fromACallbackTheStepRunsNestedInTheCallback() {
        EventLoop loop = Loops.virtual();
        List<String> order = new ArrayList<>();
        try {
            loop.runUntilComplete(() -> {
                Future<Void> done = Async.getRunningLoop().createFuture();
                Async.getRunningLoop().callSoon(() -> {
                    Task<Integer> t = Async.getRunningLoop().createTask(child(8, true), "c8", true);
                    order.add("callback goes on, done=" + t.done());
                    t.addDoneCallback(f -> done.setResult(null));
                });
                done.await();
                return null;
            });
        } finally {
            loop.close();
        }
        assertThat(log.lines()).containsExactly("child8 start in c8", "child8 after suspend");
        assertThat(order).containsExactly("callback goes on, done=false");
    }

    @Test
    void aFailureInTheEagerStepIsTheTasksOutcome() {
        IllegalStateException boom = new IllegalStateException("boom");
        Throwable outcome = Loops.runVirtual(() -> {
            Task<Void> t = Async.createTask(() -> {
                throw boom;
            }, "failing", true);
            return t.done() ? t.exception() : null;
        });
        assertThat(outcome).isSameAs(boom);
    }

    @Test
    void onALoopThatIsNotRunningTheTaskIsScheduledAsUsual() {
        EventLoop loop = Loops.virtual();
        try {
            Task<Integer> t = loop.createTask(child(9, false), "c9", true);
            assertThat(t.done()).isFalse();
            assertThat(log.lines()).isEmpty();
            assertThat(loop.runUntilComplete(t)).isEqualTo(9);
        } finally {
            loop.close();
        }
    }

    // ------------------------------------------------------------------ nested and pinned creators

    /*
     * From a callback, an eager task whose first step creates another eager task: the inner task's step runs, then
     * the outer step goes on to its end before the callback's createTask returns (asyncio 3.12+: A start, B start,
     * A after B, then the callback goes on). Both engines.
     */
    @Test
    void eagerFromACallbackRunsTheWholeFirstStepEvenWhenItStartsAnotherEagerTask() {
        EventLoop loop = Loops.quietRealTime();
        Future<Object> done = loop.createFuture();
        loop.callSoon(() -> {
            Task<Integer> a = loop.createTask(() -> {
                log.add("A start");
                Async.createTask(() -> {
                    log.add("B start");
                    return 2;
                }, "B", true);
                log.add("A after B");
                Async.sleep(0);
                return 1;
            }, "A", true);
            log.add("callback after createTask(A)");
            a.addDoneCallback(f -> done.setResult(null));
        });
        loop.runUntilComplete(done);
        loop.close();
        assertThat(log.lines()).containsExactly("A start", "B start", "A after B", "callback after createTask(A)");
    }

    static final Coroutine<Integer> SEVEN = () -> 7;

    /* Its class initializer runs on the task's virtual thread, which is pinned while it runs. */
    static final class CreatesEagerTaskInClassInit {
        static final Task<Integer> MADE = Async.createTask(SEVEN, "made-in-clinit", true);

        static Task<Integer> made() {
            return MADE;
        }
    }

    /*
     * FAST: a creator whose virtual thread is pinned (here inside a class initializer; a native frame does the
     * same) cannot yield the loop to the new task; the task still runs, eagerly or failing that as a normally
     * scheduled task, instead of being lost pending for ever.
     */
    @Test
    void eagerStartFromAPinnedCreatorDoesNotLoseTheTask() {
        EventLoop loop = Loops.quietRealTime();
        String state = loop.runUntilComplete(() -> {
            Task<Integer> made = CreatesEagerTaskInClassInit.made();
            Async.sleep(0.5);
            return made.toString();
        });
        loop.close();
        assertThat(state).contains("finished").contains("result=7");
    }
}
