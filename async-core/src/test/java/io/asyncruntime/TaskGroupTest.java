package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TaskGroup, after CPython's test_taskgroups.py. */
class TaskGroupTest {

    private static Coroutine<String> after(double seconds, String value) {
        return Loops.after(seconds, value);
    }

    @Test
    void closeAwaitsEveryChild() {
        Loops.runVirtual(() -> {
            Task<String> a;
            Task<String> b;
            try (TaskGroup tg = new TaskGroup()) {
                a = tg.createTask(after(1, "a"));
                b = tg.createTask(after(2, "b"), "named-b");
                assertThat(b.getName()).isEqualTo("named-b");
            }
            assertThat(a.result()).isEqualTo("a");
            assertThat(b.result()).isEqualTo("b");
            assertThat(Async.getRunningLoop().time()).isEqualTo(2.0);
            assertThat(Async.currentTask().orElseThrow().cancelling()).isZero();
            return null;
        });
    }

    @Test
    void aFailingChildCancelsItsSiblingsAndInterruptsTheBody() {
        IllegalStateException boom = new IllegalStateException("child failed");
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            Task<String>[] sibling = new Task[1];
            ExceptionGroup caught = null;
            try (TaskGroup tg = new TaskGroup()) {
                sibling[0] = tg.createTask(() -> {
                    try {
                        return Async.sleep(Duration.ofSeconds(10), "sibling");
                    } catch (CancelledError e) {
                        seen.add("sibling cancelled at " + Async.getRunningLoop().time());
                        throw e;
                    }
                });
                tg.createTask(() -> {
                    Async.sleep(1);
                    throw boom;
                });
                Async.sleep(100);
                seen.add("body not interrupted");
            } catch (ExceptionGroup e) {
                caught = e;
            }
            assertThat(caught).isNotNull();
            assertThat(caught.exceptions()).containsExactly(boom);
            assertThat(sibling[0].cancelled()).isTrue();
            assertThat(Async.getRunningLoop().time()).isEqualTo(1.0);
            assertThat(Async.currentTask().orElseThrow().cancelling()).isZero();
            return null;
        });
        assertThat(seen).containsExactly("sibling cancelled at 1.0");
    }

    @Test
    void failuresDuringTheShutdownJoinTheSameGroup() {
        IllegalStateException first = new IllegalStateException("first");
        IllegalArgumentException second = new IllegalArgumentException("second, while being cancelled");
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> {
                try (TaskGroup tg = new TaskGroup()) {
                    tg.createTask(() -> {
                        try {
                            Async.sleep(10);
                        } catch (CancelledError e) {
                            throw second;
                        }
                        return null;
                    });
                    tg.createTask(() -> {
                        Async.sleep(1);
                        throw first;
                    });
                    Async.sleep(100);
                }
            }).isInstanceOfSatisfying(ExceptionGroup.class, g -> assertThat(g.exceptions()).containsExactly(first, second));
            return null;
        });
    }

    @Test
    void aChildFailingAfterTheBodyFinishedIsRaisedByClose() {
        IllegalStateException boom = new IllegalStateException("late failure");
        Loops.runVirtual(() -> {
            Task<String>[] sibling = new Task[1];
            assertThatThrownBy(() -> {
                try (TaskGroup tg = new TaskGroup()) {
                    sibling[0] = tg.createTask(after(10, "slow"));
                    tg.createTask(() -> {
                        Async.sleep(1);
                        throw boom;
                    });
                }
            }).isInstanceOfSatisfying(ExceptionGroup.class, g -> assertThat(g.exceptions()).containsExactly(boom));
            assertThat(sibling[0].cancelled()).isTrue();
            assertThat(Async.currentTask().orElseThrow().cancelling()).isZero();
            return null;
        });
    }

    @Test
    void cancellingTheParentCancelsTheChildrenAndPropagates() {
        Loops.runVirtual(() -> {
            List<Task<String>> children = new ArrayList<>();
            Task<Void> parent = Async.createTask(() -> {
                try (TaskGroup tg = new TaskGroup()) {
                    children.add(tg.createTask(after(10, "a")));
                    children.add(tg.createTask(after(10, "b")));
                    Async.sleep(10);
                }
                return null;
            });
            Async.sleep(1);
            parent.cancel("stop the group");
            assertThatThrownBy(parent::await).isInstanceOf(CancelledError.class);
            assertThat(parent.cancelled()).isTrue();
            assertThat(children).allMatch(Task::cancelled);
            return null;
        });
    }

    @Test
    void aChildFailingWhileTheBodyIsBeingCancelled() {
        IllegalStateException boom = new IllegalStateException("fails on cancel");
        Loops.runVirtual(() -> {
            Task<Void> parent = Async.createTask(() -> {
                try (TaskGroup tg = new TaskGroup()) {
                    tg.createTask(() -> {
                        try {
                            Async.sleep(10);
                        } catch (CancelledError e) {
                            throw boom;
                        }
                        return null;
                    });
                    Async.sleep(10);
                }
                return null;
            });
            Async.sleep(1);
            parent.cancel();
            // Errors have priority over the cancellation, as in asyncio.
            Throwable outcome = null;
            try {
                parent.await();
            } catch (Throwable e) {
                outcome = e;
            }
            assertThat(outcome).isInstanceOf(CancelledError.class);
            assertThat(outcome.getSuppressed()).singleElement().isInstanceOfSatisfying(ExceptionGroup.class,
                    g -> assertThat(g.exceptions()).containsExactly(boom));
            return null;
        });
    }

    @Test
    void aTimeoutAroundTheGroupCancelsTheChildren() {
        Loops.runVirtual(() -> {
            List<Task<String>> children = new ArrayList<>();
            assertThatThrownBy(() -> {
                try (Timeout ignored = Async.timeout(Duration.ofSeconds(1))) {
                    try (TaskGroup tg = new TaskGroup()) {
                        children.add(tg.createTask(after(10, "a")));
                        children.add(tg.createTask(after(10, "b")));
                    }
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(children).allMatch(Task::cancelled);
            assertThat(Async.getRunningLoop().time()).isEqualTo(1.0);
            assertThat(Async.currentTask().orElseThrow().cancelling()).isZero();
            return null;
        });
    }

    // ------------------------------------------------------------------ ports of test_taskgroups.py (python3.13)

    @Test
    void taskgroup01() { // test_taskgroup_01
        Loops.runVirtual(() -> {
            Task<String> t1;
            Task<String> t2;
            try (TaskGroup g = new TaskGroup()) {
                t1 = g.createTask(after(0.1, "42"));
                t2 = g.createTask(after(0.2, "11"));
            }
            assertThat(t1.result()).isEqualTo("42");
            assertThat(t2.result()).isEqualTo("11");
            return null;
        });
    }

    @Test
    void taskgroup02() { // test_taskgroup_02: a child created after the body awaited
        Loops.runVirtual(() -> {
            Task<String> t1;
            Task<String> t2;
            try (TaskGroup g = new TaskGroup()) {
                t1 = g.createTask(after(0.1, "42"));
                Async.sleep(0.15);
                t2 = g.createTask(after(0.2, "11"));
            }
            assertThat(t1.result()).isEqualTo("42");
            assertThat(t2.result()).isEqualTo("11");
            return null;
        });
    }

    @Test
    void taskgroup03() { // test_taskgroup_03: a child cancelled explicitly is not a failure
        Loops.runVirtual(() -> {
            Task<String> t1;
            Task<String> t2;
            try (TaskGroup g = new TaskGroup()) {
                t1 = g.createTask(after(1, "42"));
                Async.sleep(0.15);
                t1.cancel();
                t2 = g.createTask(after(0.2, "11"));
            }
            assertThat(t1.cancelled()).isTrue();
            assertThat(t2.result()).isEqualTo("11");
            return null;
        });
    }

    @Test
    void taskgroup04() { // test_taskgroup_04
        int[] num = new int[1];
        boolean[] t2Cancel = new boolean[1];
        Loops.runVirtual(() -> {
            List<Task<Void>> t2 = new ArrayList<>();
            Task<Void> runner = Async.createTask(() -> {
                try (TaskGroup g = new TaskGroup()) {
                    g.createTask(raiseAfter(0.1, new ArithmeticException("/ by zero")));
                    t2.add(g.createTask(() -> {
                        try {
                            Async.sleep(1);
                        } catch (CancelledError e) {
                            t2Cancel[0] = true;
                            throw e;
                        }
                        num[0] += 1;
                        return null;
                    }));
                }
                num[0] += 10;
                return null;
            });
            assertThatThrownBy(runner::await).isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(eg.exceptions()).singleElement().isInstanceOf(ArithmeticException.class));
            assertThat(t2.get(0).cancelled()).isTrue();
            return null;
        });
        assertThat(num[0]).isZero();
        assertThat(t2Cancel[0]).isTrue();
    }

    @Test
    void cancelChildrenOnChildError() { // test_cancel_children_on_child_error
        // asyncio's body sees CancelledError at its sleep; here it sees the group's ExceptionGroup there.
        int[] num = new int[1];
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            Task<Void> runner = Async.createTask(() -> {
                try (TaskGroup g = new TaskGroup()) {
                    for (int i = 0; i < 3; i++) {
                        g.createTask(raiseAfter(0.1, new ArithmeticException("/ by zero")));
                    }
                    g.createTask(() -> {
                        try {
                            Async.sleep(5);
                        } catch (CancelledError e) {
                            seen.add("t2 cancelled");
                            throw e;
                        }
                        num[0] += 1;
                        return null;
                    });
                    try {
                        Async.sleep(10);
                    } catch (ExceptionGroup e) {
                        seen.add("runner interrupted");
                        throw e;
                    }
                }
                num[0] += 10;
                return null;
            });
            assertThatThrownBy(runner::await).isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(eg.exceptions()).isNotEmpty().allMatch(ArithmeticException.class::isInstance));
            return null;
        });
        assertThat(num[0]).isZero();
        assertThat(seen).containsExactlyInAnyOrder("t2 cancelled", "runner interrupted");
    }

    @Test
    void taskgroup24() { // test_taskgroup_24: a child adds children to its own group
        Loops.runVirtual(() -> {
            List<Task<String>> grandchildren = new ArrayList<>();
            try (TaskGroup g = new TaskGroup()) {
                g.createTask(() -> {
                    Async.sleep(0.1);
                    grandchildren.add(g.createTask(after(0.1, "a")));
                    grandchildren.add(g.createTask(after(0.2, "b")));
                    return null;
                });
            }
            assertThat(grandchildren).extracting(Task::result).containsExactly("a", "b");
            assertThat(Async.getRunningLoop().time()).isEqualTo(0.3);
            return null;
        });
    }

    @Test
    void taskgroup25() { // test_taskgroup_25: hydras keep adding children until hercules fails
        int[] nhydras = new int[1];
        Loops.runVirtual(() -> {
            Task<Void> runner = Async.createTask(() -> {
                try (TaskGroup g = new TaskGroup()) {
                    g.createTask(hydra(g, nhydras));
                    g.createTask(() -> {
                        while (nhydras[0] < 10) {
                            Async.sleep(0.015);
                        }
                        throw new ArithmeticException("/ by zero");
                    });
                }
                return null;
            });
            assertThatThrownBy(runner::await).isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(eg.exceptions()).singleElement().isInstanceOf(ArithmeticException.class));
            return null;
        });
        assertThat(nhydras[0]).isGreaterThanOrEqualTo(10);
    }

    private static Coroutine<Void> hydra(TaskGroup g, int[] nhydras) {
        return () -> {
            nhydras[0]++;
            Async.sleep(0.01);
            g.createTask(hydra(g, nhydras));
            g.createTask(hydra(g, nhydras));
            return null;
        };
    }

    @Test
    void taskgroupNoCreateTaskAfterFailure() { // test_taskgroup_no_create_task_after_failure
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> {
                try (TaskGroup g = new TaskGroup()) {
                    g.createTask(raiseAfter(0.001, new ArithmeticException("/ by zero")));
                    g.createTask(() -> {
                        try {
                            Async.sleep(1);
                        } catch (CancelledError e) {
                            try {
                                g.createTask(raiseAfter(0.001, new ArithmeticException("late")));
                            } catch (IllegalStateException refused) {
                                seen.add("refused: " + refused.getMessage());
                            }
                        }
                        return null;
                    });
                }
            }).isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(eg.exceptions()).singleElement().isInstanceOf(ArithmeticException.class));
            return null;
        });
        assertThat(seen).singleElement().asString().contains("shutting down");
    }

    @Test
    void taskgroupFinished() { // test_taskgroup_finished
        Loops.runVirtual(() -> {
            TaskGroup tg = new TaskGroup();
            tg.close();
            assertThatThrownBy(() -> tg.createTask(after(0, "late"))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is finished");
            return null;
        });
    }

    // ------------------------------------------------------------------ per-scope cancellation (asyncio 3.13)

    private static int cancelling() {
        return Async.currentTask().orElseThrow().cancelling();
    }

    private static Coroutine<Void> raiseAfter(double seconds, RuntimeException e) {
        return () -> {
            Async.sleep(seconds);
            throw e;
        };
    }

    static final class OuterFailure extends RuntimeException {
        OuterFailure() {
            super("outer");
        }
    }

    static final class InnerFailure extends RuntimeException {
        InnerFailure() {
            super("inner");
        }
    }

    /*
     * The failing input of issue 11. python3.13, both orders: the inner block raises a group holding only
     * InnerFailure (cancelling() is 1 after it), the next sleep is interrupted at once (t=0.1), and the outer
     * group raises a group holding only OuterFailure, cancelling() back to 0.
     */
    private static void nestedGroupsEachRaiseTheirOwnFailure(boolean innerCreatedFirst) {
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            try (TaskGroup outer = new TaskGroup()) {
                try (TaskGroup inner = new TaskGroup()) {
                    if (innerCreatedFirst) {
                        inner.createTask(raiseAfter(0.1, new InnerFailure()));
                        outer.createTask(raiseAfter(0.1, new OuterFailure()));
                    } else {
                        outer.createTask(raiseAfter(0.1, new OuterFailure()));
                        inner.createTask(raiseAfter(0.1, new InnerFailure()));
                    }
                    Async.sleep(1);
                } catch (ExceptionGroup eg) {
                    seen.add("inner " + eg.exceptions().stream().map(e -> e.getClass().getSimpleName()).toList()
                            + " cancelling " + cancelling());
                }
                try {
                    Async.sleep(0.5);
                    seen.add("slept the full 0.5 s");
                } catch (ExceptionGroup eg) {
                    seen.add("sleep interrupted at " + Async.getRunningLoop().time());
                    throw eg;
                }
            } catch (ExceptionGroup eg) {
                seen.add("outer " + eg.exceptions().stream().map(e -> e.getClass().getSimpleName()).toList()
                        + " cancelling " + cancelling());
            }
            return null;
        });
        assertThat(seen).containsExactly("inner [InnerFailure] cancelling 1", "sleep interrupted at 0.1",
                "outer [OuterFailure] cancelling 0");
    }

    @Test
    void nestedGroupsEachRaiseTheirOwnFailureOuterChildCreatedFirst() {
        nestedGroupsEachRaiseTheirOwnFailure(false);
    }

    @Test
    void nestedGroupsEachRaiseTheirOwnFailureInnerChildCreatedFirst() {
        nestedGroupsEachRaiseTheirOwnFailure(true);
    }

    @Test
    void cancellation() { // test_cancellation
        int[] num = new int[1];
        Loops.runVirtual(() -> {
            Task<Void> r = Async.createTask(() -> {
                try (TaskGroup g = new TaskGroup()) {
                    for (int i = 0; i < 5; i++) {
                        g.createTask(() -> {
                            try {
                                return Async.sleep(Duration.ofSeconds(5), null);
                            } catch (CancelledError e) {
                                num[0]++;
                                throw e;
                            }
                        });
                    }
                }
                return null;
            });
            Async.sleep(0.1);
            assertThat(r.done()).isFalse();
            r.cancel();
            assertThatThrownBy(r::await).isInstanceOf(CancelledError.class);
            return null;
        });
        assertThat(num[0]).isEqualTo(5);
    }

    @Test
    void taskgroup07() { // test_taskgroup_07: the body and the five children all see the cancellation
        int[] num = new int[1];
        Loops.runVirtual(() -> {
            Task<Void> r = Async.createTask(() -> {
                try (TaskGroup g = new TaskGroup()) {
                    for (int i = 0; i < 5; i++) {
                        g.createTask(() -> {
                            try {
                                return Async.sleep(Duration.ofSeconds(5), null);
                            } catch (CancelledError e) {
                                num[0]++;
                                throw e;
                            }
                        });
                    }
                    try {
                        Async.sleep(10);
                    } catch (CancelledError e) {
                        num[0] += 10;
                        throw e;
                    }
                }
                return null;
            });
            Async.sleep(0.1);
            assertThat(r.done()).isFalse();
            r.cancel();
            assertThatThrownBy(r::await).isInstanceOf(CancelledError.class);
            return null;
        });
        assertThat(num[0]).isEqualTo(15);
    }

    @Test
    void taskgroup13() { // test_taskgroup_13: the outer group's failure while the inner one is closing
        Loops.runVirtual(() -> {
            Task<Void> r = Async.createTask(() -> {
                try (TaskGroup g1 = new TaskGroup()) {
                    g1.createTask(raiseAfter(0.1, new IllegalArgumentException("0.1")));
                    try (TaskGroup g2 = new TaskGroup()) {
                        g2.createTask(raiseAfter(10, new IllegalArgumentException("10")));
                    }
                }
                return null;
            });
            assertThatThrownBy(r::await).isInstanceOfSatisfying(ExceptionGroup.class, eg -> assertThat(eg.exceptions())
                    .singleElement().satisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessage("0.1")));
            assertThat(Async.getRunningLoop().time()).isEqualTo(0.1);
            return null;
        });
    }

    @Test
    void taskgroup15() { // test_taskgroup_15: a child fails while the body cleans up after a cancel()
        Loops.runVirtual(() -> {
            Task<Void> r = Async.createTask(() -> {
                try (TaskGroup g1 = new TaskGroup()) {
                    g1.createTask(raiseAfter(0.3, new ArithmeticException("/ by zero")));
                    try {
                        Async.sleep(10);
                    } catch (CancelledError e) {
                        Async.sleep(0.5);
                        throw e;
                    }
                }
                return null;
            });
            Async.sleep(0.1);
            assertThat(r.done()).isFalse();
            r.cancel();
            assertThatThrownBy(r::await).isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(eg.exceptions()).singleElement().isInstanceOf(ArithmeticException.class));
            return null;
        });
    }

    @Test
    void taskgroup16() { // test_taskgroup_16: as 15, with the group one task further down
        Loops.runVirtual(() -> {
            Task<Void> r = Async.createTask(() -> {
                Task<Void> t = Async.createTask(() -> {
                    try (TaskGroup g1 = new TaskGroup()) {
                        g1.createTask(raiseAfter(0.3, new ArithmeticException("/ by zero")));
                        try {
                            Async.sleep(10);
                        } catch (CancelledError e) {
                            Async.sleep(0.5);
                            throw e;
                        }
                    }
                    return null;
                });
                return t.await();
            });
            Async.sleep(0.1);
            assertThat(r.done()).isFalse();
            r.cancel();
            assertThatThrownBy(r::await).isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(eg.exceptions()).singleElement().isInstanceOf(ArithmeticException.class));
            return null;
        });
    }

    @Test
    void taskgroup17() { // test_taskgroup_17
        int[] num = new int[1];
        Loops.runVirtual(() -> {
            Task<Void> r = Async.createTask(() -> {
                try (TaskGroup ignored = new TaskGroup()) {
                    try {
                        Async.sleep(10);
                    } catch (CancelledError e) {
                        num[0] += 10;
                        throw e;
                    }
                }
                return null;
            });
            Async.sleep(0.1);
            assertThat(r.done()).isFalse();
            r.cancel();
            assertThatThrownBy(r::await).isInstanceOf(CancelledError.class);
            return null;
        });
        assertThat(num[0]).isEqualTo(10);
    }

    @Test
    void taskgroup22() { // test_taskgroup_22: cancelled while close() awaits the children
        Loops.runVirtual(() -> {
            Task<Void> r = Async.createTask(() -> {
                try (TaskGroup g = new TaskGroup()) {
                    g.createTask(after(1, "42"));
                    g.createTask(after(2, "11"));
                }
                return null;
            });
            Async.sleep(0.05);
            r.cancel();
            assertThatThrownBy(r::await).isInstanceOf(CancelledError.class);
            return null;
        });
    }

    @Test
    void cancellingLevelPreserved() { // test_cancelling_level_preserved
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> {
                try (TaskGroup tg = new TaskGroup()) {
                    tg.createTask(raiseAfter(0, new IllegalStateException("RuntimeError")));
                }
            }).isInstanceOf(ExceptionGroup.class);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void nestedGroupsBothCancelled() { // test_nested_groups_both_cancelled
        Loops.runVirtual(() -> {
            RuntimeException runtimeError = new IllegalStateException("RuntimeError");
            RuntimeException valueError = new IllegalArgumentException("ValueError");
            List<String> seen = new ArrayList<>();
            try (TaskGroup outerTg = new TaskGroup()) {
                try (TaskGroup innerTg = new TaskGroup()) {
                    innerTg.createTask(raiseAfter(0, runtimeError));
                    outerTg.createTask(raiseAfter(0, valueError));
                } catch (ExceptionGroup eg) {
                    assertThat(eg.exceptions()).containsExactly(runtimeError);
                    seen.add("inner");
                }
                assertThat(cancelling()).isEqualTo(1);
            } catch (ExceptionGroup eg) {
                assertThat(eg.exceptions()).containsExactly(valueError);
                seen.add("outer");
            }
            assertThat(seen).containsExactly("inner", "outer");
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void aGroupThatFailsWhileAnotherCancellationIsOutstandingLeavesTheTaskCancelled() {
        // python3.13: a child failure interrupts the body, which then also gets a cancel() from outside before
        // leaving the group: the group raises its ExceptionGroup (cancelling() == 1 after it) and the next
        // await raises CancelledError (the shape of test_error_and_cancel, with the failure noticed first).
        Loops.runVirtual(() -> {
            List<String> seen = new ArrayList<>();
            Task<Void> inner = Async.createTask(() -> {
                try (TaskGroup tg = new TaskGroup()) {
                    tg.createTask(raiseAfter(0.01, new IllegalArgumentException("ValueError")));
                    try {
                        Async.sleep(1);
                    } catch (ExceptionGroup e) {
                        Async.currentTask().orElseThrow().cancel();
                        throw e;
                    }
                } catch (ExceptionGroup eg) {
                    seen.add("group " + eg.exceptions().size() + " cancelling " + cancelling());
                }
                try {
                    Async.sleep(1);
                    seen.add("next await returned");
                } catch (CancelledError e) {
                    seen.add("next await cancelled, cancelling " + cancelling());
                    throw e;
                }
                return null;
            });
            assertThatThrownBy(inner::await).isInstanceOf(CancelledError.class);
            assertThat(inner.cancelled()).isTrue();
            assertThat(seen).containsExactly("group 1 cancelling 1", "next await cancelled, cancelling 1");
            return null;
        });
    }

    @Test
    void aTimeoutInsideAGroupGivesWayToTheGroupsFailure() {
        // python3.13: a child fails at 0.01 while the body sleeps in timeout(1): ExceptionGroup([ValueError]),
        // the timeout not expired, cancelling() 0.
        Loops.runVirtual(() -> {
            RuntimeException valueError = new IllegalArgumentException("ValueError");
            Timeout[] cm = new Timeout[1];
            assertThatThrownBy(() -> {
                try (TaskGroup tg = new TaskGroup()) {
                    tg.createTask(raiseAfter(0.01, valueError));
                    try (Timeout t = Async.timeout(Duration.ofSeconds(1))) {
                        cm[0] = t;
                        Async.sleep(10);
                    }
                }
            }).isInstanceOfSatisfying(ExceptionGroup.class, eg -> assertThat(eg.exceptions()).containsExactly(valueError));
            assertThat(cm[0].expired()).isFalse();
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void aTimeoutAroundAGroupInterruptsTheBodyAndCancelsTheChildren() {
        // python3.13: timeout(0.01) around a group whose body sleeps: TimeoutError, expired, child cancelled,
        // cancelling() 0.
        Loops.runVirtual(() -> {
            List<Task<String>> kids = new ArrayList<>();
            Timeout[] cm = new Timeout[1];
            assertThatThrownBy(() -> {
                try (Timeout t = Async.timeout(Duration.ofMillis(10))) {
                    cm[0] = t;
                    try (TaskGroup tg = new TaskGroup()) {
                        kids.add(tg.createTask(after(10, "kid")));
                        Async.sleep(10);
                    }
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(cm[0].expired()).isTrue();
            assertThat(kids).allMatch(Task::cancelled);
            assertThat(Async.getRunningLoop().time()).isEqualTo(0.01);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void aGroupEnteredWhileTheTaskIsBeingCancelled() {
        // python3.13, in `except CancelledError` after cancelling itself (cancelling() == 1): a group whose
        // child succeeds returns normally (cancelling() still 1); one whose child fails raises its group,
        // cancelling() 1 after it, and the next await raises CancelledError.
        Loops.runVirtual(() -> {
            List<String> seen = new ArrayList<>();
            Task<Void> t = Async.createTask(() -> {
                try {
                    Async.currentTask().orElseThrow().cancel();
                    Async.sleep(1);
                } catch (CancelledError e) {
                    Task<String> ok;
                    try (TaskGroup tg = new TaskGroup()) {
                        ok = tg.createTask(after(0.01, "done"));
                    }
                    seen.add(ok.result() + ", cancelling " + cancelling());
                    try (TaskGroup tg = new TaskGroup()) {
                        tg.createTask(raiseAfter(0.01, new IllegalArgumentException("ValueError")));
                        Async.sleep(10);
                    } catch (ExceptionGroup eg) {
                        seen.add("group " + eg.exceptions().size() + ", cancelling " + cancelling());
                    }
                    try {
                        Async.sleep(0);
                        seen.add("next await returned");
                    } catch (CancelledError again) {
                        seen.add("next await cancelled, cancelling " + cancelling());
                    }
                }
                return null;
            });
            t.await();
            assertThat(seen).containsExactly("done, cancelling 1", "group 1, cancelling 1",
                    "next await cancelled, cancelling 1");
            return null;
        });
    }

    @Test
    void aCancelledErrorFromAnotherTaskCaughtInTheBodyDoesNotShutTheGroupDown() {
        // python3.13: awaiting a cancelled task outside the group and catching its CancelledError in the body
        // leaves the group's child running to its result ('kid', not cancelled), cancelling() 0.
        Loops.runVirtual(() -> {
            Task<String> kid;
            try (TaskGroup tg = new TaskGroup()) {
                kid = tg.createTask(after(0.05, "kid"));
                Task<String> other = Async.createTask(after(10, "other"));
                Async.sleep(0);
                other.cancel();
                try {
                    other.await();
                } catch (CancelledError e) {
                    // not this task's cancellation
                }
            }
            assertThat(kid.result()).isEqualTo("kid");
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    static final class FatalError extends Error {
        FatalError() {
            super("fatal");
        }
    }

    @Test
    void aChildsErrorIsCollectedLikeAnyOtherFailure() {
        // A decision, not a python3.13 value: asyncio raises a child's KeyboardInterrupt/SystemExit bare
        // (test_taskgroup_20/21); nothing like them reaches a Java coroutine, so an Error is one more failure.
        Loops.runVirtual(() -> {
            FatalError fatal = new FatalError();
            RuntimeException other = new IllegalStateException("other");
            assertThatThrownBy(() -> {
                try (TaskGroup tg = new TaskGroup()) {
                    tg.createTask(raiseAfterError(0.1, fatal));
                    tg.createTask(raiseAfter(0.1, other));
                    Async.sleep(10);
                }
            }).isInstanceOfSatisfying(ExceptionGroup.class, eg -> assertThat(eg.exceptions()).containsExactly(fatal, other));
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    private static Coroutine<Void> raiseAfterError(double seconds, Error e) {
        return () -> {
            Async.sleep(seconds);
            throw e;
        };
    }

    @Test
    void misuseIsAClearError() {
        Loops.runVirtual(() -> {
            TaskGroup tg = new TaskGroup();
            tg.close();
            assertThatThrownBy(() -> tg.createTask(after(1, "late"))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("finished");
            assertThatThrownBy(() -> tg.createTask(null)).isInstanceOf(NullPointerException.class);
            tg.close();
            return null;
        });
        assertThatThrownBy(TaskGroup::new).isInstanceOf(IllegalStateException.class);
    }
}
