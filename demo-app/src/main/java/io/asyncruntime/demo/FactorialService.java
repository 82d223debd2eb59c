package io.asyncruntime.demo;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import java.util.List;
import org.springframework.stereotype.Service;

/** The gather example: three factorials computed concurrently, each step a sleep. */
@Service
public class FactorialService {
    private final AsyncRuntime runtime;

    public FactorialService(AsyncRuntime runtime) {
        this.runtime = runtime;
    }

    /** Gathers factorial("A", 2), factorial("B", 3) and factorial("C", 4); each sleep lasts {@code scale} seconds. */
    public Task<Outcome> start(double scale) {
        return runtime.createTask(() -> {
            Transcript out = Transcript.begin();
            List<Object> results = Async.gather(
                    Async.createTask(() -> factorial(out, "A", 2, scale), "factorial-A"),
                    Async.createTask(() -> factorial(out, "B", 3, scale), "factorial-B"),
                    Async.createTask(() -> factorial(out, "C", 4, scale), "factorial-C")).await();
            return out.outcome(results);
        }, "factorial-gather");
    }

    private static long factorial(Transcript out, String name, int number, double scale) {
        long f = 1;
        for (int i = 2; i <= number; i++) {
            out.print("Task " + name + ": Compute factorial(" + i + ")...");
            Async.sleep(scale);
            f *= i;
        }
        out.print("Task " + name + ": factorial(" + number + ") = " + f);
        return f;
    }
}
