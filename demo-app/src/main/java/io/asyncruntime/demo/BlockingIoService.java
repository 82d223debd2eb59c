package io.asyncruntime.demo;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Coroutine;
import io.asyncruntime.Task;
import org.springframework.stereotype.Service;

/** The to_thread example: a blocking call on a worker thread beside a sleep, both done in the time of one. */
@Service
public class BlockingIoService {
    private final AsyncRuntime runtime;

    public BlockingIoService(AsyncRuntime runtime) {
        this.runtime = runtime;
    }

    /** Gathers toThread(blocking_io) and sleep({@code seconds}); blocking_io blocks its thread for {@code seconds}. */
    public Task<Outcome> start(double seconds) {
        return runtime.createTask(() -> {
            Transcript out = Transcript.begin();
            out.printAt("started main at");
            Coroutine<Void> io = () -> Async.toThread(() -> blockingIo(out, seconds));
            Coroutine<Void> sleep = () -> Async.sleep(java.time.Duration.ofNanos((long) (seconds * 1e9)), null);
            Async.gather(io, sleep).await();
            return out.finishAt("finished main at", null);
        }, "blocking-io-main");
    }

    private static Void blockingIo(Transcript out, double seconds) throws InterruptedException {
        out.printAt("start blocking_io at");
        // A real blocking call on this worker thread; the loop runs the sleep meanwhile.
        Thread.sleep((long) (seconds * 1000));
        out.printAt("blocking_io complete at");
        return null;
    }
}
