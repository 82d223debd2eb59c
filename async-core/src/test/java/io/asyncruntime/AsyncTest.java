package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Async's own functions: sleep and waitFor at their edges (zero, negative, infinite and NaN delays), toThread,
 * and null inputs. Expected values were checked on python3.13 (asyncio 3.13.0) unless a comment says Java-only.
 */
class AsyncTest {

    // ------------------------------------------------------------------ sleep

    /* python3.13: sleep(-1) and sleep(-inf) return at once; a task made ready before runs first (a yield). */
    @Test
    void sleepAtOrBelowZeroIsAPureYieldThatReturnsItsResult() {
        Loops.runVirtual(() -> {
            List<String> order = new ArrayList<>();
            Async.createTask(() -> order.add("other"));
            Async.sleep(-1.0);
            order.add("me");
            assertThat(order).containsExactly("other", "me");
            assertThat(Async.sleep(Duration.ofSeconds(-1), "r")).isEqualTo("r");
            Async.sleep(Double.NEGATIVE_INFINITY);
            Async.sleep(Duration.ofSeconds(Long.MIN_VALUE));
            assertThat(Async.getRunningLoop().time()).isEqualTo(0.0);
            return null;
        });
    }

    /* python3.13: a task cancelled while in sleep(-1) gets CancelledError. */
    @Test
    void aCancelDuringANegativeSleepRaisesCancelledError() {
        Loops.runVirtual(() -> {
            Task<String> t = Async.createTask(() -> Async.sleep(Duration.ofMillis(-5), "no"));
            Async.sleep(0);
            t.cancel("stop");
            assertThatThrownBy(t::await).isInstanceOf(CancelledError.class).hasMessage("stop");
            return null;
        });
    }

    /* python3.13: sleep(inf) stays pending until cancelled. */
    @Test
    void sleepForInfinityOrAHugeDurationLastsUntilCancelled() {
        Loops.runVirtual(() -> {
            Task<Void> inf = Async.createTask(() -> {
                Async.sleep(Double.POSITIVE_INFINITY);
                return null;
            });
            Task<String> huge = Async.createTask(() -> Async.sleep(Duration.ofSeconds(Long.MAX_VALUE), "never"));
            Async.sleep(1e6);
            assertThat(inf.done()).isFalse();
            assertThat(huge.done()).isFalse();
            inf.cancel();
            huge.cancel();
            assertThatThrownBy(inf::await).isInstanceOf(CancelledError.class);
            assertThatThrownBy(huge::await).isInstanceOf(CancelledError.class);
            return null;
        });
    }

