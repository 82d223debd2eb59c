package io.asyncruntime.demo;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.stereotype.Service;

/** The say_after example of the asyncio docs, sequential and concurrent, as tasks of the application's loop. */
@Service
public class SayAfterService {
    private final AsyncRuntime runtime;

    public SayAfterService(AsyncRuntime runtime) {
        this.runtime = runtime;
    }

    /** What one run printed, how long it took in loop time, and the task that ran it. */
    public record Outcome(long taskId, String taskName, List<String> output, double elapsedSeconds) {
    }

    /**
     * Runs say_after(1, 'hello') and say_after(2, 'world'), one after the other or as two concurrent tasks,
     * with every delay multiplied by {@code scale}.
     */
    public Outcome run(boolean concurrent, double scale) {
        List<String> output = new CopyOnWriteArrayList<>();
        Task<Double> main = runtime.createTask(concurrent ? "say-after-concurrent" : "say-after-sequential", () -> {
            double started = Async.getRunningLoop().time();
            output.add(String.format("started at %.2f", 0.0));
            if (concurrent) {
                Task<Void> task1 = Async.createTask(() -> sayAfter(output, 1 * scale, "hello"), "say-hello");
                Task<Void> task2 = Async.createTask(() -> sayAfter(output, 2 * scale, "world"), "say-world");
                task1.await();
                task2.await();
            } else {
                Async.await(() -> sayAfter(output, 1 * scale, "hello"));
                Async.await(() -> sayAfter(output, 2 * scale, "world"));
            }
            double elapsed = Async.getRunningLoop().time() - started;
            output.add(String.format("finished at %.2f", elapsed));
            return elapsed;
        });
        double elapsed = runtime.run(main::await);
        return new Outcome(main.getId(), main.getName(), List.copyOf(output), elapsed);
    }

    private static Void sayAfter(List<String> output, double delay, String what) {
        Async.sleep(delay);
        output.add(what);
        return null;
    }
}
