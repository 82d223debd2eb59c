package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Edges of the body forms ({@link TaskGroup#run}, {@link Async#timeout(Duration, Coroutine)}): their mixing
 * with the try-with-resources forms, eager children, {@link Context#run} refusing an entered context, and
 * groups nested until the stack overflows.
 * Each test gives the CPython 3.13 program it follows and that program's output.
 */
class ScopeBodyFormEdgeTest {

    private static int cancelling() {
        return Async.currentTask().orElseThrow().cancelling();
    }

    private static double now() {
        return Async.getRunningLoop().time();
    }

    /* The shape of an exception tree, e.g. EG[IllegalArgumentException, EG[ArithmeticException]]. Iterative in
       depth only through the first branch, so it cannot itself overflow on the shallow trees used here. */
    private static String shape(Throwable e) {
        if (e instanceof ExceptionGroup eg) {
            return "EG" + eg.exceptions().stream().map(ScopeBodyFormEdgeTest::shape).toList();
        }
        return e == null ? "nothing" : e.getClass().getSimpleName();
    }

    private static Coroutine<Void> failAfter(double seconds, RuntimeException e) {
        return () -> {
            Async.sleep(seconds);
            throw e;
        };
    }

    private static Coroutine<Void> failsInFinally(RuntimeException e) {
        return () -> {
            try {
                Async.sleep(10);
            } finally {
                throw e;
            }
        };
    }

    /*
     * python3.13:
     *   async with TaskGroup() as tg:
     *       tg.create_task(sleep(1))
     *       async with timeout(0.1):
     *           await sleep(1)
     * -> ExceptionGroup [TimeoutError], cancelling() 0 (the timeout's TimeoutError is a failure of the body).
     */
    @Test
    void aTryWithResourcesTimeoutExpiringInsideTheBodyFormIsCollectedInTheGroup() {
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            Throwable t = catchThrowable(() -> TaskGroup.run(tg -> {
                tg.createTask(() -> Async.sleep(Duration.ofSeconds(1), null));
                try (Timeout ignored = Async.timeout(Duration.ofMillis(100))) {
                    Async.sleep(1);
                }
                return null;
            }));
            seen.add(shape(t) + " cancelling " + cancelling());
            return null;
        });
        assertThat(seen).containsExactly("EG[TimeoutError] cancelling 0");
    }

    /*
     * python3.13:
     *   async with TaskGroup() as outer:
     *       c = outer.create_task(sleep(1))
     *       async with TaskGroup() as inner:
     *           inner.create_task(fail_after(0.1, ValueError("inner")))
     *           await sleep(1)
     * -> ExceptionGroup [ExceptionGroup [ValueError]], c cancelled, cancelling() 0.
     */
    @Test
    void aTryWithResourcesGroupFailingInsideTheBodyFormIsNestedInTheOuterGroup() {
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            Task<?>[] c = new Task<?>[1];
            Throwable t = catchThrowable(() -> TaskGroup.run(outer -> {
                c[0] = outer.createTask(() -> Async.sleep(Duration.ofSeconds(1), null));
                try (TaskGroup inner = new TaskGroup()) {
                    inner.createTask(failAfter(0.1, new IllegalArgumentException("inner")));
                    Async.sleep(1);
                }
                return null;
            }));
            seen.add(shape(t) + " c cancelled " + c[0].cancelled() + " cancelling " + cancelling());
            return null;
        });
        assertThat(seen).containsExactly("EG[EG[IllegalArgumentException]] c cancelled true cancelling 0");
    }

    /*
     * python3.13:
     *   async with TaskGroup() as outer:
     *       outer.create_task(fail_after(0.1, ValueError("outer")))
     *       async with TaskGroup() as inner:
     *           inner.create_task(fails_in_finally(ZeroDivisionError()))   # sleep(10), raises in finally
     *           await sleep(1)
     * -> ExceptionGroup [ValueError, ExceptionGroup [ZeroDivisionError]] at 0.1, cancelling() 0.
     * With the outer group in try-with-resources form too: the inner body-form group joins the outer group's
     * ExceptionGroup, which was already on its way out of the body: the same tree.
     */
    @Test
    void anOuterTryWithResourcesGroupsFailureIsNotLostWhenAnInnerBodyFormGroupFailsInCleanup() {
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            Throwable t = catchThrowable(() -> {
                try (TaskGroup outer = new TaskGroup()) {
                    outer.createTask(failAfter(0.1, new IllegalArgumentException("outer")));
                    TaskGroup.run(inner -> {
                        inner.createTask(failsInFinally(new ArithmeticException("inner")));
                        return Async.sleep(Duration.ofSeconds(1), null);
                    });
                }
            });
            seen.add(shape(t) + " cancelling " + cancelling() + " at " + now());
            return null;
        });
        assertThat(seen).containsExactly("EG[IllegalArgumentException, EG[ArithmeticException]] cancelling 0 at 0.1");
    }

    /*
     * python3.13 (loop.set_task_factory(asyncio.eager_task_factory)):
     *   async def fail_now(): raise ValueError("now")
     *   async with TaskGroup() as tg:
     *       tg.create_task(fail_now())
     *       try: tg.create_task(sleep(1)); print("second create ok")
     *       except RuntimeError as e: print("second create RuntimeError", e)
     *       try: await sleep(0); print("sleep0 ok")
     *       except CancelledError: print("body cancelled at", t())
     * -> second create RuntimeError TaskGroup <TaskGroup errors=1 cancelling> is shutting down
     *    body cancelled at 0.0
     *    ExceptionGroup (ValueError('now'),), cancelling() 0
     * (3.13's create_task runs _on_task_done at once for a child that is already done.)
     */
    @Test
    void anEagerChildThatFailsAtOnceShutsTheGroupDownBeforeCreateTaskReturns() {
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            Async.getRunningLoop().setEagerStart(true);
            try {
                TaskGroup.run(tg -> {
                    tg.createTask(() -> {
                        throw new IllegalArgumentException("now");
                    });
                    try {
                        tg.createTask(() -> Async.sleep(Duration.ofSeconds(1), null));
                        seen.add("second create ok");
                    } catch (IllegalStateException e) {
                        seen.add("second create refused: " + e.getMessage());
                    }
                    try {
                        Async.sleep(0);
                        seen.add("sleep0 ok");
                    } catch (CancelledError e) {
                        seen.add("body cancelled at " + now());
                    }
                    return null;
                });
            } catch (ExceptionGroup eg) {
                seen.add(shape(eg) + " cancelling " + cancelling());
            } finally {
                Async.getRunningLoop().setEagerStart(false);
            }
            return null;
        });
        assertThat(seen).containsExactly("second create refused: TaskGroup <TaskGroup errors=1 cancelling> is shutting down",
                "body cancelled at 0.0", "EG[IllegalArgumentException] cancelling 0");
    }

    /*
     * python3.13:
     *   task = asyncio.current_task(); other = contextvars.Context()
     *   other.run(lambda: task.get_context().run(lambda: "entered"))
     * -> RuntimeError: cannot enter context: <_contextvars.Context object at ...> is already entered
     * (the task's step runs inside task_ctx.run, so it stays entered while another context is entered on top).
     */
    @Test
    void aTasksOwnContextCannotBeEnteredFromInsideAnotherContextsRun() {
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            Task<?> task = Async.currentTask().orElseThrow();
            Context other = new Context();
            Throwable t = catchThrowable(() -> seen.add(other.run(() -> task.getContext().run(() -> "entered"))));
            seen.add("thrown " + (t == null ? null : t.getClass().getSimpleName()));
            return null;
        });
        assertThat(seen).containsExactly("thrown IllegalStateException");
    }

    /*
     * python3.13 (inside a task, while it runs a step):
     *   ctx = asyncio.current_task().get_context()
     *   def other():
     *       try: ctx.run(lambda: res.append("entered"))
     *       except RuntimeError: res.append("RuntimeError")
     *   th = threading.Thread(target=other); th.start(); th.join()
     * -> ['RuntimeError'].
     */
    @Test
    void anotherThreadCannotEnterTheContextOfATaskThatIsRunning() {
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            Context ctx = Async.currentTask().orElseThrow().getContext();
            Thread th = Thread.ofPlatform().start(() -> {
                try {
                    ctx.run(() -> seen.add("entered"));
                } catch (IllegalStateException e) {
                    seen.add("refused");
                }
            });
            th.join(60_000); // the task blocks in its step on purpose, as the Python program's join() does
            return null;
        });
        assertThat(seen).containsExactly("refused");
    }

    private static Object groupsForever(int n) throws Exception {
        return TaskGroup.run(tg -> groupsForever(n + 1));
    }

    /*
     * python3.13 (async def rec(n): async with TaskGroup(): await rec(n + 1)) ends in an ExceptionGroup nested
     * ~1000 deep around a RecursionError; str(eg) is "unhandled errors in a TaskGroup (1 sub-exception)" and
     * traceback printing stops at max_group_depth=10. Here every scope is cleaned up (cancelling() 0, a later
     * sleep is not interrupted), and the group prints: its message summarises a nested group without descending.
     */
    @Test
    void anExceptionGroupFromGroupsNestedUntilTheStackOverflowedCanBePrinted() {
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            Throwable t = catchThrowable(() -> groupsForever(0));
            Throwable innermost = t;
            while (innermost instanceof ExceptionGroup eg) {
                innermost = eg.exceptions().get(0);
            }
            seen.add("innermost " + innermost.getClass().getSimpleName() + " cancelling " + cancelling());
            Async.sleep(11);
            seen.add("slept to " + now());
            Throwable printing = catchThrowable(t::toString);
            seen.add("toString " + (printing == null ? "ok" : printing.getClass().getSimpleName()));
            return null;
        });
        assertThat(seen).containsExactly("innermost StackOverflowError cancelling 0", "slept to 11.0", "toString ok");
    }

    /*
     * python3.13 (loop.set_exception_handler records c["message"]):
     *   r = create_task(rec(0))                      # async def rec(n): async with TaskGroup(): await rec(n + 1)
     *   r.add_done_callback(lambda f: f.result())
     *   try: await r  except BaseException as e: print("awaited", type(e).__name__)
     *   await sleep(1); print("slept", seen); return "main done"
     * -> awaited ExceptionGroup / slept ['handler: Exception in callback main.<locals>.<lam'] / main done.
     */
    @Test
    void aDoneCallbackFailingWithADeeplyNestedGroupIsReportedAndTheLoopRunsOn() {
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        EventLoop loop = Loops.virtual();
        loop.setExceptionHandler((l, c) -> seen.add("handler: " + c.message().substring(0, Math.min(21, c.message().length()))));
        Object[] result = new Object[1];
        Throwable run;
        try {
            run = catchThrowable(() -> result[0] = loop.runUntilComplete(() -> {
                Task<Object> r = Async.createTask(() -> groupsForever(0));
                r.addDoneCallback(f -> f.result());
                catchThrowable(r::await);
                seen.add("awaited");
                Async.sleep(1);
                seen.add("slept to " + now());
                return "main done";
            }));
        } finally {
            Async.cancelAllTasks(loop);
            loop.close();
        }
        assertThat(run).isNull();
        assertThat(result[0]).isEqualTo("main done");
        assertThat(seen).contains("awaited", "slept to 1.0", "handler: Exception in callback");
    }
}
