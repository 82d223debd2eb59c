package io.asyncruntime.demo;

import io.asyncruntime.AsyncRuntime;
import java.util.Comparator;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
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
