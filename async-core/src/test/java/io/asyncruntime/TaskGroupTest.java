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
