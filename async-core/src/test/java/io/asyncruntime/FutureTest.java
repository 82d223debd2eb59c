package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Future's contract, after CPython's test_futures.py. */
class FutureTest {
    private final EventLoop loop = Loops.virtual();

    @AfterEach
    void closeLoop() {
        if (!loop.isRunning()) {
            loop.close();
        }
    }

    @Test
    void initialState() {
        Future<Integer> f = loop.createFuture();
        assertThat(f.done()).isFalse();
        assertThat(f.cancelled()).isFalse();
        assertThat(f.state()).isEqualTo(java.util.concurrent.Future.State.RUNNING);
        assertThatThrownBy(f::result).isInstanceOf(InvalidStateError.class);
        assertThatThrownBy(f::exception).isInstanceOf(InvalidStateError.class);
        assertThat(f.getLoop()).isSameAs(loop);
        assertThat(f).hasToString("<Future pending>");
    }

    @Test
    void cancel() {
        Future<Integer> f = loop.createFuture();
        assertThat(f.cancel()).isTrue();
        assertThat(f.cancelled()).isTrue();
        assertThat(f.done()).isTrue();
        assertThat(f.state()).isEqualTo(java.util.concurrent.Future.State.CANCELLED);
        assertThatThrownBy(f::result).isInstanceOf(CancelledError.class);
        assertThatThrownBy(f::exception).isInstanceOf(CancelledError.class);
        assertThatThrownBy(() -> f.setResult(1)).isInstanceOf(InvalidStateError.class);
        assertThatThrownBy(() -> f.setException(new RuntimeException())).isInstanceOf(InvalidStateError.class);
        assertThat(f.cancel()).isFalse();
    }

    @Test
    void cancelMessageReachesTheCancelledError() {
        Future<Integer> f = loop.createFuture();
        f.cancel("my message");
        assertThatThrownBy(f::result).isInstanceOf(CancelledError.class).hasMessage("my message");
        assertThatThrownBy(f::exception).isInstanceOf(CancelledError.class).hasMessage("my message");
    }

    @Test
    void result() {
        Future<Integer> f = loop.createFuture();
        f.setResult(42);
        assertThat(f.done()).isTrue();
        assertThat(f.cancelled()).isFalse();
        assertThat(f.result()).isEqualTo(42);
        assertThat(f.exception()).isNull();
        assertThat(f.state()).isEqualTo(java.util.concurrent.Future.State.SUCCESS);
        assertThatThrownBy(() -> f.setResult(43)).isInstanceOf(InvalidStateError.class);
        assertThat(f.cancel()).isFalse();
        assertThat(f).hasToString("<Future finished result=42>");
    }

    @Test
    void exceptionIsTheVeryObjectSet() {
        Future<Integer> f = loop.createFuture();
        RuntimeException boom = new RuntimeException("boom");
        f.setException(boom);
        assertThat(f.state()).isEqualTo(java.util.concurrent.Future.State.FAILED);
        assertThat(f.exception()).isSameAs(boom);
        assertThatThrownBy(f::result).isSameAs(boom);
        assertThatThrownBy(() -> f.setException(new RuntimeException())).isInstanceOf(InvalidStateError.class);
    }

    @Test
    void awaitRethrowsACheckedExceptionUnwrapped() {
        IOException io = new IOException("disk");
        Future<Integer> f = loop.createFuture();
        Throwable thrown = loop.runUntilComplete(() -> {
            Async.getRunningLoop().callSoon(() -> f.setException(io));
            try {
                f.await();
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        assertThat(thrown).isSameAs(io);
    }

    @Test
    void badExceptionsAreRefused() {
        Future<Integer> f = loop.createFuture();
        assertThatThrownBy(() -> f.setException(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> f.setException(new CancelledError())).isInstanceOf(IllegalArgumentException.class);
        assertThat(f.done()).isFalse();
    }

    @Test
    void callbacksRunOnTheLoopInOrderNotSynchronously() {
        List<String> calls = new ArrayList<>();
        Future<String> f = loop.createFuture();
        f.addDoneCallback(x -> calls.add("1:" + x.result()));
        f.addDoneCallback(x -> calls.add("2:" + x.result()));
        f.addDoneCallback(x -> calls.add("3:" + x.result()));
        f.setResult("r");
        assertThat(calls).isEmpty();
        loop.runUntilComplete(() -> {
            Async.sleep(0);
            return null;
        });
        assertThat(calls).containsExactly("1:r", "2:r", "3:r");
    }

    @Test
    void aCallbackAddedWhenDoneIsScheduledAtOnce() {
        List<String> calls = new ArrayList<>();
        Future<String> f = loop.createFuture();
        f.setResult("r");
        f.addDoneCallback(x -> calls.add("late"));
        assertThat(calls).isEmpty();
        loop.runUntilComplete(() -> {
            Async.sleep(0);
            return null;
        });
        assertThat(calls).containsExactly("late");
    }

    @Test
    void removeDoneCallbackReturnsHowManyWereRemoved() {
        List<String> calls = new ArrayList<>();
        Future<String> f = loop.createFuture();
        Consumer<Future<String>> a = x -> calls.add("a");
        Consumer<Future<String>> b = x -> calls.add("b");
        f.addDoneCallback(a);
        f.addDoneCallback(b);
        f.addDoneCallback(a);
        assertThat(f.removeDoneCallback(a)).isEqualTo(2);
        assertThat(f.removeDoneCallback(a)).isZero();
        f.setResult("x");
        loop.runUntilComplete(() -> {
            Async.sleep(0);
            return null;
        });
        assertThat(calls).containsExactly("b");
    }

    @Test
    void aCallbackThatThrowsGoesToTheExceptionHandlerAndTheLoopGoesOn() {
        List<ExceptionContext> errors = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, ctx) -> errors.add(ctx));
        Future<String> f = loop.createFuture();
        RuntimeException boom = new RuntimeException("callback failed");
        f.addDoneCallback(x -> {
            throw boom;
        });
        List<String> after = new ArrayList<>();
        f.addDoneCallback(x -> after.add("still called"));
        f.setResult("x");
        loop.runUntilComplete(() -> {
            Async.sleep(0);
            return null;
        });
        assertThat(after).containsExactly("still called");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).exception()).isSameAs(boom);
        assertThat(errors.get(0).future()).isSameAs(f);
    }

