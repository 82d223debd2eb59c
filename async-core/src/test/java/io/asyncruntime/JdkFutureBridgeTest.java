package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link Async#wrapFuture} (asyncio's {@code wrap_future}): a loop future that follows a JDK future, whichever
 * thread completes it (its null input: AsyncTest).
 */
class JdkFutureBridgeTest {

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

    /*
     * Regression: a pending wrapped CompletableFuture counts as work handed to another thread, so a virtual-time
     * loop waits for it instead of jumping to the next timer (here the waitFor deadline an hour on).
     */
    @Test
    void virtualTimeWaitsForAWrappedCompletableFuture() {
        String r = Loops.runVirtual(() -> {
            CompletableFuture<String> cf = CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "arrived";
            });
            return Async.<String>waitFor(Async.wrapFuture(cf), Duration.ofHours(1));
        });
        assertThat(r).isEqualTo("arrived");
    }
}
