package io.asyncruntime;

import static io.asyncruntime.Loops.after;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Async#waitFor} (asyncio's {@code wait_for}): the rules of CPython's tasks.py; its zero, negative, huge and
 * null timeouts are in AsyncTest, a Timeout scope around it in TimeoutTest.
 */
class WaitForTest {

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
}
