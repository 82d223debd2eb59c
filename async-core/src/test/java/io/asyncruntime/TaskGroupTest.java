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
            @SuppressWarnings({"unchecked", "rawtypes"})
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
            @SuppressWarnings({"unchecked", "rawtypes"})
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

    // ------------------------------------------------------------------ more ports of test_taskgroups.py

    private static double now() {
        return Async.getRunningLoop().time();
    }

    static final class MyExc extends RuntimeException {
        MyExc() {
            super("MyExc");
        }
    }

    /* test_taskgroup_08/11/12's foo(): sleeps 10 s, and fails in its finally block (so also when cancelled). */
    private static Coroutine<Void> failsInFinally(int[] ran) {
        return () -> {
            try {
                Async.sleep(10);
            } finally {
                ran[0]++;
                throw new ArithmeticException("/ by zero");
            }
        };
    }

    /* The CancelledError a task was cancelled with, as awaiting it raises it. */
    private static CancelledError cancelledErrorOf(Task<?> t) {
        Throwable outcome = org.assertj.core.api.Assertions.catchThrowable(t::await);
        assertThat(outcome).isInstanceOf(CancelledError.class);
        assertThat(t.cancelled()).isTrue();
        return (CancelledError) outcome;
    }

    @Test
    void taskgroup08() { // test_taskgroup_08
        // python3.13: cancelled at 0.1, the five children fail in their finally blocks: r raises
        // ExceptionGroup[5 x ZeroDivisionError] at 0.1 and is not cancelled. Java-forced (TaskGroup's javadoc):
        // the body got the CancelledError at its await before any child failed, and close() cannot replace it,
        // so r ends cancelled and the group (all five failures) is a suppressed exception of its CancelledError.
        int[] ran = new int[1];
        Loops.runVirtual(() -> {
            Task<Void> r = Async.createTask(() -> {
                try (TaskGroup g = new TaskGroup()) {
                    for (int i = 0; i < 5; i++) {
                        g.createTask(failsInFinally(ran));
                    }
                    Async.sleep(10);
                }
                return null;
            });
            Async.sleep(0.1);
            assertThat(r.done()).isFalse();
            r.cancel();
            assertThat(cancelledErrorOf(r).getSuppressed()).singleElement().isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(eg.exceptions()).hasSize(5).allMatch(ArithmeticException.class::isInstance));
            assertThat(now()).isEqualTo(0.1);
            return null;
        });
        assertThat(ran[0]).isEqualTo(5);
    }

    private static void bodyFailsWhileChildrenRun(boolean sleepFirst) {
        Loops.runVirtual(() -> {
            List<Task<String>> t = new ArrayList<>();
            assertThatThrownBy(() -> {
                try (TaskGroup g = new TaskGroup()) {
                    t.add(g.createTask(after(1, "42")));
                    t.add(g.createTask(after(2, "11")));
                    if (sleepFirst) {
                        Async.sleep(0.1);
                    }
                    throw new ArithmeticException("/ by zero");
                }
            }).isExactlyInstanceOf(ArithmeticException.class);
            assertThat(t).extracting(Task::result).containsExactly("42", "11");
            assertThat(now()).isEqualTo(2.0);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void taskgroup09() { // test_taskgroup_09
        // python3.13: the body raises ZeroDivisionError after 0.1 s: ExceptionGroup[ZeroDivisionError] at 0.1,
        // t1 and t2 cancelled. Java-forced (TaskGroup's javadoc): close() cannot see an exception the body throws
        // itself, so it awaits the children (t1 42, t2 11) and the ArithmeticException leaves as is, at 2.0.
        bodyFailsWhileChildrenRun(true);
    }

    @Test
    void taskgroup10() { // test_taskgroup_10
        // python3.13: as 09 without the sleep: ExceptionGroup[ZeroDivisionError] at once, t1 and t2 cancelled.
        // Java-forced, as 09: the children finish (42, 11) and the ArithmeticException leaves at 2.0.
        bodyFailsWhileChildrenRun(false);
    }

    @Test
    void taskgroup11() { // test_taskgroup_11
        // python3.13: an inner group of five failing-in-finally children, cancelled at 0.1: r raises
        // ExceptionGroup[ExceptionGroup[5 x ZeroDivisionError]]. Java-forced, as 08: the inner group's failures
        // are a suppressed ExceptionGroup of the CancelledError, which the (empty) outer group lets through.
        int[] ran = new int[1];
        Loops.runVirtual(() -> {
            Task<Void> r = Async.createTask(() -> {
                try (TaskGroup ignored = new TaskGroup()) {
                    try (TaskGroup g2 = new TaskGroup()) {
                        for (int i = 0; i < 5; i++) {
                            g2.createTask(failsInFinally(ran));
                        }
                        Async.sleep(10);
                    }
                }
                return null;
            });
            Async.sleep(0.1);
            assertThat(r.done()).isFalse();
            r.cancel();
            assertThat(cancelledErrorOf(r).getSuppressed()).singleElement().isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(eg.exceptions()).hasSize(5).allMatch(ArithmeticException.class::isInstance));
            assertThat(now()).isEqualTo(0.1);
            return null;
        });
        assertThat(ran[0]).isEqualTo(5);
    }

    @Test
    void taskgroup12() { // test_taskgroup_12
        // python3.13: as 11, the outer group holding a sleeping child too: the same nested ExceptionGroup, the
        // sleeper cancelled. Java-forced, as 11: CancelledError with the inner group suppressed; the sleeper
        // is cancelled by the outer group's close(), which sees the cancellation from outside.
        int[] ran = new int[1];
        Loops.runVirtual(() -> {
            List<Task<String>> sleeper = new ArrayList<>();
            Task<Void> r = Async.createTask(() -> {
                try (TaskGroup g1 = new TaskGroup()) {
                    sleeper.add(g1.createTask(after(10, "slept")));
                    try (TaskGroup g2 = new TaskGroup()) {
                        for (int i = 0; i < 5; i++) {
                            g2.createTask(failsInFinally(ran));
                        }
                        Async.sleep(10);
                    }
                }
                return null;
            });
            Async.sleep(0.1);
            assertThat(r.done()).isFalse();
            r.cancel();
            assertThat(cancelledErrorOf(r).getSuppressed()).singleElement().isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(eg.exceptions()).hasSize(5).allMatch(ArithmeticException.class::isInstance));
            assertThat(sleeper.get(0).cancelled()).isTrue();
            assertThat(now()).isEqualTo(0.1);
            return null;
        });
        assertThat(ran[0]).isEqualTo(5);
    }

    @Test
    void taskgroup14() { // test_taskgroup_14
        // python3.13: the inner group's child fails at 0.1: ExceptionGroup[ExceptionGroup[ValueError(0.1)]] at
        // 0.1, the outer group's 10 s child cancelled. Java-forced (TaskGroup's javadoc): the outer close() cannot
        // see the inner group's ExceptionGroup leaving its body (the body could have caught it, as in
        // nestedGroupsBothCancelled), so it awaits its child, which fails at 10: the inner group propagates,
        // with the outer group's failure suppressed.
        Loops.runVirtual(() -> {
            Task<Void> r = Async.createTask(() -> {
                try (TaskGroup g1 = new TaskGroup()) {
                    g1.createTask(raiseAfter(10, new IllegalArgumentException("10")));
                    try (TaskGroup g2 = new TaskGroup()) {
                        g2.createTask(raiseAfter(0.1, new IllegalArgumentException("0.1")));
                    }
                }
                return null;
            });
            Throwable outcome = org.assertj.core.api.Assertions.catchThrowable(r::await);
            assertThat(outcome).isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(eg.exceptions()).singleElement().satisfies(e -> assertThat(e).hasMessage("0.1")));
            // (an ExceptionGroup's members are its suppressed exceptions too, for the logs: leave them out)
            assertThat(outcome.getSuppressed()).filteredOn(ExceptionGroup.class::isInstance).singleElement()
                    .isInstanceOfSatisfying(ExceptionGroup.class, eg -> assertThat(eg.exceptions()).singleElement()
                            .satisfies(e -> assertThat(e).hasMessage("10")));
            assertThat(now()).isEqualTo(10.0);
            return null;
        });
    }

    @Test
    void taskgroup18() { // test_taskgroup_18
        // python3.13: the body turns the CancelledError into MyExc: ExceptionGroup[MyExc], NUM == 10, r failed
        // (not cancelled). Java-forced (TaskGroup's javadoc): close() cannot see the body's own exception, so
        // MyExc leaves as is; r failed with it (not cancelled), NUM == 10.
        int[] num = new int[1];
        Loops.runVirtual(() -> {
            Task<Void> r = Async.createTask(() -> {
                try (TaskGroup ignored = new TaskGroup()) {
                    try {
                        Async.sleep(10);
                    } catch (CancelledError e) {
                        num[0] += 10;
                        throw new MyExc();
                    }
                }
                return null;
            });
            Async.sleep(0.1);
            assertThat(r.done()).isFalse();
            r.cancel();
            assertThatThrownBy(r::await).isInstanceOf(MyExc.class);
            assertThat(r.cancelled()).isFalse();
            return null;
        });
        assertThat(num[0]).isEqualTo(10);
    }

    /*
     * test_taskgroup_19/20a/21a: a child fails at 0.1 while the body awaits in nested(), whose finally block
     * raises. Java-forced (TaskGroup's javadoc): the child's failure reaches the body as the ExceptionGroup at
     * nested()'s await, and Java's finally replaces it with its own exception, which leaves the group as is.
     */
    private static void childFailsWhileNestedRaisesInFinally(Throwable childFailure, Throwable finallyFailure) {
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            Task<Void> r = Async.createTask(() -> {
                try (TaskGroup g = new TaskGroup()) {
                    g.createTask(() -> {
                        Async.sleep(0.1);
                        throw io.asyncruntime.internal.Throwables.sneakyThrow(childFailure);
                    });
                    try { // nested()
                        Async.sleep(10);
                    } catch (ExceptionGroup eg) {
                        seen.add("nested() got " + eg.exceptions().stream().map(e -> e.getClass().getSimpleName()).toList());
                        throw eg;
                    } finally {
                        throw io.asyncruntime.internal.Throwables.sneakyThrow(finallyFailure);
                    }
                }
            });
            assertThatThrownBy(r::await).isSameAs(finallyFailure);
            assertThat(now()).isEqualTo(0.1);
            return null;
        });
        assertThat(seen).containsExactly("nested() got [" + childFailure.getClass().getSimpleName() + "]");
    }

    @Test
    void taskgroup19() { // test_taskgroup_19
        // python3.13: ExceptionGroup[ZeroDivisionError, MyExc] at 0.1. Java-forced: MyExc, the child's failure
        // having reached nested() as the group (see above).
        childFailsWhileNestedRaisesInFinally(new ArithmeticException("/ by zero"), new MyExc());
    }

    @Test
    void taskgroup20a() { // test_taskgroup_20a
        // python3.13: nested() raises MyBaseExc (a BaseException): BaseExceptionGroup[ZeroDivisionError,
        // MyBaseExc]. Java has no BaseException; its analogue, an Error, leaves as 19's MyExc does.
        childFailsWhileNestedRaisesInFinally(new ArithmeticException("/ by zero"), new FatalError());
    }

    @Test
    void taskgroup21a() { // test_taskgroup_21a
        // python3.13: the child raises MyBaseExc, nested() TypeError: BaseExceptionGroup[MyBaseExc, TypeError].
        // Java: the child's Error is collected like any failure (see aChildsErrorIsCollectedLikeAnyOtherFailure)
        // and reaches nested() in the group; its finally's exception (TypeError's analogue) leaves as is.
        childFailsWhileNestedRaisesInFinally(new FatalError(), new IllegalArgumentException("TypeError"));
    }

    private static int tasksIn(TaskGroup g) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" tasks=(\\d+)").matcher(g.toString());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    @Test
    void taskgroup23() { // test_taskgroup_23: finished children leave the group (read from its repr)
        // python3.13: fewer than 5 tasks held after the sixth 0.1 s step (4 there), none after 1.35 s more.
        Loops.runVirtual(() -> {
            try (TaskGroup g = new TaskGroup()) {
                for (int count = 0; count < 10; count++) {
                    Async.sleep(0.1);
                    g.createTask(after(0.3, null));
                    if (count == 5) {
                        assertThat(tasksIn(g)).isBetween(1, 4);
                    }
                }
                Async.sleep(1.35);
                assertThat(tasksIn(g)).isZero();
                assertThat(g).hasToString("<TaskGroup entered>");
            }
            return null;
        });
    }

    @Test
    void taskgroupTaskName() { // test_taskgroup_task_name
        Loops.runVirtual(() -> {
            try (TaskGroup g = new TaskGroup()) {
                Task<String> t = g.createTask(after(0, null), "yolo");
                assertThat(t.getName()).isEqualTo("yolo");
            }
            return null;
        });
    }

    @Test
    void taskgroupTaskContext() { // test_taskgroup_task_context
        // python3.13: create_task(coro, context=ctx) runs the child in ctx itself: ctx.get(cvar) None, 1, 2.
        ContextVar<Integer> cvar = new ContextVar<>("cvar");
        Loops.runVirtual(() -> {
            try (TaskGroup g = new TaskGroup()) {
                Context ctx = Context.copyContext();
                assertThat(ctx.get(cvar, null)).isNull();
                Task<Void> t1 = g.createTask(setAfterYield(cvar, 1), null, ctx);
                t1.await();
                assertThat(ctx.get(cvar, null)).isEqualTo(1);
                Task<Void> t2 = g.createTask(setAfterYield(cvar, 2), null, ctx);
                t2.await();
                assertThat(ctx.get(cvar, null)).isEqualTo(2);
                assertThat(t2.getContext()).isSameAs(ctx);
            }
            assertThat(cvar.get(null)).isNull(); // the creator's own context is untouched
            return null;
        });
    }

    private static Coroutine<Void> setAfterYield(ContextVar<Integer> cvar, int value) {
        return () -> {
            Async.sleep(0);
            cvar.set(value);
            return null;
        };
    }

    static final class CustomException extends RuntimeException {
        CustomException(String message) {
            super(message);
        }
    }

    @Test
    void taskgroupContextManagerExitRaises() { // test_taskgroup_context_manager_exit_raises (gh-95289)
        // python3.13: a child fails at once while an async context manager inside the group raises on exit:
        // except* CustomException sees both (child, db), and cancelling() is 0. Java's context manager is a
        // resource whose close() throws: the group's ExceptionGroup (the child's) is raised at the body's await,
        // the resource's failure is suppressed onto it, and cancelling() is 0.
        Loops.runVirtual(() -> {
            Task<Void> main = Async.createTask(() -> {
                Throwable caught = null;
                try (TaskGroup tg = new TaskGroup(); AutoCloseable database = () -> {
                    throw new CustomException("db");
                }) {
                    tg.createTask(() -> {
                        throw new CustomException("child");
                    });
                    Async.sleep(1);
                } catch (ExceptionGroup eg) {
                    caught = eg;
                }
                assertThat(cancelling()).isZero();
                assertThat(caught).isInstanceOfSatisfying(ExceptionGroup.class,
                        eg -> assertThat(eg.exceptions()).singleElement().satisfies(e -> assertThat(e).hasMessage("child")));
                // (an ExceptionGroup's members are its suppressed exceptions too, for the logs)
                assertThat(caught.getSuppressed()).extracting(Throwable::getMessage).containsExactlyInAnyOrder("child", "db");
                return null;
            });
            main.await();
            return null;
        });
    }

    @Test
    void taskgroupAlreadyEntered() { // test_taskgroup_already_entered
        // Not applicable as such: a TaskGroup is entered when it is made, so no second entry exists (asyncio:
        // RuntimeError "has already been entered"). The Java analogue is a second try-with-resources over the
        // open group: its close() ends the group there (awaiting the children), the group then refuses new
        // tasks as finished, and the first close() does nothing.
        Loops.runVirtual(() -> {
            Task<String> child;
            try (TaskGroup tg = new TaskGroup()) {
                child = tg.createTask(after(1, "child"));
                try (TaskGroup again = tg) {
                    assertThat(again).hasToString("<TaskGroup tasks=1 entered>");
                }
                assertThat(child.result()).isEqualTo("child");
                assertThatThrownBy(() -> tg.createTask(after(1, "late"))).isInstanceOf(IllegalStateException.class)
                        .hasMessage("TaskGroup <TaskGroup entered> is finished");
            }
            assertThat(now()).isEqualTo(1.0);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void taskgroupDoubleEnter() { // test_taskgroup_double_enter
        // Not applicable as such (asyncio: entering a used group again raises "has already been entered"); the
        // Java analogue is closing twice: the second close() does nothing, and does not raise the group's
        // ExceptionGroup again.
        Loops.runVirtual(() -> {
            TaskGroup tg = new TaskGroup();
            tg.createTask(raiseAfter(0, new IllegalStateException("RuntimeError")));
            assertThatThrownBy(tg::close).isInstanceOf(ExceptionGroup.class);
            tg.close();
            assertThat(tg).hasToString("<TaskGroup errors=1 cancelling>");
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void taskgroupNotEntered() { // test_taskgroup_not_entered
        // Not applicable as such: a group exists only entered (asyncio: create_task on a group not yet entered
        // raises "has not been entered" and closes the coroutine). The Java analogue: a new group takes tasks at
        // once, and a finished one refuses them without ever calling the coroutine.
        Loops.runVirtual(() -> {
            boolean[] called = new boolean[1];
            TaskGroup tg = new TaskGroup();
            assertThat(tg).hasToString("<TaskGroup entered>");
            Task<String> t = tg.createTask(after(0, "at once"));
            tg.close();
            assertThat(t.result()).isEqualTo("at once");
            assertThatThrownBy(() -> tg.createTask(() -> called[0] = true)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is finished");
            Async.sleep(0);
            assertThat(called[0]).isFalse();
            return null;
        });
    }

    @Test
    void taskgroupWithoutParentTask() { // test_taskgroup_without_parent_task
        // python3.13: entering a group outside a task raises RuntimeError "...cannot determine the parent task";
        // the group then refuses tasks. Here the constructor (the entry) refuses, so no group object exists.
        EventLoop loop = Loops.virtual();
        List<Throwable> seen = new ArrayList<>();
        loop.callSoon(() -> {
            try {
                new TaskGroup();
            } catch (IllegalStateException e) {
                seen.add(e);
            }
        });
        loop.callSoon(loop::stop);
        loop.runForever();
        loop.close();
        assertThat(seen).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("parent task"));
    }

    @Test
    void coroClosedWhenTgClosed() { // test_coro_closed_when_tg_closed
        // python3.13: create_task after the group finished raises "TaskGroup <TaskGroup entered> is finished" and
        // closes the coroutine. Here: the same message; the coroutine is never called and no task is made.
        Loops.runVirtual(() -> {
            boolean[] called = new boolean[1];
            TaskGroup tg;
            try (TaskGroup g = new TaskGroup()) {
                tg = g;
            }
            int before = Async.allTasks().size();
            assertThatThrownBy(() -> tg.createTask(() -> called[0] = true)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("TaskGroup <TaskGroup entered> is finished");
            assertThat(Async.allTasks()).hasSize(before);
            Async.sleep(0);
            assertThat(called[0]).isFalse();
            return null;
        });
    }

    @Test
    void errorAndCancel() { // test_error_and_cancel
        // python3.13: the child fails right after the parent was cancelled from outside: the body's group
        // raises ExceptionGroup[RuntimeError] (cancelling() 1 in except* and after it), the next sleep raises
        // CancelledError, and the task ends cancelled.
        Loops.runVirtual(() -> {
            List<String> seen = new ArrayList<>();
            Future<Void> event = Async.getRunningLoop().createFuture();
            Task<Void> t = Async.createTask(() -> {
                try (TaskGroup tg = new TaskGroup()) {
                    tg.createTask(() -> {
                        event.setResult(null);
                        Async.sleep(0);
                        throw new IllegalStateException("RuntimeError");
                    });
                    Async.sleep(1);
                    seen.add("sleep in group not cancelled");
                } catch (ExceptionGroup eg) {
                    seen.add("group, cancelling " + cancelling());
                }
                seen.add("after, cancelling " + cancelling());
                Async.sleep(1);
                seen.add("sleep after group not cancelled");
                return null;
            });
            event.await();
            assertThat(t.cancelling()).isZero();
            t.cancel();
            assertThat(t.cancelling()).isEqualTo(1);
            assertThatThrownBy(t::await).isInstanceOf(CancelledError.class);
            assertThat(t.cancelled()).isTrue();
            assertThat(seen).containsExactly("group, cancelling 1", "after, cancelling 1");
            return null;
        });
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

    // ------------------------------------------------------------------ the body form, TaskGroup.run(body)
    // asyncio's rules exactly: the cases above that Java's try-with-resources cannot match, with python3.13's outcomes.

    private static List<String> names(ExceptionGroup eg) {
        return eg.exceptions().stream().map(e -> e.getClass().getSimpleName()).toList();
    }

    @Test
    void theBodyFormRaisesEachNestedGroupsOwnFailure() {
        // The failing input with TaskGroup.run, both orders: as nestedGroupsEachRaiseTheirOwnFailure.
        for (boolean innerFirst : new boolean[] {false, true}) {
            List<String> seen = new ArrayList<>();
            Loops.runVirtual(() -> {
                try {
                    TaskGroup.run(outer -> {
                        try {
                            TaskGroup.run(inner -> {
                                if (innerFirst) {
                                    inner.createTask(raiseAfter(0.1, new InnerFailure()));
                                    outer.createTask(raiseAfter(0.1, new OuterFailure()));
                                } else {
                                    outer.createTask(raiseAfter(0.1, new OuterFailure()));
                                    inner.createTask(raiseAfter(0.1, new InnerFailure()));
                                }
                                Async.sleep(1);
                                return null;
                            });
                        } catch (ExceptionGroup eg) {
                            seen.add("inner " + names(eg) + " cancelling " + cancelling());
                        }
                        try {
                            Async.sleep(0.5);
                            seen.add("slept the full 0.5 s");
                        } catch (CancelledError e) {
                            seen.add("sleep cancelled at " + Async.getRunningLoop().time());
                            throw e;
                        }
                        return null;
                    });
                } catch (ExceptionGroup eg) {
                    seen.add("outer " + names(eg) + " cancelling " + cancelling());
                }
                return null;
            });
            assertThat(seen).as("inner first: %s", innerFirst).containsExactly("inner [InnerFailure] cancelling 1",
                    "sleep cancelled at 0.1", "outer [OuterFailure] cancelling 0");
        }
    }

    @Test
    void theBodyFormCollectsFailuresInCleanupAfterAnOutsideCancel() {
        // test_taskgroup_08 with the body form: ExceptionGroup[5 x ZeroDivisionError] at 0.1, r not cancelled.
        int[] ran = new int[1];
        Loops.runVirtual(() -> {
            Task<Void> r = Async.createTask(() -> TaskGroup.run(g -> {
                for (int i = 0; i < 5; i++) {
                    g.createTask(failsInFinally(ran));
                }
                Async.sleep(10);
                return null;
            }));
            Async.sleep(0.1);
            r.cancel();
            Throwable outcome = org.assertj.core.api.Assertions.catchThrowable(r::await);
            assertThat(outcome).isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(eg.exceptions()).hasSize(5).allMatch(ArithmeticException.class::isInstance));
            assertThat(r.cancelled()).isFalse();
            assertThat(now()).isEqualTo(0.1);
            return null;
        });
        assertThat(ran[0]).isEqualTo(5);
    }

    @Test
    void theBodyFormCancelsTheChildrenWhenTheBodyThrowsAndRaisesItInTheGroup() {
        // test_taskgroup_09 and _10 with the body form: ExceptionGroup[ZeroDivisionError] at 0.1 (09) or at once
        // (10), both children cancelled.
        for (boolean sleepFirst : new boolean[] {true, false}) {
            Loops.runVirtual(() -> {
                List<Task<String>> t = new ArrayList<>();
                Throwable outcome = org.assertj.core.api.Assertions.catchThrowable(() -> TaskGroup.run(g -> {
                    t.add(g.createTask(after(1, "42")));
                    t.add(g.createTask(after(2, "11")));
                    if (sleepFirst) {
                        Async.sleep(0.1);
                    }
                    throw new ArithmeticException("/ by zero");
                }));
                assertThat(outcome).isInstanceOfSatisfying(ExceptionGroup.class,
                        eg -> assertThat(names(eg)).containsExactly("ArithmeticException"));
                assertThat(t).allMatch(Task::cancelled);
                assertThat(now()).isEqualTo(sleepFirst ? 0.1 : 0.0);
                assertThat(cancelling()).isZero();
                return null;
            });
        }
    }

    @Test
    void theBodyFormNestsGroupsOfCleanupFailures() {
        // test_taskgroup_11 with the body form: ExceptionGroup[ExceptionGroup[5 x ZeroDivisionError]].
        int[] ran = new int[1];
        Loops.runVirtual(() -> {
            Task<Void> r = Async.createTask(() -> TaskGroup.run(g1 -> TaskGroup.run(g2 -> {
                for (int i = 0; i < 5; i++) {
                    g2.createTask(failsInFinally(ran));
                }
                Async.sleep(10);
                return null;
            })));
            Async.sleep(0.1);
            r.cancel();
            Throwable outcome = org.assertj.core.api.Assertions.catchThrowable(r::await);
            assertThat(outcome).isInstanceOfSatisfying(ExceptionGroup.class, eg -> assertThat(eg.exceptions())
                    .singleElement().isInstanceOfSatisfying(ExceptionGroup.class, inner ->
                            assertThat(inner.exceptions()).hasSize(5).allMatch(ArithmeticException.class::isInstance)));
            return null;
        });
        assertThat(ran[0]).isEqualTo(5);
    }

    @Test
    void theBodyFormRaisesAnInnerGroupsFailureThroughTheOuterGroupAtOnce() {
        // test_taskgroup_14 with the body form: ExceptionGroup[ExceptionGroup[ValueError(0.1)]] at 0.1, the
        // outer group's 10 s child cancelled.
        Loops.runVirtual(() -> {
            List<Task<Void>> slow = new ArrayList<>();
            Throwable outcome = org.assertj.core.api.Assertions.catchThrowable(() -> TaskGroup.run(g1 -> {
                slow.add(g1.createTask(raiseAfter(10, new IllegalArgumentException("10"))));
                return TaskGroup.run(g2 -> g2.createTask(raiseAfter(0.1, new IllegalArgumentException("0.1"))));
            }));
            assertThat(outcome).isInstanceOfSatisfying(ExceptionGroup.class, eg -> assertThat(eg.exceptions())
                    .singleElement().isInstanceOfSatisfying(ExceptionGroup.class, inner ->
                            assertThat(inner.exceptions()).singleElement().satisfies(e -> assertThat(e).hasMessage("0.1"))));
            assertThat(slow).allMatch(Task::cancelled);
            assertThat(now()).isEqualTo(0.1);
            return null;
        });
    }

    @Test
    void theBodyFormCollectsTheExceptionTheBodyRaisesWhileCancelled() {
        // test_taskgroup_18 with the body form: ExceptionGroup[MyExc], NUM 10, r failed (not cancelled).
        int[] num = new int[1];
        Loops.runVirtual(() -> {
            Task<Object> r = Async.createTask(() -> TaskGroup.run(g -> {
                try {
                    Async.sleep(10);
                } catch (CancelledError e) {
                    num[0] += 10;
                    throw new MyExc();
                }
                return null;
            }));
            Async.sleep(0.1);
            r.cancel();
            Throwable outcome = org.assertj.core.api.Assertions.catchThrowable(r::await);
            assertThat(outcome).isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(names(eg)).containsExactly("MyExc"));
            assertThat(r.cancelled()).isFalse();
            return null;
        });
        assertThat(num[0]).isEqualTo(10);
    }

    @Test
    void theBodyFormReturnsTheBodysValueOnceEveryChildIsDone() {
        Loops.runVirtual(() -> {
            List<Task<String>> t = new ArrayList<>();
            String value = TaskGroup.run(g -> {
                t.add(g.createTask(after(1, "a")));
                t.add(g.createTask(after(2, "b")));
                return "body";
            });
            assertThat(value).isEqualTo("body");
            assertThat(t).extracting(Task::result).containsExactly("a", "b");
            assertThat(now()).isEqualTo(2.0);
            assertThatThrownBy(() -> TaskGroup.run(null)).isInstanceOf(NullPointerException.class).hasMessage("body");
            return null;
        });
        assertThatThrownBy(() -> TaskGroup.run(g -> "x")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no running event loop");
        EventLoop loop = Loops.virtual();
        try {
            // In a loop callback, outside any task (asyncio: RuntimeError "... parent task").
            Throwable[] seen = new Throwable[1];
            loop.callSoon(() -> {
                seen[0] = org.assertj.core.api.Assertions.catchThrowable(() -> TaskGroup.run(g -> "x"));
                loop.stop();
            });
            loop.runForever();
            assertThat(seen[0]).isInstanceOf(IllegalStateException.class).hasMessageContaining("parent task");
        } finally {
            loop.close();
        }
    }

    @Test
    void theBodyFormPropagatesAnOutsideCancelOnceTheChildrenAreDone() {
        // test_cancellation with the body form: the children are cancelled, r ends cancelled.
        Loops.runVirtual(() -> {
            List<Task<String>> t = new ArrayList<>();
            Task<Object> r = Async.createTask(() -> TaskGroup.run(g -> {
                t.add(g.createTask(after(10, "a")));
                Async.sleep(10);
                return null;
            }));
            Async.sleep(0.1);
            r.cancel();
            cancelledErrorOf(r);
            assertThat(t).allMatch(Task::cancelled);
            return null;
        });
    }

    @Test
    void theBodyFormsOfTimeoutAndGroupTogetherRaiseTheCleanupFailure() {
        // test_timeout_taskgroup with both body forms: ExceptionGroup[ZeroDivisionError] (the timeout sees a
        // group, not a CancelledError, and lets it through); cancelling() 0 after.
        Loops.runVirtual(() -> {
            Throwable outcome = org.assertj.core.api.Assertions.catchThrowable(() ->
                    Async.timeout(Duration.ofMillis(10), () -> TaskGroup.run(tg -> {
                        tg.createTask(() -> {
                            try {
                                Async.sleep(2);
                            } finally {
                                throw new ArithmeticException("/ by zero");
                            }
                        });
                        try {
                            throw new IllegalArgumentException("value");
                        } finally {
                            Async.sleep(1);
                        }
                    })));
            assertThat(outcome).isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(names(eg)).containsExactly("ArithmeticException"));
            assertThat(cancelling()).isZero();
            assertThat(now()).isEqualTo(0.01);
            return null;
        });
    }

    @Test
    void theBodyFormLetsAnEnclosingTryWithResourcesTimeoutReportItsExpiry() {
        // A body-form group inside a try-with-resources timeout that expires: the children are cancelled and the
        // timeout's TimeoutError leaves (asyncio: the group lets the CancelledError through, the timeout converts).
        Loops.runVirtual(() -> {
            List<Task<String>> t = new ArrayList<>();
            assertThatThrownBy(() -> {
                try (Timeout ignored = Async.timeout(Duration.ofMillis(100))) {
                    TaskGroup.run(g -> {
                        t.add(g.createTask(after(10, "a")));
                        return Async.sleep(Duration.ofSeconds(10), "body");
                    });
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(t).allMatch(Task::cancelled);
            assertThat(now()).isEqualTo(0.1);
            assertThat(cancelling()).isZero();
            return null;
        });
    }
}