    /* python3.13: sleep(nan) raises ValueError("Invalid delay: NaN (not a number)"). */
    @Test
    void sleepRefusesNaNNamingTheParameter() {
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> Async.sleep(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("seconds").hasMessageContaining("NaN");
            assertThatThrownBy(() -> Async.sleep((Duration) null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("delay");
            assertThatThrownBy(() -> Async.sleep(null, "r")).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("delay");
            return null;
        });
    }

    // ------------------------------------------------------------------ waitFor

    /*
     * python3.13, wait_for(coro, 0), (coro, -1) and (coro, -inf): TimeoutError whose __cause__ is a
     * CancelledError, and the coroutine never ran a line (3.12+ wraps it in a task and cancels it first).
     */
    @Test
    void waitForAtOrBelowZeroCancelsACoroutineBeforeItRuns() {
        Loops.runVirtual(() -> {
            List<String> ran = new ArrayList<>();
            for (Duration timeout : List.of(Duration.ZERO, Duration.ofSeconds(-1), Duration.ofSeconds(Long.MIN_VALUE))) {
                assertThatThrownBy(() -> Async.waitFor((Coroutine<String>) () -> {
                    ran.add("started");
                    return "quick";
                }, timeout)).isInstanceOf(TimeoutError.class).hasCauseInstanceOf(CancelledError.class);
            }
            assertThat(ran).isEmpty();
            assertThat(Async.getRunningLoop().time()).isEqualTo(0.0);
            return null;
        });
    }

    /* python3.13: wait_for(done future, -1) gives its result; a failed one raises its very exception. */
    @Test
    void waitForAtOrBelowZeroGivesADoneFuturesOutcome() {
        Loops.runVirtual(() -> {
            EventLoop loop = Async.getRunningLoop();
            Future<Integer> done = loop.createFuture();
            done.setResult(7);
            assertThat(Async.<Integer>waitFor(done, Duration.ofSeconds(-1))).isEqualTo(7);
            Future<Integer> failed = loop.createFuture();
            IllegalStateException boom = new IllegalStateException("k");
            failed.setException(boom);
            assertThatThrownBy(() -> Async.waitFor(failed, Duration.ZERO)).isSameAs(boom);
            return null;
        });
    }

    /* python3.13: wait_for(pending future, -1) cancels it and raises TimeoutError. */
    @Test
    void waitForAtOrBelowZeroCancelsAPendingFuture() {
        Loops.runVirtual(() -> {
            Future<String> pending = Async.getRunningLoop().createFuture();
            assertThatThrownBy(() -> Async.waitFor(pending, Duration.ofMillis(-1))).isInstanceOf(TimeoutError.class);
            assertThat(pending.cancelled()).isTrue();
            return null;
        });
    }

    /* python3.13: a started task that catches the cancel and returns "suppressed" makes wait_for(t, 0) return it. */
    @Test
    void waitForAtOrBelowZeroReturnsTheValueOfATaskThatRefusesTheCancel() {
        Loops.runVirtual(() -> {
            Task<String> stubborn = Async.createTask(() -> {
                try {
                    Async.sleep(10);
                    return "slept";
                } catch (CancelledError e) {
                    return "suppressed";
                }
            });
            Async.sleep(0);
            assertThat(Async.<String>waitFor(stubborn, Duration.ofSeconds(-3))).isEqualTo("suppressed");
            assertThat(Async.getRunningLoop().time()).isEqualTo(0.0);
            return null;
        });
    }

    /* python3.13: wait_for(coro, inf) is no limit. Java-only: a Duration too long for nanoseconds is no limit. */
    @Test
    void waitForAHugeTimeoutIsNoLimit() {
        Loops.runVirtual(() -> {
            assertThat(Async.<String>waitFor(Loops.after(100, "late"), Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo("late");
            assertThat(Async.getRunningLoop().time()).isEqualTo(100.0);
            return null;
        });
    }

    /* python3.13: wait_for(None, t) raises TypeError; Java: NullPointerException naming the parameter. */
    @Test
    void waitForRefusesNullNamingTheParameter() {
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> Async.waitFor(null, Duration.ZERO)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("aw");
            assertThatThrownBy(() -> Async.waitFor("text", Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("java.lang.String");
            return null;
        });
    }

    // ------------------------------------------------------------------ toThread

    @Test
    void toThreadCarriesContextVariablesAndNeverBlocksTheLoop() {
        ContextVar<String> request = new ContextVar<>("request");
        String seen = Async.run(() -> {
            request.set("req-1");
            Thread loopThread = Async.getRunningLoop().loopThread();
            Task<String> ticker = Async.createTask(() -> {
                Async.sleep(0.01);
                return "loop kept running";
            });
            String fromThread = Async.toThread(() -> {
                assertThat(Thread.currentThread()).isNotSameAs(loopThread);
                Thread.sleep(100);
                return request.get();
            });
            assertThat(ticker.done()).isTrue();
            return fromThread + "/" + ticker.await();
        });
        assertThat(seen).isEqualTo("req-1/loop kept running");
    }

    // ------------------------------------------------------------------ null inputs

    /* python3.13: shield(None), ensure_future(None) raise TypeError, wrap_future(None) AssertionError,
       create_task(None) TypeError. Java: NullPointerException naming the parameter. */
    @Test
    void compositionFunctionsRefuseNullNamingTheParameter() {
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> Async.shield(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("aw");
            assertThatThrownBy(() -> Async.ensureFuture(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("obj");
            assertThatThrownBy(() -> Async.wrapFuture(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("source");
            assertThatThrownBy(() -> Async.createTask(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("coro");
            assertThatThrownBy(() -> Async.createTask(null, "named")).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("coro");
            assertThatThrownBy(() -> Async.await(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("coro");
            assertThatThrownBy(() -> Async.toThread(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
            try (TaskGroup tg = new TaskGroup()) {
                assertThatThrownBy(() -> tg.createTask(null)).isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("coro");
            }
            return null;
        });
        assertThatThrownBy(() -> Async.runCoroutineThreadsafe(() -> "x", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("loop");
    }

    /* python3.13: shield(done future) returns it as is. */
    @Test
    void shieldOfADoneFutureIsThatFuture() {
        Loops.runVirtual(() -> {
            Future<String> done = Async.getRunningLoop().createFuture();
            done.setResult("ok");
            assertThat(Async.<String>shield(done)).isSameAs(done);
            return null;
        });
    }
}