    @Test
    void awaitOutsideATaskIsAClearError() {
        Future<String> f = loop.createFuture();
        assertThatThrownBy(f::await).isInstanceOf(IllegalStateException.class).hasMessageContaining("outside of a task");
        f.setResult("done");
        assertThatThrownBy(f::await).isInstanceOf(IllegalStateException.class).hasMessageContaining("outside of a task");
    }

    @Test
    void awaitingAFutureOfAnotherLoopIsRefused() {
        EventLoop other = Loops.virtual();
        Future<String> foreign = other.createFuture();
        assertThatThrownBy(() -> loop.runUntilComplete(() -> foreign.await()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("different loop");
        other.close();
    }

    @Test
    void awaitingADoneFutureDoesNotYield() {
        List<String> order = new ArrayList<>();
        loop.runUntilComplete(() -> {
            Future<String> f = Async.getRunningLoop().createFuture();
            f.setResult("ready");
            Async.createTask(() -> order.add("other task"));
            order.add(f.await());
            order.add("after await");
            return null;
        });
        assertThat(order).containsExactly("ready", "after await", "other task");
    }

    /*
     * A task that cancels itself and then awaits a future already done gets its value (CPython: awaiting a done
     * future does not yield); the pending cancel is raised at the next real suspension.
     */
    @Test
    void aPendingSelfCancelIsNotRaisedByAwaitingAFutureThatIsAlreadyDone() {
        List<String> seen = new ArrayList<>();
        Loops.runVirtual(() -> {
            Future<Integer> done = Async.getRunningLoop().createFuture();
            done.setResult(1);
            Async.currentTask().orElseThrow().cancel();
            seen.add("await returned " + done.await()); // CPython: awaiting a done future does not yield
            try {
                Async.sleep(0);
                seen.add("not cancelled");
            } catch (CancelledError e) {
                seen.add("cancelled at the next real suspension");
                Async.currentTask().orElseThrow().uncancel();
            }
            return null;
        });
        assertThat(seen).containsExactly("await returned 1", "cancelled at the next real suspension");
    }

    @Test
    void mutatorsFromAnotherThreadWhileTheLoopRunsAreRefused() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.start("future-thread-check")) {
            Future<String> f = runtime.run(() -> Async.getRunningLoop().createFuture());
            assertThatThrownBy(() -> f.setResult("x")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Non-thread-safe operation setResult");
            assertThatThrownBy(() -> f.cancel()).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> f.addDoneCallback(x -> { })).isInstanceOf(IllegalStateException.class);
            assertThat(f.done()).isFalse();
            runtime.loop().callSoonThreadsafe(() -> f.setResult("from the loop"));
            assertThat(runtime.run(f::await)).isEqualTo("from the loop");
        }
    }

    @Test
    void anExceptionNobodyRetrievedIsReportedWhenTheFutureIsCollected() throws Exception {
        List<ExceptionContext> errors = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, ctx) -> errors.add(ctx));
        RuntimeException lost = new RuntimeException("nobody looked");
        failAndForget(lost);
        Future<String> retrieved = loop.createFuture();
        retrieved.setException(new RuntimeException("looked at"));
        assertThat(retrieved.exception()).hasMessage("looked at");
        retrieved = null;
        for (int i = 0; i < 200 && errors.isEmpty(); i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(errors).extracting(ExceptionContext::exception).containsExactly(lost);
        assertThat(errors.get(0).message()).isEqualTo("Future exception was never retrieved");
    }

    private void failAndForget(RuntimeException e) {
        Future<String> f = loop.createFuture();
        f.setException(e);
    }
}
