package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Timeout scopes, after CPython's test_timeouts.py (ported by name) and the per-scope cancellation rules of
 * asyncio 3.13. Every expected value was checked on python3.13 (3.13.0); where Java raises TimeoutError at
 * the await instead of converting CancelledError on the way out (see Timeout), the test says so.
 */
class TimeoutTest {

    private static double now() {
        return Async.getRunningLoop().time();
    }

    private static int cancelling() {
        return Async.currentTask().orElseThrow().cancelling();
    }

    @Test
    void timeoutBasic() { // test_timeout_basic
        Loops.runVirtual(() -> {
            Timeout[] cm = new Timeout[1];
            assertThatThrownBy(() -> {
                try (Timeout t = Async.timeout(Duration.ofMillis(10))) {
                    cm[0] = t;
                    Async.sleep(10);
                }
            }).isInstanceOf(TimeoutError.class).hasCauseInstanceOf(CancelledError.class);
            assertThat(cm[0].expired()).isTrue();
            assertThat(now()).isEqualTo(0.01);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void timeoutAtBasic() { // test_timeout_at_basic
        Loops.runVirtual(() -> {
            double deadline = now() + 0.01;
            Timeout[] cm = new Timeout[1];
            assertThatThrownBy(() -> {
                try (Timeout t = Async.timeoutAt(deadline)) {
                    cm[0] = t;
                    Async.sleep(10);
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(cm[0].expired()).isTrue();
            assertThat(cm[0].when()).isEqualTo(deadline);
            return null;
        });
    }

    @Test
    void nestedTimeouts() { // test_nested_timeouts
        // Both expire together: only the outermost reports TimeoutError; the inner one lets the cancellation
        // through (in asyncio the inner block sees CancelledError; here it sees the outer scope's TimeoutError).
        Loops.runVirtual(() -> {
            double deadline = now() + 0.01;
            Timeout[] cm = new Timeout[2];
            List<String> seen = new ArrayList<>();
            assertThatThrownBy(() -> {
                try (Timeout outer = Async.timeoutAt(deadline)) {
                    cm[0] = outer;
                    try (Timeout inner = Async.timeoutAt(deadline)) {
                        cm[1] = inner;
                        Async.sleep(10);
                    } catch (RuntimeException e) {
                        seen.add("through the inner scope: " + e.getClass().getSimpleName());
                        throw e;
                    }
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(seen).containsExactly("through the inner scope: TimeoutError");
            assertThat(cm[0].expired()).isTrue();
            assertThat(cm[1].expired()).isTrue();
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void waiterCancelled() { // test_waiter_cancelled
        Loops.runVirtual(() -> {
            Future<Void> waiter = Async.getRunningLoop().createFuture();
            assertThatThrownBy(() -> {
                try (Timeout ignored = Async.timeout(Duration.ofMillis(10))) {
                    waiter.await();
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(waiter.cancelled()).isTrue();
            return null;
        });
    }

    @Test
    void timeoutNotCalled() { // test_timeout_not_called
        Loops.runVirtual(() -> {
            Timeout cm;
            try (Timeout t = Async.timeout(Duration.ofSeconds(10))) {
                cm = t;
                Async.sleep(0.01);
            }
            assertThat(cm.expired()).isFalse();
            assertThat(cm.when()).isGreaterThan(now());
            return null;
        });
    }

    @Test
    void timeoutDisabled() { // test_timeout_disabled and test_timeout_at_disabled (timeoutAt takes no null)
        Loops.runVirtual(() -> {
            Timeout cm;
            try (Timeout t = Async.timeout(null)) {
                cm = t;
                Async.sleep(0.01);
            }
            assertThat(cm.expired()).isFalse();
            assertThat(cm.when()).isNull();
            return null;
        });
    }

    @Test
    void timeoutZero() { // test_timeout_zero
        Loops.runVirtual(() -> {
            double t0 = now();
            Timeout[] cm = new Timeout[1];
            assertThatThrownBy(() -> {
                try (Timeout t = Async.timeout(Duration.ZERO)) {
                    cm[0] = t;
                    Async.sleep(10);
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(cm[0].expired()).isTrue();
            assertThat(cm[0].when()).isEqualTo(t0);
            assertThat(now()).isEqualTo(t0);
            return null;
        });
    }

    @Test
    void timeoutZeroSleepZero() { // test_timeout_zero_sleep_zero
        Loops.runVirtual(() -> {
            Timeout[] cm = new Timeout[1];
            assertThatThrownBy(() -> {
                try (Timeout t = Async.timeout(Duration.ZERO)) {
                    cm[0] = t;
                    Async.sleep(0);
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(cm[0].expired()).isTrue();
            return null;
        });
    }

    @Test
    void timeoutInThePastSleepZero() { // test_timeout_in_the_past_sleep_zero
        Loops.runVirtual(() -> {
            double t0 = now();
            Timeout[] cm = new Timeout[1];
            assertThatThrownBy(() -> {
                try (Timeout t = Async.timeout(Duration.ofSeconds(-11))) {
                    cm[0] = t;
                    Async.sleep(0);
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(cm[0].expired()).isTrue();
            assertThat(cm[0].when()).isEqualTo(t0 - 11);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void aZeroTimeoutWithoutAnAwaitInsideDoesNotExpire() {
        // python3.13: `async with asyncio.timeout(0) as cm: pass` leaves cm.expired() False, raises nothing.
        Loops.runVirtual(() -> {
            Timeout cm;
            try (Timeout t = Async.timeout(Duration.ZERO)) {
                cm = t;
            }
            assertThat(cm.expired()).isFalse();
            Async.sleep(0); // the expiry scheduled for the next iteration was withdrawn by close()
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void aDeadlineInThePastOrAtMinusInfinityExpiresAtTheFirstAwait() {
        // python3.13: timeout_at(loop.time() - 5) and timeout_at(-inf) raise TimeoutError at the first await,
        // and when() keeps the value given.
        Loops.runVirtual(() -> {
            for (double when : new double[] {now() - 5, Double.NEGATIVE_INFINITY}) {
                Timeout[] cm = new Timeout[1];
                assertThatThrownBy(() -> {
                    try (Timeout t = Async.timeoutAt(when)) {
                        cm[0] = t;
                        Async.sleep(0.01);
                    }
                }).isInstanceOf(TimeoutError.class);
                assertThat(cm[0].expired()).isTrue();
                assertThat(cm[0].when()).isEqualTo(when);
            }
            assertThat(now()).isZero();
            return null;
        });
    }

    @Test
    void anInfiniteDeadlineNeverExpires() {
        // python3.13: timeout_at(inf) lets the block finish; when() is inf, expired() False. On a virtual clock
        // no timer is parked at infinity for the clock to jump to.
        Loops.runVirtual(() -> {
            Timeout cm;
            try (Timeout t = Async.timeoutAt(Double.POSITIVE_INFINITY)) {
                cm = t;
                Async.sleep(0.01);
            }
            assertThat(cm.when()).isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(cm.expired()).isFalse();
            return null;
        });
    }

    @Test
    void aNanDeadlineIsRefused() {
        // python3.13 accepts timeout_at(nan) and its event loop then fails ("cannot convert float NaN to integer");
        // we refuse it up front, naming the parameter.
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> Async.timeoutAt(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("when");
            try (Timeout t = Async.timeout(Duration.ofSeconds(1))) {
                assertThatThrownBy(() -> t.reschedule(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("when");
                assertThat(t.when()).isEqualTo(1.0);
            }
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void rescheduleToThePastExpiresAtTheNextAwaitAndToNullDisables() {
        // python3.13: cm.reschedule(loop.time() - 1) then sleep(10) raises TimeoutError at once;
        // cm.reschedule(None) inside timeout(0.01) lets a 0.05 s sleep finish, when() None, expired() False.
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> {
                try (Timeout t = Async.timeout(Duration.ofSeconds(10))) {
                    t.reschedule(now() - 1);
                    Async.sleep(10);
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(now()).isZero();
            Timeout cm;
            try (Timeout t = Async.timeout(Duration.ofMillis(10))) {
                cm = t;
                t.reschedule(null);
                Async.sleep(0.05);
            }
            assertThat(cm.when()).isNull();
            assertThat(cm.expired()).isFalse();
            return null;
        });
    }

    @Test
    void foreignExceptionPassed() { // test_foreign_exception_passed
        Loops.runVirtual(() -> {
            Timeout[] cm = new Timeout[1];
            IllegalStateException keyError = new IllegalStateException("KeyError");
            assertThatThrownBy(() -> {
                try (Timeout t = Async.timeout(Duration.ofMillis(10))) {
                    cm[0] = t;
                    throw keyError;
                }
            }).isSameAs(keyError);
            assertThat(cm[0].expired()).isFalse();
            return null;
        });
    }

    @Test
    void timeoutExceptionContext() { // test_timeout_exception_context
        // The body fails, and its finally block awaits past the deadline: TimeoutError caused by CancelledError
        // (Java's finally replaces the first exception; Python chains it as __context__).
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> {
                try (Timeout ignored = Async.timeout(Duration.ofMillis(10))) {
                    try {
                        throw new ArithmeticException("/ by zero");
                    } finally {
                        Async.sleep(1);
                    }
                }
            }).isInstanceOf(TimeoutError.class).hasCauseInstanceOf(CancelledError.class);
            return null;
        });
    }

    @Test
    void foreignExceptionOnTimeout() { // test_foreign_exception_on_timeout
        // The cancelled code fails in its finally block: that failure propagates, not TimeoutError.
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> {
                try (Timeout ignored = Async.timeout(Duration.ofMillis(10))) {
                    try {
                        Async.sleep(1);
                    } finally {
                        throw new ArithmeticException("/ by zero");
                    }
                }
            }).isInstanceOf(ArithmeticException.class);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void foreignCancelDoesntTimeoutIfNotExpired() { // test_foreign_cancel_doesnt_timeout_if_not_expired
        Loops.runVirtual(() -> {
            Task<Timeout> task = Async.createTask(() -> {
                Timeout[] cm = new Timeout[1];
                assertThatThrownBy(() -> {
                    try (Timeout t = Async.timeout(Duration.ofSeconds(10))) {
                        cm[0] = t;
                        Async.currentTask().orElseThrow().cancel();
                        Async.sleep(10);
                    }
                }).isInstanceOf(CancelledError.class).isNotInstanceOf(TimeoutError.class);
                return cm[0];
            });
            assertThat(task.await().expired()).isFalse();
            return null;
        });
    }

    @Test
    void outerTaskIsNotCancelled() { // test_outer_task_is_not_cancelled
        Loops.runVirtual(() -> {
            Task<String> task = Async.createTask(() -> {
                assertThatThrownBy(() -> {
                    try (Timeout ignored = Async.timeout(Duration.ofMillis(1))) {
                        Async.sleep(10);
                    }
                }).isInstanceOf(TimeoutError.class);
                return "finished";
            });
            assertThat(task.await()).isEqualTo("finished");
            assertThat(task.cancelled()).isFalse();
            assertThat(task.done()).isTrue();
            return null;
        });
    }

    @Test
    void nestedTimeoutsLoopBusy() { // test_nested_timeouts_loop_busy
        // The loop is "busy" past the inner deadline (the virtual clock is moved inside the step, 50 ms as in our
        // python3.13 check): the inner scope reports, its TimeoutError is caught, and the outer scope interrupts
        // the next sleep at 0.1 (python3.13: inner TimeoutError, then outer TimeoutError after 0.1 s).
        ManualClock clock = new ManualClock();
        EventLoop loop = EventLoop.builder().clock(clock).build();
        try {
            loop.runUntilComplete(() -> {
                double t0 = now();
                List<String> seen = new ArrayList<>();
                assertThatThrownBy(() -> {
                    try (Timeout outer = Async.timeout(Duration.ofMillis(100))) {
                        try (Timeout inner = Async.timeout(Duration.ofMillis(10))) {
                            clock.advance(Duration.ofMillis(50));
                            Async.sleep(1);
                        } catch (TimeoutError e) {
                            seen.add("inner TimeoutError");
                        }
                        Async.sleep(10); // interrupted by the outer scope
                    }
                }).isInstanceOf(TimeoutError.class);
                assertThat(seen).containsExactly("inner TimeoutError");
                assertThat(now() - t0).isEqualTo(0.1);
                assertThat(cancelling()).isZero();
                return null;
            });
        } finally {
            loop.close();
        }
    }

    @Test
    void reschedule() { // test_reschedule
        Loops.runVirtual(() -> {
            Future<Timeout> fut = Async.getRunningLoop().createFuture();
            double deadline1 = now() + 10;
            double deadline2 = deadline1 + 20;
            Task<Void> task = Async.createTask(() -> {
                try (Timeout cm = Async.timeoutAt(deadline1)) {
                    fut.setResult(cm);
                    Async.sleep(50);
                }
                return null;
            });
            Timeout cm = fut.await();
            assertThat(cm.when()).isEqualTo(deadline1);
            cm.reschedule(deadline2);
            assertThat(cm.when()).isEqualTo(deadline2);
            cm.reschedule(null);
            assertThat(cm.when()).isNull();
            task.cancel();
            assertThatThrownBy(task::await).isInstanceOf(CancelledError.class);
            assertThat(cm.expired()).isFalse();
            return null;
        });
    }

    @Test
    void nestedTimeoutInFinally() { // test_nested_timeout_in_finally
        Loops.runVirtual(() -> {
            List<String> seen = new ArrayList<>();
            assertThatThrownBy(() -> {
                try (Timeout ignored = Async.timeout(Duration.ofMillis(10))) {
                    try {
                        Async.sleep(1);
                    } finally {
                        try (Timeout inner = Async.timeout(Duration.ofMillis(10))) {
                            Async.sleep(10);
                        } catch (TimeoutError e) {
                            seen.add("inner TimeoutError at " + now());
                        }
                    }
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(seen).containsExactly("inner TimeoutError at 0.02");
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void timeoutAfterCancellation() { // test_timeout_after_cancellation
        Loops.runVirtual(() -> {
            Task<Integer> task = Async.createTask(() -> {
                try {
                    Async.currentTask().orElseThrow().cancel();
                    Async.sleep(1); // work which will be cancelled
                } catch (CancelledError e) {
                    // swallowed, as the CPython test does
                } finally {
                    assertThatThrownBy(() -> {
                        try (Timeout ignored = Async.timeout(Duration.ZERO)) {
                            Async.sleep(1); // some cleanup
                        }
                    }).isInstanceOf(TimeoutError.class);
                }
                return cancelling();
            });
            assertThat(task.await()).isEqualTo(1); // the swallowed cancel() was never uncancelled
            return null;
        });
    }

    @Test
    void cancelInTimeoutAfterCancellation() { // test_cancel_in_timeout_after_cancellation
        Loops.runVirtual(() -> {
            Task<Integer> task = Async.createTask(() -> {
                try {
                    Async.currentTask().orElseThrow().cancel();
                    Async.sleep(1);
                } catch (CancelledError e) {
                    // swallowed
                } finally {
                    assertThatThrownBy(() -> {
                        try (Timeout ignored = Async.timeout(Duration.ofSeconds(1))) {
                            Async.currentTask().orElseThrow().cancel();
                            Async.sleep(2);
                        }
                    }).isInstanceOf(CancelledError.class).isNotInstanceOf(TimeoutError.class);
                }
                return cancelling();
            });
            assertThat(task.await()).isEqualTo(2);
            return null;
        });
    }

    @Test
    void aTimeoutExpiringDuringCleanupOfACancelledTaskStillReportsTimeout() {
        // python3.13: entered in `except CancelledError` (cancelling() == 1) at 1.0, the scope expires at 1.5:
        // TimeoutError, cancelling() is 1 again after it, and the re-raised CancelledError ends the task.
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            Task<Void> task = Async.createTask(() -> {
                try {
                    Async.sleep(10);
                } catch (CancelledError e) {
                    try (Timeout ignored = Async.timeout(Duration.ofMillis(500))) {
                        Async.sleep(10);
                    } catch (TimeoutError te) {
                        seen.add("cleanup timed out at " + now() + ", cancelling " + cancelling());
                    }
                    throw e;
                }
                return null;
            });
            Async.sleep(1);
            task.cancel();
            assertThatThrownBy(task::await).isInstanceOf(CancelledError.class);
            assertThat(task.cancelled()).isTrue();
            return null;
        });
        assertThat(seen).containsExactly("cleanup timed out at 1.5, cancelling 1");
    }

    @Test
    void timeoutExpired() { // test_timeout_expired
        Loops.runVirtual(() -> {
            Timeout[] cm = new Timeout[1];
            assertThatThrownBy(() -> {
                try (Timeout t = Async.timeout(Duration.ofMillis(10))) {
                    cm[0] = t;
                    Async.sleep(1);
                }
            }).isInstanceOf(TimeoutError.class);
            assertThatThrownBy(() -> cm[0].reschedule(0.02)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("expired");
            return null;
        });
    }

    @Test
    void timeoutExpiring() { // test_timeout_expiring
        // asyncio's block catches CancelledError; here the block gets the TimeoutError itself.
        Loops.runVirtual(() -> {
            try (Timeout cm = Async.timeout(Duration.ofMillis(10))) {
                assertThatThrownBy(() -> Async.sleep(1)).isInstanceOf(TimeoutError.class);
                assertThatThrownBy(() -> cm.reschedule(0.02)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("expiring");
            }
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void timeoutWithoutTask() { // test_timeout_without_task
        EventLoop loop = Loops.virtual();
        List<Throwable> seen = new ArrayList<>();
        loop.callSoon(() -> {
            try {
                Async.timeoutAt(1.0);
            } catch (IllegalStateException e) {
                seen.add(e);
            }
        });
        loop.callSoon(loop::stop);
        loop.runForever();
        loop.close();
        assertThat(seen).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("task"));
    }

    @Test
    void aTimeoutAroundWaitForReportsItsOwnExpiry() {
        // python3.13: timeout(0.01) around wait_for(sleep(10), 5): TimeoutError at 0.01, the scope expired,
        // cancelling() 0.
        Loops.runVirtual(() -> {
            Timeout[] cm = new Timeout[1];
            assertThatThrownBy(() -> {
                try (Timeout t = Async.timeout(Duration.ofMillis(10))) {
                    cm[0] = t;
                    Async.waitFor(Async.createTask(Loops.after(10, "slow")), Duration.ofSeconds(5));
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(cm[0].expired()).isTrue();
            assertThat(now()).isEqualTo(0.01);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void waitForExpiringInsideATimeoutLeavesTheScopeRunning() {
        // python3.13: wait_for(sleep(10), 0.01) inside timeout(5): wait_for's TimeoutError at 0.01, the scope
        // not expired, cancelling() 0.
        Loops.runVirtual(() -> {
            Timeout cm;
            List<String> seen = new ArrayList<>();
            try (Timeout t = Async.timeout(Duration.ofSeconds(5))) {
                cm = t;
                try {
                    Async.waitFor(Async.createTask(Loops.after(10, "slow")), Duration.ofMillis(10));
                } catch (TimeoutError e) {
                    seen.add("waitFor TimeoutError at " + now());
                }
            }
            assertThat(seen).containsExactly("waitFor TimeoutError at 0.01");
            assertThat(cm.expired()).isFalse();
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void anOuterCancelRacingAnInnerTimeoutInsideAGroupWins() {
        // python3.13: a task in a TaskGroup, a timeout(0.05) inside, and t.cancel() at 0.05 from outside:
        // CancelledError, and the task ends cancelled.
        Loops.runVirtual(() -> {
            List<Task<String>> children = new ArrayList<>();
            Task<Void> t = Async.createTask(() -> {
                try (TaskGroup tg = new TaskGroup()) {
                    children.add(tg.createTask(Loops.after(10, "child")));
                    try (Timeout ignored = Async.timeout(Duration.ofMillis(50))) {
                        Async.sleep(10);
                    }
                }
                return null;
            });
            Async.getRunningLoop().callLater(0.05, t::cancel);
            assertThatThrownBy(t::await).isInstanceOf(CancelledError.class).isNotInstanceOf(TimeoutError.class);
            assertThat(t.cancelled()).isTrue();
            assertThat(children).allMatch(Task::cancelled);
            return null;
        });
    }

    // ------------------------------------------------------------------ more ports of test_timeouts.py

    /* test_foreign_exception_on_timeout_2's block, recording what the sleep in the inner finally raised. */
    private static Void foreignExceptionOnTimeout2Body(List<String> seen) {
        try {
            try {
                throw new IllegalArgumentException("ValueError");
            } finally {
                try {
                    Async.sleep(1);
                } catch (RuntimeException e) {
                    seen.add("sleep raised " + e.getClass().getSimpleName());
                    throw e;
                }
            }
        } finally {
            try {
                throw new IllegalStateException("KeyError");
            } finally {
                throw new ArithmeticException("/ by zero");
            }
        }
    }

    @Test
    void foreignExceptionOnTimeout2() { // test_foreign_exception_on_timeout_2
        // python3.13: the sleep raises CancelledError at 0.01; ZeroDivisionError propagates (its __context__
        // chain: KeyError, then TimeoutError caused by that CancelledError); the scope expired, cancelling() 0.
        // Java has no __context__ chain: the ArithmeticException propagates. In the try-with-resources form the
        // sleep raises TimeoutError (the documented Java-forced difference); in the body form CancelledError,
        // as in asyncio.
        Loops.runVirtual(() -> {
            List<String> seen = new ArrayList<>();
            Timeout[] cm = new Timeout[1];
            assertThatThrownBy(() -> {
                try (Timeout t = Async.timeout(Duration.ofMillis(10))) {
                    cm[0] = t;
                    foreignExceptionOnTimeout2Body(seen);
                }
            }).isInstanceOf(ArithmeticException.class);
            assertThat(cm[0].expired()).isTrue();
            assertThat(now()).isEqualTo(0.01);
            assertThat(cancelling()).isZero();
            assertThatThrownBy(() -> Async.timeout(Duration.ofMillis(10), () -> foreignExceptionOnTimeout2Body(seen)))
                    .isInstanceOf(ArithmeticException.class);
            assertThat(seen).containsExactly("sleep raised TimeoutError", "sleep raised CancelledError");
            assertThat(now()).isEqualTo(0.02);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void nestedTimeoutsConcurrent() { // test_nested_timeouts_concurrent
        // The step runs 10 ms (the virtual clock is moved inside it) past the outer 2 ms deadline; the inner
        // one (100 ms) is not due. python3.13: the inner block sees CancelledError, the outer scope raises
        // TimeoutError; outer expired, inner not (finished). Try-with-resources (the documented Java-forced
        // difference): the inner block sees the outer scope's TimeoutError. Body form: exactly asyncio's.
        ManualClock clock = new ManualClock();
        EventLoop loop = EventLoop.builder().clock(clock).build();
        try {
            loop.runUntilComplete(() -> {
                List<String> seen = new ArrayList<>();
                Timeout[] cm = new Timeout[2];
                assertThatThrownBy(() -> {
                    try (Timeout outer = Async.timeout(Duration.ofMillis(2))) {
                        cm[0] = outer;
                        try (Timeout inner = Async.timeout(Duration.ofMillis(100))) {
                            cm[1] = inner;
                            clock.advance(Duration.ofMillis(10)); // "pretend we crunch some numbers"
                            Async.sleep(1);
                        } catch (RuntimeException e) {
                            seen.add("inner block got " + e.getClass().getSimpleName());
                            throw e;
                        }
                    }
                }).isInstanceOf(TimeoutError.class);
                assertThat(cm[0].expired()).isTrue();
                assertThat(cm[1].expired()).isFalse();
                assertThat(cm[1]).hasToString("<Timeout [finished]>");
                assertThat(cancelling()).isZero();

                assertThatThrownBy(() -> Async.timeout(Duration.ofMillis(2), () -> {
                    try {
                        return Async.timeout(Duration.ofMillis(100), () -> {
                            clock.advance(Duration.ofMillis(10));
                            return Async.sleep(Duration.ofSeconds(1), "slept");
                        });
                    } catch (RuntimeException e) {
                        seen.add("inner body form got " + e.getClass().getSimpleName());
                        throw e;
                    }
                })).isInstanceOf(TimeoutError.class);
                assertThat(seen).containsExactly("inner block got TimeoutError", "inner body form got CancelledError");
                assertThat(cancelling()).isZero();
                return null;
            });
        } finally {
            loop.close();
        }
    }

    @Test
    void reprActive() { // test_repr_active
        // python3.13: <Timeout [active] when=8892.617> (loop seconds rounded to milliseconds).
        Loops.runVirtual(() -> {
            try (Timeout cm = Async.timeout(Duration.ofSeconds(10))) {
                assertThat(cm).hasToString("<Timeout [active] when=10.0>");
            }
            try (Timeout cm = Async.timeout(Duration.ofNanos(1_234_560_000L))) {
                assertThat(cm).hasToString("<Timeout [active] when=1.235>");
            }
            try (Timeout cm = Async.timeout(Duration.ofSeconds(-11))) {
                assertThat(cm).hasToString("<Timeout [active] when=-11.0>");
                cm.reschedule(1e10);
                assertThat(cm).hasToString("<Timeout [active] when=10000000000.0>"); // never Java's 1.0E10
            }
            try (Timeout cm = Async.timeoutAt(Double.POSITIVE_INFINITY)) {
                assertThat(cm).hasToString("<Timeout [active] when=inf>");
            }
            return null;
        });
    }

    @Test
    void reprExpired() { // test_repr_expired
        // python3.13: <Timeout [expired]> after the block; <Timeout [expiring]> inside it once the deadline passed.
        Loops.runVirtual(() -> {
            Timeout[] cm = new Timeout[1];
            List<String> inside = new ArrayList<>();
            assertThatThrownBy(() -> {
                try (Timeout t = Async.timeout(Duration.ofMillis(10))) {
                    cm[0] = t;
                    try {
                        Async.sleep(10);
                    } catch (TimeoutError e) {
                        inside.add(t.toString());
                        throw e;
                    }
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(inside).containsExactly("<Timeout [expiring]>");
            assertThat(cm[0]).hasToString("<Timeout [expired]>");
            return null;
        });
    }

    @Test
    void reprFinished() { // test_repr_finished
        Loops.runVirtual(() -> {
            Timeout cm;
            try (Timeout t = Async.timeout(Duration.ofSeconds(10))) {
                cm = t;
                Async.sleep(0);
            }
            assertThat(cm).hasToString("<Timeout [finished]>");
            return null;
        });
    }

    @Test
    void reprDisabled() { // test_repr_disabled
        Loops.runVirtual(() -> {
            try (Timeout cm = Async.timeout(null)) {
                assertThat(cm).hasToString("<Timeout [active] when=None>");
            }
            return null;
        });
    }

    @Test
    void timeoutAlreadyEntered() { // test_timeout_already_entered
        // Not applicable as such: a Timeout is entered when it is made (asyncio: entering it again raises
        // "has already been entered"). The Java analogue is a second try-with-resources over the open scope:
        // its close() ends the scope there, so the deadline no longer applies, and the first close() does
        // nothing.
        Loops.runVirtual(() -> {
            try (Timeout cm = Async.timeout(Duration.ofMillis(10))) {
                try (Timeout again = cm) {
                    assertThat(again).hasToString("<Timeout [active] when=0.01>");
                }
                assertThat(cm).hasToString("<Timeout [finished]>");
                Async.sleep(1); // past the old deadline
                assertThat(cm.expired()).isFalse();
            }
            assertThat(now()).isEqualTo(1.0);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void timeoutDoubleEnter() { // test_timeout_double_enter
        // Not applicable as such (asyncio: entering a used scope again raises "has already been entered"); the
        // Java analogue is closing twice: the second close() does nothing, for a finished scope and for an
        // expired one (whose cancellation is taken back once, so cancelling() stays 0).
        Loops.runVirtual(() -> {
            Timeout finished = Async.timeout(Duration.ofMillis(10));
            finished.close();
            finished.close();
            assertThat(finished).hasToString("<Timeout [finished]>");
            Timeout expired = Async.timeout(Duration.ofMillis(10));
            assertThatThrownBy(() -> Async.sleep(1)).isInstanceOf(TimeoutError.class);
            expired.close();
            expired.close();
            assertThat(expired).hasToString("<Timeout [expired]>");
            assertThat(cancelling()).isZero();
            Async.sleep(0.1); // nothing pending for this task any more
            return null;
        });
    }

    @Test
    void timeoutFinished() { // test_timeout_finished
        Loops.runVirtual(() -> {
            Timeout cm;
            try (Timeout t = Async.timeout(Duration.ofMillis(10))) {
                cm = t;
            }
            assertThatThrownBy(() -> cm.reschedule(0.02)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot change state of finished Timeout");
            return null;
        });
    }

    @Test
    void timeoutNotEntered() { // test_timeout_not_entered
        // Not applicable as such: asyncio.timeout() makes a <Timeout [created]> that refuses reschedule() until
        // entered ("has not been entered"); Async.timeout() enters the scope at once, so it is active and
        // reschedule() works straight away.
        Loops.runVirtual(() -> {
            Timeout cm = Async.timeout(Duration.ofMillis(10));
            try (cm) {
                assertThat(cm).hasToString("<Timeout [active] when=0.01>");
                cm.reschedule(0.02);
                assertThat(cm.when()).isEqualTo(0.02);
                assertThatThrownBy(() -> Async.sleep(1)).isInstanceOf(TimeoutError.class);
            }
            assertThat(now()).isEqualTo(0.02);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    /* test_timeout_taskgroup's group: a child that fails in cleanup, and a body that awaits in a finally. */
    private static Void groupWithAChildFailingInCleanup(List<String> seen) {
        try (TaskGroup tg = new TaskGroup()) {
            tg.createTask(() -> {
                try {
                    Async.sleep(2);
                } catch (RuntimeException e) {
                    seen.add("child sleep " + e.getClass().getSimpleName());
                    throw e;
                } finally {
                    throw new ArithmeticException("/ by zero"); // crash in cleanup
                }
            });
            try {
                throw new IllegalArgumentException("ValueError");
            } finally {
                try {
                    Async.sleep(1);
                } catch (RuntimeException e) {
                    seen.add("body sleep " + e.getClass().getSimpleName());
                    throw e;
                }
            }
        }
    }

    @Test
    void timeoutTaskgroup() { // test_timeout_taskgroup
        // python3.13: timeout(0.01) around a group whose child fails in cleanup: the body's and the child's
        // sleeps raise CancelledError, and ExceptionGroup[ZeroDivisionError] propagates (TimeoutError only in
        // its __context__ chains); the scope expired, cancelling() 0. Java-forced (see Timeout and TaskGroup):
        // the body's await already raised the cancellation (TimeoutError in the try-with-resources form), which
        // close() cannot replace, so that propagates with the group's ExceptionGroup suppressed. The body form
        // gives the body CancelledError, as asyncio, and the call raises TimeoutError, the group still
        // suppressed on the way (the group's close() is a try-with-resources one).
        Loops.runVirtual(() -> {
            List<String> seen = new ArrayList<>();
            Timeout[] cm = new Timeout[1];
            Throwable outcome = org.assertj.core.api.Assertions.catchThrowable(() -> {
                try (Timeout t = Async.timeout(Duration.ofMillis(10))) {
                    cm[0] = t;
                    groupWithAChildFailingInCleanup(seen);
                }
            });
            assertThat(outcome).isInstanceOf(TimeoutError.class);
            assertThat(outcome.getSuppressed()).singleElement().isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(eg.exceptions()).singleElement().isInstanceOf(ArithmeticException.class));
            assertThat(cm[0].expired()).isTrue();
            assertThat(now()).isEqualTo(0.01);
            assertThat(cancelling()).isZero();

            Throwable bodyForm = org.assertj.core.api.Assertions.catchThrowable(() -> Async.timeout(Duration.ofMillis(10),
                    () -> groupWithAChildFailingInCleanup(seen)));
            assertThat(bodyForm).isInstanceOf(TimeoutError.class).hasCauseInstanceOf(CancelledError.class);
            assertThat(bodyForm.getCause().getSuppressed()).singleElement().isInstanceOfSatisfying(ExceptionGroup.class,
                    eg -> assertThat(eg.exceptions()).singleElement().isInstanceOf(ArithmeticException.class));
            assertThat(seen).containsExactly("body sleep TimeoutError", "child sleep CancelledError",
                    "body sleep CancelledError", "child sleep CancelledError");
            assertThat(now()).isEqualTo(0.02);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    // The body form, Async.timeout(delay, body): asyncio's rules exactly, nested scopes included.

    @Test
    void theBodyFormRaisesAnOuterExpiryAtTheOuterScopeEvenWhenAnInnerScopeCatchesTimeoutError() {
        // python3.13: timeout(0.1) around [try: timeout(5) around sleep(10) except TimeoutError], then sleep(1):
        // the inner except does not run, the outer raises TimeoutError at 0.1, outer expired, inner not,
        // cancelling() 0.
        Loops.runVirtual(() -> {
            List<String> seen = new ArrayList<>();
            assertThatThrownBy(() -> Async.timeout(Duration.ofMillis(100), () -> {
                try {
                    Async.timeout(Duration.ofSeconds(5), () -> {
                        return Async.sleep(Duration.ofSeconds(10), "slept");
                    });
                } catch (TimeoutError e) {
                    seen.add("inner caught TimeoutError");
                }
                seen.add("after inner");
                Async.sleep(1);
                seen.add("after sleep");
                return null;
            })).isInstanceOf(TimeoutError.class).hasCauseInstanceOf(CancelledError.class);
            assertThat(seen).isEmpty();
            assertThat(now()).isEqualTo(0.1);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void theBodyFormReturnsTheBodysValueBeforeTheDeadline() {
        Loops.runVirtual(() -> {
            assertThat(Async.timeout(Duration.ofSeconds(1), () -> Async.sleep(Duration.ofMillis(500), "done"))).isEqualTo("done");
            assertThat(Async.timeoutAt(now() + 1, () -> Async.sleep(Duration.ofMillis(500), "again"))).isEqualTo("again");
            assertThat(Async.timeout(null, () -> Async.sleep(Duration.ofSeconds(100), "no deadline"))).isEqualTo("no deadline");
            assertThat(now()).isEqualTo(101.0);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void theBodyFormWithAZeroDelayRunsTheBodyUntilItsFirstAwait() {
        // python3.13: async with timeout(0): print; await sleep(0); print -> the first print only, TimeoutError.
        Loops.runVirtual(() -> {
            List<String> seen = new ArrayList<>();
            assertThatThrownBy(() -> Async.timeout(Duration.ZERO, () -> {
                seen.add("body runs");
                Async.sleep(0);
                seen.add("not here");
                return null;
            })).isInstanceOf(TimeoutError.class);
            assertThat(seen).containsExactly("body runs");
            assertThatThrownBy(() -> Async.timeoutAt(Double.NEGATIVE_INFINITY, () -> Async.sleep(Duration.ofSeconds(1), "late")))
                    .isInstanceOf(TimeoutError.class);
            assertThat(now()).isZero();
            return null;
        });
    }

    @Test
    void theBodyFormLetsABodyThatSwallowsTheCancellationEndNormally() {
        // python3.13: timeout(0.05) around [try: sleep(1) except CancelledError: pass]: no TimeoutError, the
        // scope expired, cancelling() 0.
        Loops.runVirtual(() -> {
            String value = Async.timeout(Duration.ofMillis(50), () -> {
                try {
                    Async.sleep(1);
                    return "slept";
                } catch (CancelledError e) {
                    return "swallowed";
                }
            });
            assertThat(value).isEqualTo("swallowed");
            assertThat(now()).isEqualTo(0.05);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void theBodyFormLetsARealCancelWin() {
        // test_foreign_cancel_doesnt_timeout_if_not_expired, body form: CancelledError, not TimeoutError.
        Loops.runVirtual(() -> {
            Task<String> t = Async.createTask(() -> Async.timeout(Duration.ofSeconds(10), () -> Async.sleep(Duration.ofSeconds(20), "x")));
            Async.getRunningLoop().callLater(0.01, t::cancel);
            assertThatThrownBy(t::await).isInstanceOf(CancelledError.class).isNotInstanceOf(TimeoutError.class);
            return null;
        });
    }

    @Test
    void theBodyFormRefusesANullBodyAndANanDeadline() {
        Loops.runVirtual(() -> {
            // An untyped null matches both body types: the caller names one, as for any overloaded method.
            assertThatThrownBy(() -> Async.timeout(Duration.ofSeconds(1), (Coroutine<String>) null))
                    .isInstanceOf(NullPointerException.class).hasMessage("body");
            assertThatThrownBy(() -> Async.timeoutAt(1.0, (Coroutine<String>) null))
                    .isInstanceOf(NullPointerException.class).hasMessage("body");
            assertThatThrownBy(() -> Async.timeoutAt(Double.NaN, () -> "x"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
            assertThat(cancelling()).isZero();
            return null;
        });
        assertThatThrownBy(() -> Async.timeout(Duration.ofSeconds(1), () -> "x"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theBodyFormPassesAForeignExceptionThrough() {
        // test_foreign_exception_passed, body form.
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> Async.timeout(Duration.ofSeconds(1), () -> {
                throw new IllegalArgumentException("mine");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("mine");
            return null;
        });
    }

    // The body form given its scope, Async.timeout(delay, cm -> ...): CPython's test_timeouts cases that use cm.

    @Test
    void theScopeBodyFormTimeoutBasic() { // test_timeout_basic, body form
        Loops.runVirtual(() -> {
            Timeout[] cm = new Timeout[1];
            assertThatThrownBy(() -> Async.timeout(Duration.ofMillis(10), scope -> {
                cm[0] = scope;
                return Async.sleep(Duration.ofSeconds(10), "slept");
            })).isInstanceOf(TimeoutError.class).hasCauseInstanceOf(CancelledError.class);
            assertThat(cm[0].expired()).isTrue();
            assertThat(cm[0]).hasToString("<Timeout [expired]>"); // test_repr_expired
            assertThat(now()).isEqualTo(0.01);
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void theScopeBodyFormTimeoutAtBasic() { // test_timeout_at_basic, body form
        Loops.runVirtual(() -> {
            double deadline = now() + 0.01;
            Timeout[] cm = new Timeout[1];
            assertThatThrownBy(() -> Async.timeoutAt(deadline, scope -> {
                cm[0] = scope;
                assertThat(scope.when()).isEqualTo(deadline);
                return Async.sleep(Duration.ofSeconds(10), "slept");
            })).isInstanceOf(TimeoutError.class);
            assertThat(cm[0].expired()).isTrue();
            assertThat(cm[0].when()).isEqualTo(deadline);
            return null;
        });
    }

    @Test
    void theScopeBodyFormNestedTimeouts() { // test_nested_timeouts, body form
        // python3.13: both expire together; the inner block sees CancelledError, only the outer raises
        // TimeoutError, and both cm1.expired() and cm2.expired() are True.
        Loops.runVirtual(() -> {
            double deadline = now() + 0.01;
            Timeout[] cm = new Timeout[2];
            List<String> seen = new ArrayList<>();
            assertThatThrownBy(() -> Async.timeoutAt(deadline, cm1 -> {
                cm[0] = cm1;
                try {
                    return Async.timeoutAt(deadline, cm2 -> {
                        cm[1] = cm2;
                        return Async.sleep(Duration.ofSeconds(10), "slept");
                    });
                } catch (CancelledError e) {
                    seen.add("cancelled");
                    throw e;
                }
            })).isInstanceOf(TimeoutError.class);
            assertThat(seen).containsExactly("cancelled");
            assertThat(cm[0].expired()).isTrue();
            assertThat(cm[1].expired()).isTrue();
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void theScopeBodyFormTimeoutNotCalledAndDisabled() { // test_timeout_not_called, test_timeout_(at_)disabled
        Loops.runVirtual(() -> {
            Timeout notCalled = Async.timeout(Duration.ofSeconds(10), scope -> {
                Async.sleep(0.01);
                return scope;
            });
            assertThat(notCalled.expired()).isFalse();
            assertThat(notCalled.when()).isGreaterThan(now());
            assertThat(notCalled).hasToString("<Timeout [finished]>"); // test_repr_finished
            Timeout disabled = Async.timeout(null, scope -> {
                assertThat(scope).hasToString("<Timeout [active] when=None>"); // test_repr_disabled
                Async.sleep(0.01);
                return scope;
            });
            assertThat(disabled.expired()).isFalse();
            assertThat(disabled.when()).isNull();
            Timeout active = Async.timeoutAt(now() + 10, scope -> {
                assertThat(scope.toString()).matches("<Timeout \\[active\\] when=\\d+\\.\\d*>"); // test_repr_active
                return scope;
            });
            assertThat(active.expired()).isFalse();
            return null;
        });
    }

    @Test
    void theScopeBodyFormTimeoutZero() { // test_timeout_zero, test_timeout_in_the_past_sleep_zero
        Loops.runVirtual(() -> {
            Async.sleep(1);
            double t0 = now();
            Timeout[] cm = new Timeout[2];
            assertThatThrownBy(() -> Async.timeout(Duration.ZERO, scope -> {
                cm[0] = scope;
                return Async.sleep(Duration.ofSeconds(10), "slept");
            })).isInstanceOf(TimeoutError.class);
            assertThatThrownBy(() -> Async.timeout(Duration.ofSeconds(-11), scope -> {
                cm[1] = scope;
                return Async.sleep(Duration.ZERO, "slept");
            })).isInstanceOf(TimeoutError.class);
            assertThat(cm[0].expired()).isTrue();
            assertThat(cm[0].when()).isEqualTo(t0);
            assertThat(cm[1].expired()).isTrue();
            assertThat(cm[1].when()).isEqualTo(t0 - 11);
            assertThat(now()).isEqualTo(t0);
            return null;
        });
    }

    @Test
    void theScopeBodyFormReschedulesInsideTheBody() {
        // python3.13: timeout(0.01) as cm, cm.reschedule(loop.time() + 0.05), sleep(1): TimeoutError at 0.05,
        // expired; timeout(0.01) as cm, cm.reschedule(None), sleep(0.05): no error, when() None, not expired;
        // timeout(10) as cm, cm.reschedule(loop.time() - 1), sleep(10): TimeoutError at once, and afterwards
        // cm.reschedule(1) raises "Cannot change state of expired Timeout" (test_timeout_expired).
        Loops.runVirtual(() -> {
            Timeout[] cm = new Timeout[1];
            assertThatThrownBy(() -> Async.timeout(Duration.ofMillis(10), scope -> {
                cm[0] = scope;
                scope.reschedule(now() + 0.05);
                return Async.sleep(Duration.ofSeconds(1), "slept");
            })).isInstanceOf(TimeoutError.class).hasCauseInstanceOf(CancelledError.class);
            assertThat(now()).isEqualTo(0.05);
            assertThat(cm[0].expired()).isTrue();
            assertThat(cm[0].when()).isEqualTo(0.05);

            Timeout disabled = Async.timeout(Duration.ofMillis(10), scope -> {
                scope.reschedule(null);
                Async.sleep(0.05);
                return scope;
            });
            assertThat(disabled.when()).isNull();
            assertThat(disabled.expired()).isFalse();
            assertThat(now()).isEqualTo(0.1);

            assertThatThrownBy(() -> Async.timeout(Duration.ofSeconds(10), scope -> {
                cm[0] = scope;
                scope.reschedule(now() - 1);
                return Async.sleep(Duration.ofSeconds(10), "slept");
            })).isInstanceOf(TimeoutError.class);
            assertThat(now()).isEqualTo(0.1);
            assertThat(cm[0].expired()).isTrue();
            assertThatThrownBy(() -> cm[0].reschedule(1.0)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot change state of expired Timeout");

            Timeout infinite = Async.timeout(null, scope -> {
                scope.reschedule(Double.POSITIVE_INFINITY);
                assertThat(scope).hasToString("<Timeout [active] when=inf>");
                Async.sleep(100);
                return scope;
            });
            assertThat(infinite.when()).isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(infinite.expired()).isFalse();
            assertThat(cancelling()).isZero();
            return null;
        });
    }

    @Test
    void theScopeBodyFormTimeoutExpiringAndFinished() { // test_timeout_expiring, test_timeout_finished
        // python3.13: the body catches the CancelledError, then cm.reschedule(0.02) raises "Cannot change state
        // of expiring Timeout"; the body ends normally, so no TimeoutError; expired() True, cancelling() 0.
        Loops.runVirtual(() -> {
            List<String> seen = new ArrayList<>();
            Timeout expiring = Async.timeout(Duration.ofMillis(10), scope -> {
                try {
                    Async.sleep(1);
                } catch (CancelledError e) {
                    seen.add("cancelled " + scope);
                }
                assertThatThrownBy(() -> scope.reschedule(0.02)).isInstanceOf(IllegalStateException.class)
                        .hasMessage("Cannot change state of expiring Timeout");
                return scope;
            });
            assertThat(seen).containsExactly("cancelled <Timeout [expiring]>");
            assertThat(expiring.expired()).isTrue();
            assertThat(expiring).hasToString("<Timeout [expired]>");
            assertThat(cancelling()).isZero();
            Timeout finished = Async.timeout(Duration.ofMillis(10), scope -> scope);
            assertThatThrownBy(() -> finished.reschedule(0.02)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot change state of finished Timeout");
            return null;
        });
    }

    @Test
    void theScopeBodyFormReschedule() { // test_reschedule, body form
        // Another task moves the deadline, then removes it; the task is cancelled: CancelledError, not expired.
        Loops.runVirtual(() -> {
            Future<Timeout> fut = Async.getRunningLoop().createFuture();
            double deadline1 = now() + 10;
            double deadline2 = deadline1 + 20;
            Task<String> task = Async.createTask(() -> Async.timeoutAt(deadline1, scope -> {
                fut.setResult(scope);
                return Async.sleep(Duration.ofSeconds(50), "slept");
            }));
            Timeout cm = fut.await();
            assertThat(cm.when()).isEqualTo(deadline1);
            cm.reschedule(deadline2);
            assertThat(cm.when()).isEqualTo(deadline2);
            cm.reschedule(null);
            assertThat(cm.when()).isNull();
            task.cancel();
            assertThatThrownBy(task::await).isInstanceOf(CancelledError.class).isNotInstanceOf(TimeoutError.class);
            assertThat(cm.expired()).isFalse();
            assertThat(now()).isZero();
            return null;
        });
    }

    @Test
    void theScopeBodyFormRefusesANullBodyAndANanDeadline() {
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> Async.timeout(Duration.ofSeconds(1), (Timeout.Body<String>) null))
                    .isInstanceOf(NullPointerException.class).hasMessage("body");
            assertThatThrownBy(() -> Async.timeoutAt(1.0, (Timeout.Body<String>) null))
                    .isInstanceOf(NullPointerException.class).hasMessage("body");
            List<String> ran = new ArrayList<>();
            assertThatThrownBy(() -> Async.timeoutAt(Double.NaN, scope -> ran.add("ran")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
            Double when = Async.timeout(Duration.ofSeconds(1), scope -> {
                assertThatThrownBy(() -> scope.reschedule(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("when");
                return scope.when();
            });
            assertThat(when).isEqualTo(1.0);
            assertThat(ran).isEmpty();
            assertThat(cancelling()).isZero();
            return null;
        });
        assertThatThrownBy(() -> Async.timeout(Duration.ofSeconds(1), scope -> "x"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Async.timeoutAt(1.0, scope -> "x"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void bothBodyFormsAcceptMethodReferences() {
        // Overload resolution: a reference to a method without parameters is a Coroutine, one taking the
        // Timeout a Timeout.Body, with no cast (javac picks by arity).
        Loops.runVirtual(() -> {
            assertThat(Async.timeout(Duration.ofSeconds(1), this::scopeBody)).isEqualTo("when=1.0");
            assertThat(Async.timeoutAt(now() + 2, TimeoutTest::staticScopeBody)).isEqualTo("static when=2.0");
            assertThat(Async.timeout(Duration.ofSeconds(1), this::plainBody)).isEqualTo("plain");
            assertThat(Async.timeoutAt(now() + 2, TimeoutTest::staticPlainBody)).isEqualTo("static");
            return null;
        });
    }

    private String plainBody() {
        Async.sleep(0.1);
        return "plain";
    }

    private String scopeBody(Timeout scope) {
        return "when=" + scope.when();
    }

    private static String staticPlainBody() {
        return "static";
    }

    private static String staticScopeBody(Timeout scope) {
        return "static when=" + scope.when();
    }

    // ------------------------------------------------------------------ lifecycle, nesting and a racing cancel

    @Test
    void timeoutScopeExpiresRaisesAndCanBeRescheduled() {
        EventLoop loop = Loops.virtual();
        loop.runUntilComplete(() -> {
            Timeout[] scope = new Timeout[1];
            assertThatThrownBy(() -> {
                try (Timeout t = Async.timeout(Duration.ofSeconds(1))) {
                    scope[0] = t;
                    assertThat(t.when()).isEqualTo(1.0);
                    t.reschedule(2.0);
                    Async.sleep(5);
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(scope[0].expired()).isTrue();
            assertThat(Async.getRunningLoop().time()).isEqualTo(2.0);
            assertThatThrownBy(() -> scope[0].reschedule(3.0)).isInstanceOf(IllegalStateException.class);
            try (Timeout t = Async.timeout(null)) {
                Async.sleep(10);
                assertThat(t.expired()).isFalse();
            }
            try (Timeout t = Async.timeoutAt(Async.getRunningLoop().time() + 1)) {
                Async.sleep(0.5);
                assertThat(t.expired()).isFalse();
            }
            return null;
        });
        loop.close();
    }

    @Test
    void nestedTimeoutsTheInnerExpiresFirst() {
        Loops.runVirtual(() -> {
            List<String> seen = new ArrayList<>();
            try (Timeout outer = Async.timeout(Duration.ofSeconds(5))) {
                try (Timeout inner = Async.timeout(Duration.ofSeconds(1))) {
                    Async.sleep(10);
                } catch (TimeoutError e) {
                    seen.add("inner timed out at " + Async.getRunningLoop().time());
                }
                Async.sleep(1);
                seen.add("outer still running at " + Async.getRunningLoop().time());
                assertThat(outer.expired()).isFalse();
            }
            assertThat(seen).containsExactly("inner timed out at 1.0", "outer still running at 2.0");
            assertThat(Async.currentTask().orElseThrow().cancelling()).isZero();
            return null;
        });
    }

    @Test
    void nestedTimeoutsTheOuterExpiresFirst() {
        Loops.runVirtual(() -> {
            Timeout[] scopes = new Timeout[2];
            assertThatThrownBy(() -> {
                try (Timeout outer = Async.timeout(Duration.ofSeconds(1))) {
                    scopes[0] = outer;
                    try (Timeout inner = Async.timeout(Duration.ofSeconds(5))) {
                        scopes[1] = inner;
                        Async.sleep(10);
                    }
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(scopes[0].expired()).isTrue();
            assertThat(scopes[1].expired()).isFalse();
            assertThat(Async.currentTask().orElseThrow().cancelling()).isZero();
            return null;
        });
    }

    @Test
    void aRealCancellationDuringAnExpiringTimeoutWins() {
        Loops.runVirtual(() -> {
            Task<Void> t = Async.createTask(() -> {
                try (Timeout ignored = Async.timeout(Duration.ofSeconds(1))) {
                    Async.sleep(10);
                }
                return null;
            });
            // At t=1 both the timeout and this cancel reach the task in the same iteration.
            Async.getRunningLoop().callLater(1.0, () -> t.cancel("real"));
            assertThatThrownBy(t::await).isInstanceOf(CancelledError.class);
            assertThat(t.cancelled()).isTrue();
            return null;
        });
    }

    @Test
    void timeoutOutsideATaskIsAClearError() {
        EventLoop loop = Loops.virtual();
        loop.callSoon(() -> assertThatThrownBy(() -> Async.timeout(Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("inside a task"));
        loop.callSoon(loop::stop);
        loop.runForever();
        loop.close();
        assertThatThrownBy(() -> Async.timeout(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
    }
}
