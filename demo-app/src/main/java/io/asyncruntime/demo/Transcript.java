package io.asyncruntime.demo;

import io.asyncruntime.Async;
import io.asyncruntime.EventLoop;
import io.asyncruntime.Task;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * What one example printed, as the asyncio docs show it, and how long it took in loop time: the demo's stand-in
 * for {@code print}. Begun inside the example's main task.
 *
 * <p>Threading: any thread may print (blocking_io prints from a worker thread); the rest is read once the example
 * is done.
 */
final class Transcript {
    private final EventLoop loop;
    private final double started;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private Transcript(EventLoop loop) {
        this.loop = loop;
        this.started = loop.time();
    }

    /** Starts a transcript in the calling task. */
    static Transcript begin() {
        return new Transcript(Async.getRunningLoop());
    }

    void print(String line) {
        lines.add(line);
    }

    /** Prints {@code what} followed by the loop time since the start, as the docs' {@code time.strftime('%X')}. */
    void printAt(String what) {
        print(String.format(Locale.ROOT, "%s %.2f", what, elapsed()));
    }

    double elapsed() {
        return loop.time() - started;
    }

    /** The example's answer, from inside its main task. */
    Outcome outcome(@Nullable Object result) {
        return outcome(elapsed(), result);
    }

    /**
     * Prints {@code what} with the time since the start and answers with that same time as the elapsed time, so
     * the last line and the figure agree to the digit (two clock readings could straddle a rounding boundary).
     */
    Outcome finishAt(String what, @Nullable Object result) {
        double elapsed = elapsed();
        print(String.format(Locale.ROOT, "%s %.2f", what, elapsed));
        return outcome(elapsed, result);
    }

    private Outcome outcome(double elapsed, @Nullable Object result) {
        Task<?> main = Async.currentTask().orElseThrow();
        return new Outcome(main.getId(), main.getName(), List.copyOf(lines), elapsed, result);
    }
}
