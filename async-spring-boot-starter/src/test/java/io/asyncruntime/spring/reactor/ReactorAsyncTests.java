package io.asyncruntime.spring.reactor;

import static io.asyncruntime.spring.TaskOutcomes.awaitDone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.CancelledError;
import io.asyncruntime.EventLoop;
import io.asyncruntime.Task;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** Tasks as Monos and Monos awaited in tasks: values, emptiness, errors and cancellation, both ways. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReactorAsyncTests {
    /* Generous: real threads meet here (the runtime's loop, the test thread). */
    private static final Duration BOUND = Duration.ofSeconds(20);

    private static AsyncRuntime runtime;

    @BeforeAll
    static void startRuntime() {
        runtime = AsyncRuntime.start("reactor-tests");
    }

    @AfterAll
    static void closeRuntime() {
        runtime.close();
    }

    // ---- Task -> Mono

    @Test
    void toMonoEmitsTheResultOfTheTaskOnceItIsDone() {
        Task<String> task = runtime.createTask(() -> Async.sleep(Duration.ofMillis(10), "done"), "producer");

        StepVerifier.create(ReactorAsync.toMono(task)).expectNext("done").expectComplete().verify(BOUND);
    }

    @Test
    void toMonoOfATaskAlreadyDoneAnswersAtOnce() throws Exception {
        Task<Integer> task = awaitDone(runtime.createTask(() -> 42, "answer"));

        StepVerifier.create(ReactorAsync.toMono(task)).expectNext(42).expectComplete().verify(BOUND);
    }

    @Test
    void toMonoOfATaskThatReturnsNullCompletesEmpty() {
        Task<String> task = runtime.createTask(() -> null, "nothing");

        StepVerifier.create(ReactorAsync.toMono(task)).expectComplete().verify(BOUND);
    }

    @Test
    void toMonoOfAFailedTaskSignalsTheVeryException() {
        IOException failure = new IOException("disk gone");
        Task<String> task = runtime.createTask(() -> {
            Async.sleep(0);
            throw failure;
        }, "failing");

        StepVerifier.create(ReactorAsync.toMono(task)).expectErrorSatisfies(e -> assertThat(e).isSameAs(failure))
                .verify(BOUND);
    }

    @Test
    void toMonoOfACancelledTaskSignalsCancelledErrorWithItsMessage() {
        Task<String> task = runtime.createTask(() -> Async.sleep(Duration.ofHours(1), "never"), "victim");
        runtime.loop().callSoonThreadsafe(() -> task.cancel("stopped by a colleague"));

        StepVerifier.create(ReactorAsync.toMono(task))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CancelledError.class)
                        .hasMessage("stopped by a colleague"))
                .verify(BOUND);
    }

    @Test
    void cancellingTheSubscriptionCancelsTheTaskSayingWhy() throws Exception {
        Task<String> task = runtime.createTask(() -> Async.sleep(Duration.ofHours(1), "never"), "abandoned");
        Disposable subscription = ReactorAsync.toMono(task).subscribe();

        subscription.dispose();

        assertThat(awaitDone(task).cancelled()).isTrue();
        assertThat(task.cancelMessage()).hasValue(ReactorAsync.SUBSCRIPTION_CANCELLED);
    }

    @Test
    void aTimeoutOperatorCancelsTheTaskWithTheGivenMessage() throws Exception {
        Task<String> task = runtime.createTask(() -> Async.sleep(Duration.ofHours(1), "never"), "slow");

        StepVerifier.create(ReactorAsync.toMono(task, "the caller stopped waiting").timeout(Duration.ofMillis(20)))
                .expectError(java.util.concurrent.TimeoutException.class).verify(BOUND);

        assertThat(awaitDone(task).cancelled()).isTrue();
        assertThat(task.cancelMessage()).hasValue("the caller stopped waiting");
    }

    @Test
    void aFutureWhoseLoopClosedSignalsWhy() {
        EventLoop loop = new EventLoop();
        io.asyncruntime.Future<String> orphan = loop.createFuture();
        loop.close();

        StepVerifier.create(ReactorAsync.toMono(orphan))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("closed"))
                .verify(BOUND);
    }

    @Test
    void toMonoRejectsNullNamingTheParameter() {
        assertThatNullPointerException().isThrownBy(() -> ReactorAsync.toMono(null)).withMessage("future");
        Task<String> task = runtime.createTask(() -> "x", "x");
        assertThatNullPointerException().isThrownBy(() -> ReactorAsync.toMono(task, null))
                .withMessage("cancelMessage");
    }

    // ---- awaiting a Mono in a task

    @Test
    void awaitReturnsTheValueOfTheMono() {
        assertThat(Async.run(() -> ReactorAsync.await(Mono.just("hello")))).isEqualTo("hello");
    }

    @Test
    void awaitOfAnEmptyMonoReturnsNull() {
        assertThat(Async.run(() -> ReactorAsync.await(Mono.<String>empty()))).isNull();
    }

    @Test
    void awaitSuspendsTheTaskNotTheLoop() {
        List<String> order = new ArrayList<>();
        String value = Async.run(() -> {
            Sinks.One<String> later = Sinks.one();
            // This task can only run if awaiting the Mono let the loop go on.
            Async.createTask(() -> {
                order.add("other task runs");
                later.tryEmitValue("emitted by another task");
                return null;
            });
            String v = ReactorAsync.await(later.asMono());
            order.add("awaiting task resumes");
            return v;
        });

        assertThat(value).isEqualTo("emitted by another task");
        assertThat(order).containsExactly("other task runs", "awaiting task resumes");
    }

    @Test
    void awaitOfAMonoThatEmitsOnAnotherThreadResumesTheSameTaskOnItsLoop() {
        List<Object> where = runtime.run(() -> {
            Task<?> before = Async.currentTask().orElseThrow();
            Long tick = ReactorAsync.await(Mono.delay(Duration.ofMillis(5))); // emitted on a Reactor timer thread
            return List.of(tick, Async.currentTask().orElseThrow() == before, Async.getRunningLoop() == runtime.loop());
        });

        assertThat(where).containsExactly(0L, true, true);
    }

    @Test
    void aMonoErrorRaisesTheVeryExceptionInTheTask() {
        IOException failure = new IOException("upstream down");

        assertThatThrownBy(() -> Async.run(() -> ReactorAsync.await(Mono.error(failure)))).isSameAs(failure);
    }

    @Test
    void cancellingTheAwaitingTaskDisposesTheSubscription() {
        AtomicBoolean disposed = new AtomicBoolean();
        String outcome = Async.run(() -> {
            Task<Object> waiter = Async.createTask(
                    () -> ReactorAsync.await(Mono.never().doOnCancel(() -> disposed.set(true))), "waiter");
            Async.sleep(0); // the waiter subscribes and suspends
            waiter.cancel("no longer needed");
            try {
                waiter.await();
                return "not cancelled";
            } catch (CancelledError e) {
                return e.getMessage();
            }
        });

        assertThat(outcome).isEqualTo("no longer needed");
        assertThat(disposed).isTrue();
    }

    @Test
    void aCompletionStageIsAwaitedThroughCoreWrapFuture() {
        // What the README shows for a CompletionStage: core's wrap_future, no Reactor needed.
        CompletableFuture<String> stage = new CompletableFuture<>();
        String value = Async.run(() -> {
            Async.getRunningLoop().callSoon(() -> stage.complete("from a stage"));
            return Async.wrapFuture(stage.toCompletableFuture()).await();
        });

        assertThat(value).isEqualTo("from a stage");
    }

    @Test
    void awaitOutsideATaskIsRefusedWithoutSubscribing() {
        AtomicBoolean subscribed = new AtomicBoolean();
        Mono<String> mono = Mono.just("x").doOnSubscribe(s -> subscribed.set(true));

        assertThatIllegalStateException().isThrownBy(() -> ReactorAsync.await(mono))
                .withMessageStartingWith("ReactorAsync.await(mono) outside of a task: no event loop runs in");
        String inCallback = Async.run(() -> {
            io.asyncruntime.Future<String> answer = Async.getRunningLoop().createFuture();
            Async.getRunningLoop().callSoon(() -> {
                try {
                    ReactorAsync.await(mono);
                    answer.setResult("accepted");
                } catch (IllegalStateException e) {
                    answer.setResult(e.getMessage());
                }
            });
            return answer.await();
        });

        assertThat(inCallback).isEqualTo(
                "ReactorAsync.await(mono) outside of a task: the loop is running a callback, not a task");
        assertThat(subscribed).isFalse();
    }

    @Test
    void awaitRejectsANullMonoNamingTheParameter() {
        assertThatThrownBy(() -> Async.run(() -> ReactorAsync.await(null)))
                .isInstanceOf(NullPointerException.class).hasMessage("mono");
    }
}
