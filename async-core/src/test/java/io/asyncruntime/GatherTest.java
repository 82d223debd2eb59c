package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Async#gather}: the rules of CPython's tasks.py, and its edges (empty and null inputs, expected values
 * checked on python3.13).
 */
class GatherTest {

    private static Coroutine<String> after(double seconds, String value) {
        return Loops.after(seconds, value);
    }


    @Test
    void gatherKeepsArgumentOrderNotCompletionOrder() {
        List<Object> r = Loops.runVirtual(() -> Async.gather(after(3, "slow"), after(1, "fast"), after(2, "mid")).await());
        assertThat(r).containsExactly("slow", "fast", "mid");
    }

    @Test
    void gatherFirstErrorPropagatesWithoutCancellingTheOthers() {
        RuntimeException boom = new RuntimeException("boom");
        Loops.runVirtual(() -> {
            Task<String> other = Async.createTask(after(2, "other"));
            Future<List<Object>> g = Async.gather(Loops.failAfter(1, boom), other);
            assertThatThrownBy(g::await).isSameAs(boom);
            assertThat(other.cancelled()).isFalse();
            assertThat(other.await()).isEqualTo("other");
            return null;
        });
    }

    /*
     * Several children already failed: gather raises the first failure in argument order, every time, not
     * whichever child's callback happened to run first.
     */
    @Test
    void gatherReportsTheFirstFailureInArgumentOrder() {
        Loops.runVirtual(() -> {
            for (int round = 0; round < 50; round++) {
                List<Future<Object>> failed = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    Future<Object> f = Async.getRunningLoop().createFuture();
                    f.setException(new IllegalStateException("child" + i));
                    failed.add(f);
                }
                assertThatThrownBy(Async.gather(failed.toArray())::await).hasMessage("child0");
                failed.forEach(Future::exception);
            }
            return null;
        });
    }

    @Test
    void gatherWithReturnExceptionsCollectsFailuresAndCancellations() {
        RuntimeException boom = new RuntimeException("boom");
        Loops.runVirtual(() -> {
            Task<String> cancelled = Async.createTask(after(5, "never"));
            Async.getRunningLoop().callLater(0.5, () -> cancelled.cancel("child cancelled"));
            List<Object> r = Async.gather(List.of(after(1, "ok"), Loops.failAfter(1, boom), cancelled), true).await();
            assertThat(r.get(0)).isEqualTo("ok");
            assertThat(r.get(1)).isSameAs(boom);
            assertThat(r.get(2)).isInstanceOf(CancelledError.class).hasFieldOrPropertyWithValue("message", "child cancelled");
            return null;
        });
    }

    @Test
    void aCancelledChildFailsGatherButDoesNotCancelIt() {
        Loops.runVirtual(() -> {
            Task<String> child = Async.createTask(after(5, "never"));
            Task<String> sibling = Async.createTask(after(2, "sibling"));
            Future<List<Object>> g = Async.gather(child, sibling);
            Async.sleep(1);
            child.cancel("only the child");
            assertThatThrownBy(g::await).isInstanceOf(CancelledError.class).hasMessage("only the child");
            assertThat(g.cancelled()).isFalse();
            assertThat(sibling.cancelled()).isFalse();
            assertThat(sibling.await()).isEqualTo("sibling");
            return null;
        });
    }

    @Test
    void cancellingGatherCancelsEveryChildNotYetDone() {
        Loops.runVirtual(() -> {
            Task<String> done = Async.createTask(after(0.5, "done"));
            Task<String> a = Async.createTask(after(5, "a"));
            Task<String> b = Async.createTask(after(5, "b"));
            Future<List<Object>> g = Async.gather(done, a, b);
            Async.sleep(1);
            assertThat(g.cancel("stop all")).isTrue();
            assertThatThrownBy(g::await).isInstanceOf(CancelledError.class);
            assertThat(a.cancelled()).isTrue();
            assertThat(b.cancelled()).isTrue();
            assertThat(done.cancelled()).isFalse();
            assertThat(g.cancel()).isFalse();
            return null;
        });
    }

    @Test
    void cancellingGatherAfterItIsDoneCancelsNothing() {
        Loops.runVirtual(() -> {
            Task<String> a = Async.createTask(after(1, "a"));
            Future<List<Object>> g = Async.gather(a);
            assertThat(g.await()).containsExactly("a");
            assertThat(g.cancel()).isFalse();
            assertThat(a.cancelled()).isFalse();
            return null;
        });
    }

    @Test
    void gatherOfTheSameAwaitableTwiceIsOneChild() {
        Loops.runVirtual(() -> {
            int[] runs = {0};
            Task<String> t = Async.createTask(() -> {
                runs[0]++;
                return "once";
            });
            assertThat(Async.gather(t, t).await()).containsExactly("once", "once");
            assertThat(runs[0]).isEqualTo(1);
            assertThat(Async.gather(List.of(), false).await()).isEmpty();
            assertThatThrownBy(() -> Async.gather("not awaitable")).isInstanceOf(IllegalArgumentException.class);
            return null;
        });
    }

    @Test
    void cancellingTheTaskAwaitingGatherCancelsTheChildren() {
        Loops.runVirtual(() -> {
            Task<String> a = Async.createTask(after(5, "a"));
            Task<List<Object>> waiter = Async.createTask(() -> Async.gather(a).await());
            Async.sleep(1);
            waiter.cancel();
            assertThatThrownBy(waiter::await).isInstanceOf(CancelledError.class);
            assertThat(a.cancelled()).isTrue();
            return null;
        });
    }


    /* python3.13: gather() returns a future that is already done, with result []. */
    @Test
    void gatherOfNothingIsADoneFutureOfAnEmptyList() {
        Loops.runVirtual(() -> {
            Future<List<Object>> none = Async.gather();
            assertThat(none.done()).isTrue();
            assertThat(none.result()).isEmpty();
            Future<List<Object>> emptyList = Async.gather(List.of(), true);
            assertThat(emptyList.done()).isTrue();
            assertThat(emptyList.await()).isEmpty();
            return null;
        });
    }

    /* python3.13: gather(None) raises TypeError; Java: NullPointerException naming the parameter. */
    @Test
    void gatherRefusesNullNamingTheParameter() {
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> Async.gather((Object[]) null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("aws");
            assertThatThrownBy(() -> Async.gather((List<?>) null, false)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("aws");
            assertThatThrownBy(() -> Async.gather(Arrays.asList(Loops.after(1, "x"), null), false))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("aws");
            assertThatThrownBy(() -> Async.gather(Loops.after(1, "x"), null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("aws");
            return null;
        });
    }
}
