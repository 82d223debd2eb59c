package io.asyncruntime.spring.reactor;

import io.asyncruntime.Async;
import io.asyncruntime.CancelledError;
import io.asyncruntime.Future;
import io.asyncruntime.Task;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Bridges between tasks and Project Reactor, both ways: a {@link Future} or {@link Task} seen as a {@link Mono}
 * ({@link #toMono(Future)}), and a {@code Mono} awaited inside a task ({@link #await(Mono)}). asyncio has no
 * Reactor, but the rules are those of its {@code wrap_future}: cancellation crosses the bridge in both directions,
 * and an error arrives as the very exception object.
 *
 * <p>Threading: {@code toMono} may be called and subscribed from any thread; its signals arrive on the task's loop
 * thread (or on the subscribing thread when the task is already done), so operators after it must not block:
 * move heavy work off with {@code publishOn}. {@code await} runs on the loop thread, inside a task; the
 * {@code Mono} is subscribed there, so a source that blocks when subscribed belongs on {@code subscribeOn}.
 */
public final class ReactorAsync {
    /**
     * The message a task is cancelled with when the subscriber of {@link #toMono(Future)} cancels before the task
     * is done.
     */
    public static final String SUBSCRIPTION_CANCELLED =
            "the subscriber of the task's Mono cancelled before the task finished";

    private ReactorAsync() {
    }

    /**
     * Returns a {@link Mono} of the outcome of {@code future}; as {@link #toMono(Future, String)} with the cancel
     * message {@value #SUBSCRIPTION_CANCELLED}.
     *
     * @param <T>    the result type
     * @param future the future or task to follow
     * @return a cold {@code Mono}: it emits the result (empty for a null result), or signals the failure
     * @throws NullPointerException if {@code future} is null
     */
    public static <T> Mono<T> toMono(Future<T> future) {
        return toMono(future, SUBSCRIPTION_CANCELLED);
    }

    /**
     * Returns a {@link Mono} of the outcome of {@code future}. Each subscriber gets the result ({@code onComplete}
     * without a value for a null result), the very exception a failed future holds, or the {@link CancelledError}
     * (with its message) of a cancelled one. A subscriber that cancels before the future is done cancels the
     * future with {@code cancelMessage}: the future is shared, so any one subscriber's cancel ends it for all.
     * A future whose loop closes before it is done signals the loop's refusal as the error.
     *
     * @param <T>           the result type
     * @param future        the future or task to follow
     * @param cancelMessage the message of the {@link CancelledError} a cancelling subscriber ends the future with
     * @return a cold {@code Mono}: it follows the future only once subscribed
     * @throws NullPointerException if {@code future} or {@code cancelMessage} is null
     */
    public static <T> Mono<T> toMono(Future<T> future, String cancelMessage) {
        Objects.requireNonNull(future, "future");
        Objects.requireNonNull(cancelMessage, "cancelMessage");
        return Mono.create(sink -> {
            // Registered first: a cancel that comes while the done callback is on its way still reaches the task.
            sink.onCancel(() -> cancelSoon(future, cancelMessage));
            if (future.done()) {
                complete(future, sink);
                return;
            }
            try {
                future.getLoop().callSoonThreadsafe(() -> future.addDoneCallback(done -> complete(done, sink)));
            } catch (RuntimeException loopClosed) {
                // The future can no longer finish: say why instead of leaving the subscriber waiting forever.
                sink.error(loopClosed);
            }
        });
    }

    /**
     * Awaits {@code mono} in the current task: suspends the task, never the loop, until the {@code Mono} emits,
     * completes empty or fails. The {@code Mono} is subscribed at once, on the loop thread. Cancelling the task
     * meanwhile cancels the subscription (its {@code doOnCancel} runs, the source is disposed) and raises
     * {@link CancelledError} in the task, as awaiting any future does. The analogue of asyncio's
     * {@code await wrap_future(f)}; core's {@link Async#wrapFuture} does the same for a {@code CompletableFuture}
     * (and so for any {@code CompletionStage}, through {@code toCompletableFuture()}).
     *
     * @param <T>  the value type
     * @param mono the source to subscribe to and wait for
     * @return the value emitted, or null if the {@code Mono} completed empty
     * @throws NullPointerException if {@code mono} is null
     * @throws IllegalStateException outside a task (in another thread, or in a loop callback); the {@code Mono} is
     *         then not subscribed
     * @throws CancelledError if the task is cancelled while it waits
     * @throws RuntimeException any other exception (checked ones included) is the {@code Mono}'s error itself
     */
    public static <T> @Nullable T await(Mono<T> mono) {
        Objects.requireNonNull(mono, "mono");
        // Checked before subscribing: a subscription nobody awaits would run on unobserved.
        Task<?> current;
        try {
            current = Async.currentTask().orElse(null);
        } catch (IllegalStateException noLoop) {
            throw new IllegalStateException("ReactorAsync.await(mono) outside of a task: no event loop runs in "
                    + Thread.currentThread().getName() + " (create a task with AsyncRuntime.createTask)", noLoop);
        }
        if (current == null) {
            throw new IllegalStateException(
                    "ReactorAsync.await(mono) outside of a task: the loop is running a callback, not a task");
        }
        // Mono.toFuture()'s cancel cancels the subscription, and wrapFuture cancels its source when the future
        // the task awaits is cancelled: together, cancelling the task disposes the Mono.
        return Async.wrapFuture(mono.toFuture()).await();
    }

    private static <T> void complete(Future<T> future, MonoSink<T> sink) {
        T result;
        try {
            result = future.result();
        } catch (Throwable failureOrCancellation) {
            sink.error(failureOrCancellation);
            return;
        }
        sink.success(result);
    }

    /* From the subscriber's thread; the cancel itself runs on the loop, where a future may be cancelled. */
    private static void cancelSoon(Future<?> future, String message) {
        if (future.done()) {
            return;
        }
        try {
            future.getLoop().callSoonThreadsafe(() -> future.cancel(message));
        } catch (RuntimeException loopClosed) {
            // a closed loop has given up its tasks already: there is nothing left to cancel
        }
    }
}
