package io.asyncruntime.demo;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import org.springframework.stereotype.Service;

/** The say_after example of the asyncio docs, sequential and concurrent, as tasks of the application's loop. */
@Service
public class SayAfterService {
    private final AsyncRuntime runtime;

    public SayAfterService(AsyncRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Runs say_after(1, 'hello') and say_after(2, 'world'), one after the other or as two concurrent tasks,
     * with every delay multiplied by {@code scale}.
     */
    public Task<Outcome> start(boolean concurrent, double scale) {
        return runtime.createTask(() -> {
            Transcript out = Transcript.begin();
            out.printAt("started at");
            if (concurrent) {
                Task<Void> task1 = Async.createTask(() -> sayAfter(out, 1 * scale, "hello"), "say-hello");
                Task<Void> task2 = Async.createTask(() -> sayAfter(out, 2 * scale, "world"), "say-world");
                task1.await();
                task2.await();
            } else {
                Async.await(() -> sayAfter(out, 1 * scale, "hello"));
                Async.await(() -> sayAfter(out, 2 * scale, "world"));
            }
            return out.finishAt("finished at", null);
        }, concurrent ? "say-after-concurrent" : "say-after-sequential");
    }

    private static Void sayAfter(Transcript out, double delay, String what) {
        Async.sleep(delay);
        out.print(what);
        return null;
    }
}
