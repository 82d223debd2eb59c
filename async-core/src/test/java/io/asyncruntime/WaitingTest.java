package io.asyncruntime;

import static io.asyncruntime.Loops.after;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Async#wait} and {@link Async#asCompleted}: the rules of CPython's tasks.py, then their edges (zero,
 * negative and huge timeouts, empty and null inputs; expected values checked on python3.13, asyncio 3.13.0).
 */
class WaitingTest {

    // ------------------------------------------------------------------ rules

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

    // ------------------------------------------------------------------ edges

    /* python3.13: wait([pending, done], timeout=0 or -1) returns done={done}, pending={pending}, cancels nothing. */
    @Test
    void waitAtOrBelowZeroReportsWhatIsDoneAndCancelsNothing() {
        Loops.runVirtual(() -> {
            EventLoop loop = Async.getRunningLoop();
            for (Duration timeout : List.of(Duration.ZERO, Duration.ofSeconds(-1), Duration.ofSeconds(Long.MIN_VALUE))) {
                Future<Integer> pending = loop.createFuture();
                Future<Integer> done = loop.createFuture();
                done.setResult(1);
                WaitResult r = Async.wait(List.of(pending, done), timeout, ReturnWhen.ALL_COMPLETED);
                assertThat(r.done()).containsExactly(done);
                assertThat(r.pending()).containsExactly(pending);
                assertThat(pending.cancelled()).isFalse();
                pending.cancel();
            }
            assertThat(loop.time()).isEqualTo(0.0);
            return null;
        });
    }

    /* python3.13: wait([new task that returns at once, pending], timeout=-1): the task is reported done. */
    @Test
    void waitAtOrBelowZeroStillLetsReadyTasksFinish() {
        Loops.runVirtual(() -> {
            Task<String> quick = Async.createTask(() -> "q");
            Future<String> pending = Async.getRunningLoop().createFuture();
            WaitResult r = Async.wait(List.of(quick, pending), Duration.ofSeconds(-1), ReturnWhen.ALL_COMPLETED);
            assertThat(r.done()).containsExactly(quick);
            assertThat(r.pending()).containsExactly(pending);
            pending.cancel();
            return null;
        });
    }

    @Test
    void waitWithAHugeTimeoutWaitsForCompletion() {
        Loops.runVirtual(() -> {
            Task<String> late = Async.createTask(Loops.after(50, "late"));
            WaitResult r = Async.wait(List.of(late), Duration.ofSeconds(Long.MAX_VALUE), ReturnWhen.ALL_COMPLETED);
            assertThat(r.done()).containsExactly(late);
            assertThat(Async.getRunningLoop().time()).isEqualTo(50.0);
            return null;
        });
    }

    /* python3.13: wait([]) and wait(set()) raise ValueError("Set of Tasks/Futures is empty."). */
    @Test
    void waitRefusesEmptyAndNullInputsNamingTheParameter() {
        Loops.runVirtual(() -> {
            Future<String> f = Async.getRunningLoop().createFuture();
            assertThatThrownBy(() -> Async.wait(List.of(), null, ReturnWhen.ALL_COMPLETED))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aws").hasMessageContaining("empty");
            assertThatThrownBy(() -> Async.wait(null, null, ReturnWhen.ALL_COMPLETED))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("aws");
            assertThatThrownBy(() -> Async.wait(Arrays.asList(f, null), null, ReturnWhen.ALL_COMPLETED))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("aws");
            assertThatThrownBy(() -> Async.wait(List.of(f), null, null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("when");
            f.cancel();
            return null;
        });
    }

    /* python3.13: list(as_completed([])) is [] and with a timeout too; nothing to time out. */
    @Test
    void asCompletedOfNothingYieldsNothing() {
        Loops.runVirtual(() -> {
            assertThat(Async.asCompleted(List.of(), null)).isEmpty();
            assertThat(Async.asCompleted(List.of(), Duration.ZERO)).isEmpty();
            assertThat(Async.asCompleted(List.of(), Duration.ofSeconds(-1)).iterator().hasNext()).isFalse();
            return null;
        });
    }

    /* python3.13: as_completed([pending, done], timeout=0 or -1) yields done's result, then raises TimeoutError. */
    @Test
    void asCompletedAtOrBelowZeroYieldsWhatIsDoneThenTimesOut() {
        Loops.runVirtual(() -> {
            EventLoop loop = Async.getRunningLoop();
            for (Duration timeout : List.of(Duration.ZERO, Duration.ofSeconds(-1))) {
                Future<Object> pending = loop.createFuture();
                Future<Object> done = loop.createFuture();
                done.setResult(1);
                List<Object> got = new ArrayList<>();
                assertThatThrownBy(() -> {
                    for (Awaitable<Object> next : Async.asCompleted(List.of(pending, done), timeout)) {
                        got.add(next.await());
                    }
                }).isInstanceOf(TimeoutError.class);
                assertThat(got).containsExactly(1);
                assertThat(pending.cancelled()).isFalse();
                pending.cancel();
            }
            return null;
        });
    }

    /* python3.13: as_completed([new task that returns at once, pending], timeout=-1): TimeoutError comes first. */
    @Test
    void asCompletedAtOrBelowZeroTimesOutBeforeATaskThatHasNotRunYet() {
        Loops.runVirtual(() -> {
            Task<Object> quick = Async.createTask(() -> "q");
            Future<Object> pending = Async.getRunningLoop().createFuture();
            List<Object> got = new ArrayList<>();
            assertThatThrownBy(() -> {
                for (Awaitable<Object> next : Async.asCompleted(List.of(quick, pending), Duration.ofSeconds(-1))) {
                    got.add(next.await());
                }
            }).isInstanceOf(TimeoutError.class);
            assertThat(got).isEmpty();
            pending.cancel();
            return null;
        });
    }

    /* python3.13: as_completed(None) raises TypeError; Java: NullPointerException naming the parameter. */
    @Test
    void asCompletedRefusesNullNamingTheParameter() {
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> Async.asCompleted(null, null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("aws");
            assertThatThrownBy(() -> Async.asCompleted(Arrays.asList((Object) null), null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("aws");
            return null;
        });
    }
}
