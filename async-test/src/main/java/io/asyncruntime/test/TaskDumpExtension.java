package io.asyncruntime.test;

import io.asyncruntime.Async;
import io.asyncruntime.EventLoop;
import io.asyncruntime.Task;
import io.asyncruntime.debug.CallGraphFormat;
import io.asyncruntime.debug.LoopTree;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * A JUnit Jupiter extension that, when a test fails or times out, writes down every pending task of every running
 * event loop: the loop as a tree of who awaits whom ({@link LoopTree}), then each task's call graph, its stack
 * newest frame first and the tasks that await it ({@link CallGraphFormat}). The answer to "what was my test
 * waiting for", in the test's own output, like kotlinx-coroutines' debug probes dump on a {@code runTest} timeout.
 *
 * <pre>{@code
 * @ExtendWith(TaskDumpExtension.class)
 * class InvoiceServiceTests { ... }
 * }</pre>
 *
 * <p>Where the dump goes: the test's standard error by default, and always a report entry with the key
 * {@value #REPORT_KEY} (IDEs show it with the test; JUnit's XML reports keep it). JUnit configuration parameters
 * (for example in {@code src/test/resources/junit-platform.properties}) change it:
 * <ul>
 *   <li>{@value #OUTPUT_PARAMETER}: {@code stderr} (default), {@code stdout}, or {@code none} (the report entry
 *       only);</li>
 *   <li>{@value #MAX_TASKS_PARAMETER}: how many tasks to show per loop (default {@value #DEFAULT_MAX_TASKS});
 *       each costs a stack walk.</li>
 * </ul>
 *
 * <p>When: as JUnit hands the failure to extensions, before {@code @AfterEach} methods close anything. For a
 * {@code @Timeout}, JUnit has interrupted the test thread by then, and a test thread interrupted in
 * {@code AsyncRuntime.run} cancels the task it waited for: that task may show as cancelling or be gone, while the
 * tasks it waited on (the ones that never answered) are still there. The test's own exception is rethrown
 * unchanged. A failure in a {@code @BeforeEach} or {@code @AfterEach} method is dumped too.
 *
 * <p>Threading: runs on the test's thread; reads loops without stopping them (a weakly consistent snapshot, as
 * everything in {@code io.asyncruntime.debug}).
 */
public final class TaskDumpExtension implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
    /** The key of the report entry that carries the dump. */
    public static final String REPORT_KEY = "asyncruntime.tasks";
    /** The configuration parameter naming where the dump is written: {@code stderr}, {@code stdout} or {@code none}. */
    public static final String OUTPUT_PARAMETER = "asyncruntime.dump.output";
    /** The configuration parameter bounding the tasks shown per loop. */
    public static final String MAX_TASKS_PARAMETER = "asyncruntime.dump.max-tasks";
    /** How many tasks per loop are shown unless {@value #MAX_TASKS_PARAMETER} says otherwise. */
    public static final int DEFAULT_MAX_TASKS = 100;

    /** Creates the extension; JUnit does, through {@code @ExtendWith} or automatic registration. */
    public TaskDumpExtension() {
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        dump(context, failure);
        throw failure;
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        dump(context, failure);
        throw failure;
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        dump(context, failure);
        throw failure;
    }

    private static void dump(ExtensionContext context, Throwable failure) {
        int maxTasks = context.getConfigurationParameter(MAX_TASKS_PARAMETER, Integer::parseInt).orElse(DEFAULT_MAX_TASKS);
        if (maxTasks < 0) {
            throw new IllegalArgumentException(MAX_TASKS_PARAMETER + " must not be negative: " + maxTasks);
        }
        String output = context.getConfigurationParameter(OUTPUT_PARAMETER).orElse("stderr").toLowerCase(Locale.ROOT);
        PrintStream out = switch (output) {
            case "stderr" -> System.err;
            case "stdout" -> System.out;
            case "none" -> null;
            default -> throw new IllegalArgumentException(
                    OUTPUT_PARAMETER + " must be stderr, stdout or none, not '" + output + "'");
        };
        String text = format(context.getDisplayName(), failure, EventLoop.allRunningLoops(), maxTasks);
        context.publishReportEntry(REPORT_KEY, text);
        if (out != null) {
            out.println(text);
        }
    }

    /**
     * Returns the dump as text: a header naming the test and its failure, then, for each loop, its tree and each
     * shown task's call graph; or a line saying no loop runs.
     */
    static String format(String test, Throwable failure, List<EventLoop> loops, int maxTasks) {
        StringBuilder b = new StringBuilder();
        b.append("asyncruntime: '").append(test).append("' failed (").append(failure.getClass().getSimpleName());
        if (failure.getMessage() != null) {
            b.append(": ").append(failure.getMessage().lines().findFirst().orElse(""));
        }
        b.append(")");
        if (loops.isEmpty()) {
            return b.append("; no event loop is running.").toString();
        }
        b.append("; the pending tasks of ").append(loops.size()).append(loops.size() == 1 ? " running loop:" : " running loops:");
        for (EventLoop loop : loops) {
            b.append("\n\n").append(LoopTree.format(loop, maxTasks));
            List<Task<?>> tasks = new ArrayList<>(loop.allTasks());
            tasks.sort(Comparator.comparingLong(Task::getId));
            for (Task<?> task : tasks.subList(0, Math.min(maxTasks, tasks.size()))) {
                if (!task.done()) {
                    b.append("\n\n").append(CallGraphFormat.format(Async.captureCallGraph(task)));
                }
            }
        }
        return b.toString();
    }
}
