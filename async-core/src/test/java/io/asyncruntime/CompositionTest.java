package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** shield, waitFor, wait, asCompleted, Timeout, toThread, wrapFuture: the rules of tasks.py and timeouts.py (gather: GatherTest). */
class CompositionTest {

    private static Coroutine<String> after(double seconds, String value) {
        return Loops.after(seconds, value);
    }


    // ------------------------------------------------------------------ shield

    @Test
    void shieldProtectsTheInnerTaskFromTheOuterCancellation() {
        Loops.runVirtual(() -> {
            Task<String> inner = Async.createTask(after(2, "inner"));
            Task<String> outer = Async.createTask(() -> Async.<String>shield(inner).await());
            Async.sleep(1);
            outer.cancel();
            assertThatThrownBy(outer::await).isInstanceOf(CancelledError.class);
            assertThat(inner.cancelled()).isFalse();
            assertThat(inner.await()).isEqualTo("inner");
            return null;
        });
    }

    @Test
    void cancellingTheInnerTaskCancelsTheShield() {
        Loops.runVirtual(() -> {
            Task<String> inner = Async.createTask(after(2, "inner"));
            Future<String> shielded = Async.shield(inner);
            Async.sleep(1);
            inner.cancel();
            assertThatThrownBy(shielded::await).isInstanceOf(CancelledError.class);
            assertThat(shielded.cancelled()).isTrue();
            Future<String> done = Async.getRunningLoop().createFuture();
            done.setResult("x");
            assertThat(Async.<String>shield(done)).isSameAs(done);
            return null;
        });
    }

    // ------------------------------------------------------------------ waitFor and Timeout

    @Test
    void waitForReturnsInTimeAndNullMeansNoLimit() {
        Loops.runVirtual(() -> {
            assertThat(Async.<String>waitFor(after(1, "in time"), Duration.ofSeconds(2))).isEqualTo("in time");
            assertThat(Async.<String>waitFor(after(100, "no limit"), null)).isEqualTo("no limit");
            return null;
        });
        assertThatThrownBy(() -> Async.waitFor(after(1, "x"), Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void waitForCancelsAndWaitsForTheCleanupBeforeTimingOut() {
        List<String> order = new ArrayList<>();
        EventLoop loop = Loops.virtual();
        loop.runUntilComplete(() -> {
            Task<String> slow = Async.createTask(() -> {
                try {
                    Async.sleep(10);
                    return "slow";
                } catch (CancelledError e) {
                    order.add("cleanup starts at " + Async.getRunningLoop().time());
                    Async.sleep(0.5); // a cleanup that itself awaits
                    order.add("cleanup done at " + Async.getRunningLoop().time());
                    throw e;
                }
            });
            try {
                Async.waitFor(slow, Duration.ofSeconds(1));
            } catch (TimeoutError e) {
                order.add("timeout at " + Async.getRunningLoop().time());
                assertThat(e.getCause()).isInstanceOf(CancelledError.class);
            }
            assertThat(slow.cancelled()).isTrue();
            assertThat(Async.currentTask().orElseThrow().cancelling()).isZero();
            return null;
        });
        loop.close();
        assertThat(order).containsExactly("cleanup starts at 1.0", "cleanup done at 1.5", "timeout at 1.5");
    }

    @Test
    void waitForWhoseAwaitableRefusesCancellationReturnsItsValue() {
        String r = Loops.runVirtual(() -> Async.<String>waitFor((Coroutine<String>) () -> {
            try {
                Async.sleep(10);
                return "slept";
            } catch (CancelledError e) {
                return "refused";
            }
        }, Duration.ofSeconds(1)));
        // As in asyncio: the inline coroutine sees CancelledError, refuses it, and waitFor returns its value.
        assertThat(r).isEqualTo("refused");
    }

    @Test
    void cancellingTheWaitCancelsTheAwaitableToo() {
        Loops.runVirtual(() -> {
            Task<String> inner = Async.createTask(after(10, "inner"));
            Task<String> waiter = Async.createTask(() -> Async.waitFor(inner, Duration.ofSeconds(5)));
            Async.sleep(1);
            waiter.cancel("outer cancel");
            assertThatThrownBy(waiter::await).isInstanceOf(CancelledError.class).isNotInstanceOf(TimeoutError.class);
            assertThat(inner.cancelled()).isTrue();
            return null;
        });
    }

    @Test
    void anErrorDuringCancellationPropagates() {
        IllegalStateException cleanupFailed = new IllegalStateException("cleanup failed");
        Loops.runVirtual(() -> {
            Coroutine<String> badCleanup = () -> {
                try {
                    Async.sleep(10);
                    return "x";
                } catch (CancelledError e) {
                    throw cleanupFailed;
                }
            };
            Task<String> inner = Async.createTask(badCleanup);
            assertThatThrownBy(() -> Async.waitFor(inner, Duration.ofSeconds(1))).isSameAs(cleanupFailed);
            return null;
        });
    }

    @Test
    void waitForWithZeroTimeoutChecksOnce() {
        Loops.runVirtual(() -> {
            Future<String> done = Async.getRunningLoop().createFuture();
            done.setResult("ready");
            assertThat(Async.<String>waitFor(done, Duration.ZERO)).isEqualTo("ready");
            Task<String> slow = Async.createTask(after(1, "slow"));
            assertThatThrownBy(() -> Async.waitFor(slow, Duration.ZERO)).isInstanceOf(TimeoutError.class);
            assertThat(slow.cancelled()).isTrue();
            return null;
        });
    }

    @Test
    void insideWaitForTheCoroutineSeesCancelledErrorAsInAsyncio() {
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> Async.waitFor((Coroutine<String>) () -> {
                try {
                    Async.sleep(10);
                    return "x";
                } catch (CancelledError e) {
                    seen.add("cleanup on CancelledError");
                    throw e;
                }
            }, Duration.ofSeconds(1))).isInstanceOf(TimeoutError.class).hasCauseInstanceOf(CancelledError.class);
            return null;
        });
        assertThat(seen).containsExactly("cleanup on CancelledError");
    }

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

