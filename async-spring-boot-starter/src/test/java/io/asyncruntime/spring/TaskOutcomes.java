package io.asyncruntime.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Future;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Waits, from a test thread, for a future of another thread's loop to be done: a done callback opens a latch, so
 * the wait ends as soon as the outcome is there, and the bound is only a generous limit for a broken build.
 *
 * <p>Threading: any thread but the future's loop thread.
 */
public final class TaskOutcomes {
    /** The bound of {@link #awaitDone(Future)}: far beyond anything a passing test needs, even on a loaded machine. */
    public static final Duration BOUND = Duration.ofSeconds(20);

    private TaskOutcomes() {
    }

    /**
     * Blocks until {@code future} is done, failing the test if it is not within {@link #BOUND}.
     *
     * @param future the future to wait for
     * @param <F>    the future's type
     * @return {@code future}, done
     * @throws InterruptedException if the test thread is interrupted
     */
    public static <F extends Future<?>> F awaitDone(F future) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        future.getLoop().callSoonThreadsafe(() -> future.addDoneCallback(f -> done.countDown()));
        assertThat(done.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).as("%s done within %s", future, BOUND)
                .isTrue();
        return future;
    }
}
