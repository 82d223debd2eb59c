package io.asyncruntime.demo;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.CancelledError;
import io.asyncruntime.Task;
import io.asyncruntime.TimeoutError;
import java.time.Duration;
import org.springframework.stereotype.Service;

/** The cancellation examples: cancel_me (a task cancelled while it sleeps) and wait_for on an eternity. */
@Service
public class CancellationService {
    private final AsyncRuntime runtime;

    public CancellationService(AsyncRuntime runtime) {
        this.runtime = runtime;
    }

    /** Starts cancel_me, lets it sleep {@code after} seconds, cancels it with a message and reports what it printed. */
    public Task<Outcome> cancelMe(double after) {
        return runtime.createTask(() -> {
            Transcript out = Transcript.begin();
            Task<Void> task = Async.createTask(() -> cancelMe(out), "cancel_me");
            Async.sleep(after);
            task.cancel("main() is done waiting");
            try {
                task.await();
            } catch (CancelledError e) {
                out.print("main(): cancel_me is cancelled now");
                return out.outcome("cancelled: " + e.getMessage());
            }
            return out.outcome("not cancelled");
        }, "cancel-me-main");
    }

    private static Void cancelMe(Transcript out) {
        out.print("cancel_me(): before sleep");
        try {
            Async.sleep(3600);
        } catch (CancelledError e) {
            out.print("cancel_me(): cancel sleep");
            throw e;
        } finally {
            out.print("cancel_me(): after sleep");
        }
        return null;
    }

    /** Waits for an hour-long task with a timeout of {@code timeout} seconds, as the wait_for example does. */
    public Task<Outcome> eternity(double timeout) {
        return runtime.createTask(() -> {
            Transcript out = Transcript.begin();
            Task<Void> eternity = Async.createTask(() -> {
                Async.sleep(3600);
                out.print("yay!");
                return null;
            }, "eternity");
            try {
                Async.waitFor(eternity, Duration.ofNanos((long) (timeout * 1e9)));
            } catch (TimeoutError e) {
                out.print("timeout!");
            }
            return out.outcome(eternity.cancelled() ? "eternity was cancelled by the timeout" : "eternity finished");
        }, "eternity-main");
    }
}