    // ------------------------------------------------------------------ wait and asCompleted

    @Test
    void waitFirstCompleted() {
        Loops.runVirtual(() -> {
            Task<String> fast = Async.createTask(after(1, "fast"));
            Task<String> slow = Async.createTask(after(3, "slow"));
            WaitResult r = Async.wait(List.of(fast, slow), null, ReturnWhen.FIRST_COMPLETED);
            assertThat(r.done()).containsExactly(fast);
            assertThat(r.pending()).containsExactly(slow);
            assertThat(Async.getRunningLoop().time()).isEqualTo(1.0);
            return null;
        });
    }

    @Test
    void waitFirstExceptionAndAllCompleted() {
        RuntimeException boom = new RuntimeException("boom");
        Loops.runVirtual(() -> {
            Task<String> ok = Async.createTask(after(1, "ok"));
            Task<String> bad = Async.createTask(Loops.failAfter(2, boom));
            Task<String> slow = Async.createTask(after(5, "slow"));
            WaitResult r = Async.wait(List.of(ok, bad, slow), null, ReturnWhen.FIRST_EXCEPTION);
            assertThat(r.done()).containsExactlyInAnyOrder(ok, bad);
            assertThat(r.pending()).containsExactly(slow);
            WaitResult all = Async.wait(List.of(ok, bad, slow), null, ReturnWhen.ALL_COMPLETED);
            assertThat(all.done()).hasSize(3);
            assertThat(all.pending()).isEmpty();
            assertThat(bad.exception()).isSameAs(boom); // retrieved: no "exception was never retrieved" at GC
            assertThat(Async.getRunningLoop().time()).isEqualTo(5.0);
            return null;
        });
    }

    @Test
    void waitTimeoutReturnsPendingWithoutRaisingOrCancelling() {
        Loops.runVirtual(() -> {
            Task<String> slow = Async.createTask(after(5, "slow"));
            WaitResult r = Async.wait(List.of(slow, after(0.5, "coroutine becomes a task")), Duration.ofSeconds(1), ReturnWhen.ALL_COMPLETED);
            assertThat(r.pending()).containsExactly(slow);
            assertThat(r.done()).hasSize(1).allMatch(f -> f instanceof Task<?>);
            assertThat(slow.cancelled()).isFalse();
            assertThat(Async.getRunningLoop().time()).isEqualTo(1.0);
            return null;
        });
    }

    @Test
    void asCompletedYieldsInCompletionOrderThenTimesOut() {
        Loops.runVirtual(() -> {
            List<Object> order = new ArrayList<>();
            for (Awaitable<Object> next : Async.asCompleted(List.of(after(3, "c"), after(1, "a"), after(2, "b")), null)) {
                order.add(next.await());
            }
            assertThat(order).containsExactly("a", "b", "c");
            List<Object> partial = new ArrayList<>();
            assertThatThrownBy(() -> {
                for (Awaitable<Object> next : Async.asCompleted(List.of(after(1, "quick"), after(10, "slow")), Duration.ofSeconds(2))) {
                    partial.add(next.await());
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(partial).containsExactly("quick");
            return null;
        });
    }

    // ------------------------------------------------------------------ threads

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

    @Test
    void wrapFutureCompletesOnTheLoopAndCancelsTheSource() {
        Async.run(() -> {
            CompletableFuture<String> cf = new CompletableFuture<>();
            Future<String> wrapped = Async.wrapFuture(cf);
            Thread.ofPlatform().start(() -> cf.complete("from another thread"));
            assertThat(wrapped.await()).isEqualTo("from another thread");

            CompletableFuture<String> failing = new CompletableFuture<>();
            IllegalStateException boom = new IllegalStateException("source failed");
            failing.completeExceptionally(boom);
            assertThatThrownBy(Async.wrapFuture(failing)::await).isSameAs(boom);

            CompletableFuture<String> never = new CompletableFuture<>();
            Future<String> w = Async.wrapFuture(never);
            w.cancel();
            Async.sleep(0);
            assertThat(never.isCancelled()).isTrue();

            java.util.concurrent.FutureTask<String> plain = new java.util.concurrent.FutureTask<>(() -> "plain");
            Thread.ofPlatform().start(plain);
            assertThat(Async.wrapFuture(plain).await()).isEqualTo("plain");
            return null;
        });
    }
}
