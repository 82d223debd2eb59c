package io.asyncruntime.demo;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import java.util.Comparator;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * HTTP entry points that start the asyncio seed examples as tasks. The examples return their {@link Task}: the
 * starter answers the request with the task's {@link Outcome} once it is done, without holding a servlet thread.
 * Every delay takes a {@code scale} so the tests run them in milliseconds.
 */
@RestController
public class ExamplesController {
    private final SayAfterService sayAfter;
    private final FactorialService factorial;
    private final CancellationService cancellation;
    private final BlockingIoService blockingIo;
    private final WorkloadService workload;
    private final AsyncRuntime runtime;

    public ExamplesController(SayAfterService sayAfter, FactorialService factorial, CancellationService cancellation,
            BlockingIoService blockingIo, WorkloadService workload, AsyncRuntime runtime) {
        this.sayAfter = sayAfter;
        this.factorial = factorial;
        this.cancellation = cancellation;
        this.blockingIo = blockingIo;
        this.workload = workload;
        this.runtime = runtime;
    }

    /** say_after: {@code mode=sequential} takes 3 s, {@code mode=concurrent} 2 s (times {@code scale}). */
    @GetMapping("/examples/say-after")
    public Task<Outcome> sayAfter(@RequestParam(defaultValue = "concurrent") String mode,
            @RequestParam(defaultValue = "1.0") double scale) {
        if (!mode.equals("sequential") && !mode.equals("concurrent")) {
            throw badRequest("mode must be 'sequential' or 'concurrent'");
        }
        return sayAfter.start(mode.equals("concurrent"), checkScale(scale));
    }

    /** The factorial gather: three tasks, 3 steps of {@code scale} seconds in all. */
    @GetMapping("/examples/factorial")
    public Task<Outcome> factorial(@RequestParam(defaultValue = "1.0") double scale) {
        return factorial.start(checkScale(scale));
    }

    /** cancel_me: cancelled after {@code after} seconds while it sleeps for an hour. */
    @GetMapping("/examples/cancel-me")
    public Task<Outcome> cancelMe(@RequestParam(defaultValue = "1.0") double after) {
        return cancellation.cancelMe(checkSeconds("after", after));
    }

    /** wait_for(eternity(), timeout): gives up after {@code timeout} seconds. */
    @GetMapping("/examples/eternity")
    public Task<Outcome> eternity(@RequestParam(defaultValue = "1.0") double timeout) {
        return cancellation.eternity(checkSeconds("timeout", timeout));
    }

    /** blocking_io via toThread beside a sleep of the same length: both done in {@code seconds}, not twice that. */
    @GetMapping("/examples/blocking-io")
    public Task<Outcome> blockingIo(@RequestParam(defaultValue = "1.0") double seconds) {
        return blockingIo.start(checkSeconds("seconds", seconds));
    }

    /** What a workload started. */
    public record StartedTasks(List<WorkloadService.Started> tasks) {
    }

    /**
     * Starts {@code count} named long-running tasks (sleeping, in a TaskGroup, waiting on a blocking call) for
     * {@code seconds}: look at them under {@code /actuator/tasks}, cancel one there.
     */
    @PostMapping("/examples/workload")
    public StartedTasks workload(@RequestParam(defaultValue = "6") int count,
            @RequestParam(defaultValue = "3600") double seconds) {
        if (count < 1 || count > 10_000) {
            throw badRequest("count must be in [1, 10000]");
        }
        return new StartedTasks(workload.start(count, checkSeconds("seconds", seconds)));
    }

    /** A task as this demo lists it; the Actuator endpoint gives the full view. */
    public record TaskView(long id, String name, String state) {
    }

    /** The loop's pending tasks, by id. */
    @GetMapping("/examples/tasks")
    public List<TaskView> tasks() {
        return runtime.allTasks().stream()
                .map(t -> new TaskView(t.getId(), t.getName(), t.state().name()))
                .sorted(Comparator.comparingLong(TaskView::id))
                .toList();
    }

    private static double checkScale(double scale) {
        if (!(scale > 0 && scale <= 10)) {
            throw badRequest("scale must be in (0, 10]");
        }
        return scale;
    }

    private static double checkSeconds(String name, double seconds) {
        if (!(seconds >= 0 && seconds <= 86_400)) {
            throw badRequest(name + " must be in [0, 86400] seconds");
        }
        return seconds;
    }

    private static ResponseStatusException badRequest(String why) {
        return new ResponseStatusException(HttpStatus.BAD_REQUEST, why);
    }
}
