package io.asyncruntime.demo;

import io.asyncruntime.Async;
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

/** HTTP entry points that start the seed examples as tasks and answer with what happened. */
@RestController
public class ExamplesController {
    private final SayAfterService sayAfter;
    private final AsyncRuntime runtime;

    public ExamplesController(SayAfterService sayAfter, AsyncRuntime runtime) {
        this.sayAfter = sayAfter;
        this.runtime = runtime;
    }

    /** say_after: {@code mode=sequential} takes 3 s, {@code mode=concurrent} 2 s (times {@code scale}). */
    @GetMapping("/examples/say-after")
    public SayAfterService.Outcome sayAfter(@RequestParam(defaultValue = "concurrent") String mode,
            @RequestParam(defaultValue = "1.0") double scale) {
        if (!mode.equals("sequential") && !mode.equals("concurrent")) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "mode must be 'sequential' or 'concurrent'");
        }
        if (!(scale > 0 && scale <= 10)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "scale must be in (0, 10]");
        }
        return sayAfter.run(mode.equals("concurrent"), scale);
    }

    /** The tasks a workload started. */
    public record Started(List<TaskView> tasks) {
    }

    /**
     * Starts {@code count} named tasks that sleep for {@code seconds}: something for the tasks endpoint to show.
     */
    @PostMapping("/examples/sleepers")
    public Started sleepers(@RequestParam(defaultValue = "3") int count, @RequestParam(defaultValue = "3600") double seconds) {
        if (count < 1 || count > 100_000) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "count must be in [1, 100000]");
        }
        if (!(seconds >= 0 && seconds <= 86_400)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "seconds must be in [0, 86400]");
        }
        List<TaskView> started = new java.util.ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            Task<Void> t = runtime.createTask("sleeper-" + i, () -> {
                Async.sleep(seconds);
                return null;
            });
            started.add(new TaskView(t.getId(), t.getName(), "PENDING"));
        }
        return new Started(started);
    }

    /** A task as the demo lists it (the Actuator endpoint will give the full view). */
    public record TaskView(long id, String name, String state) {
    }

    /** The loop's pending tasks. */
    @GetMapping("/examples/tasks")
    public List<TaskView> tasks() {
        return runtime.allTasks().stream()
                .map(t -> new TaskView(t.getId(), t.getName(), t.state().name()))
                .sorted(Comparator.comparingLong(TaskView::id))
                .toList();
    }
}
