package io.asyncruntime.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Future;
import io.asyncruntime.Task;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs sample tests that fail, time out or pass through JUnit's {@link EngineTestKit}, with the extension, and reads
 * the dump back from the report entry the extension publishes. The samples print nothing: their runs are told
 * {@code asyncruntime.dump.output=none}, except the one that checks the default output, whose standard error is
 * captured.
 */
class TaskDumpExtensionTest {

    /** The sample tests, run only through the test kit (Surefire leaves nested classes alone). */
    @ExtendWith(TaskDumpExtension.class)
    static class Samples {
        private AsyncRuntime runtime;

        @BeforeEach
        void start() {
            runtime = AsyncRuntime.builder().name("sample-loop").start();
        }

        @AfterEach
        void close() {
            runtime.close();
        }

        @Test
        void failsWhileAReportAwaitsItsFetch() {
            @SuppressWarnings({"unchecked", "rawtypes"})
            Future<String>[] never = new Future[1];
            runtime.run(() -> {
                never[0] = Async.getRunningLoop().createFuture();
                return null;
            });
            Task<String> fetch = runtime.createTask(() -> never[0].await(), "fetch-prices");
            runtime.createTask(() -> "report of " + fetch.await(), "monthly-report");
            runtime.run(() -> Async.sleep(Duration.ofMillis(50), null)); // both are suspended now
            throw new AssertionError("the report is late");
        }

        @Test
        @Timeout(value = 300, unit = TimeUnit.MILLISECONDS)
        void timesOutWaitingForAnAnswerThatNeverComes() {
            runtime.createTask(() -> Async.sleep(Duration.ofHours(1), "too late"), "slow-producer");
            runtime.run(() -> {
                Async.getRunningLoop().createFuture().await();
                return null;
            });
        }

        @Test
        void passes() {
            runtime.createTask(() -> Async.sleep(Duration.ofHours(1), "later"), "left-running");
            assertThat(runtime.run(() -> "fine")).isEqualTo("fine");
        }
    }

    private static EngineExecutionResults run(String method, String output) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(Samples.class, method))
                .configurationParameter(TaskDumpExtension.OUTPUT_PARAMETER, output)
                .execute();
    }

    private static List<String> dumps(EngineExecutionResults results) {
        return results.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getRequiredPayload(ReportEntry.class).getKeyValuePairs().get(TaskDumpExtension.REPORT_KEY))
                .toList();
    }

    @Test
    void aFailedTestDumpsEveryPendingTaskWithItsStackAndWhoAwaitsIt() {
        EngineExecutionResults results = run("failsWhileAReportAwaitsItsFetch", "none");

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        // The test's own failure is reported unchanged.
        assertThat(results.testEvents().failed().stream().map(TaskDumpExtensionTest::failure))
                .singleElement().satisfies(t -> assertThat(t).isInstanceOf(AssertionError.class).hasMessage("the report is late"));
        assertThat(dumps(results)).singleElement().satisfies(dump -> {
            assertThat(dump).startsWith("asyncruntime: 'failsWhileAReportAwaitsItsFetch()' failed (AssertionError: the report is late);")
                    .contains("EventLoop sample-loop: 2 pending tasks")
                    // The tree: the report above the fetch it awaits.
                    .containsPattern("└── \\(T\\) monthly-report \\[id=\\d+, PENDING\\][^\\n]*\\n    └── \\(T\\) fetch-prices \\[id=\\d+, PENDING\\]")
                    // The fetch's call graph: its stack, newest frame first, and who awaits it.
                    .containsPattern("\\* Task\\(name='fetch-prices', id=\\d+\\)\\n  \\+ Call stack:\\n(  \\|   at [^\\n]*\\n)*"
                            + "  \\|   at io\\.asyncruntime\\.test\\.TaskDumpExtensionTest\\$Samples\\.lambda\\$failsWhileAReportAwaitsItsFetch\\$\\d+\\(TaskDumpExtensionTest\\.java:\\d+\\)")
                    .containsPattern("  \\+ Awaited by:\\n\\s+\\* Task\\(name='monthly-report', id=\\d+\\)");
        });
    }

    @Test
    void aTimedOutTestDumpsTheTasksItWaitedOn() {
        EngineExecutionResults results = run("timesOutWaitingForAnAnswerThatNeverComes", "none");

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        assertThat(results.testEvents().failed().stream().map(TaskDumpExtensionTest::failure))
                .singleElement().isInstanceOf(TimeoutException.class);
        assertThat(dumps(results)).singleElement().satisfies(dump -> assertThat(dump)
                .startsWith("asyncruntime: 'timesOutWaitingForAnAnswerThatNeverComes()' failed (TimeoutException: "
                        + "timesOutWaitingForAnAnswerThatNeverComes() timed out after 300 milliseconds)")
                .containsPattern("\\(T\\) slow-producer \\[id=\\d+, PENDING\\] at io\\.asyncruntime\\.test\\.TaskDumpExtensionTest"
                        + "\\$Samples\\.lambda\\$timesOutWaitingForAnAnswerThatNeverComes\\$\\d+\\(TaskDumpExtensionTest\\.java:\\d+\\)")
                .contains("* Task(name='slow-producer', id="));
    }

    @Test
    void aPassingTestDumpsNothing() {
        EngineExecutionResults results = run("passes", "none");
        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        assertThat(dumps(results)).isEmpty();
    }

    @Test
    void byDefaultTheDumpGoesToTheTestsStandardErrorToo() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        EngineExecutionResults results;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            results = EngineTestKit.engine("junit-jupiter")
                    .selectors(selectMethod(Samples.class, "failsWhileAReportAwaitsItsFetch")).execute();
        } finally {
            System.setErr(original);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertThat(err).contains("asyncruntime: 'failsWhileAReportAwaitsItsFetch()' failed").contains("fetch-prices");
        assertThat(err.strip()).isEqualTo(dumps(results).get(0));
    }

    @Test
    void badParametersAreNamed() {
        EngineExecutionResults results = run("failsWhileAReportAwaitsItsFetch", "printer");
        assertThat(results.testEvents().failed().stream().map(TaskDumpExtensionTest::failure)).singleElement()
                .satisfies(t -> assertThat(t).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("asyncruntime.dump.output must be stderr, stdout or none, not 'printer'"));
    }

    @Test
    void withoutARunningLoopTheDumpSaysSo() {
        String text = TaskDumpExtension.format("lonely()", new IllegalStateException("x"), List.of(), 10);
        assertThat(text).isEqualTo("asyncruntime: 'lonely()' failed (IllegalStateException: x); no event loop is running.");
    }

    private static Throwable failure(Event event) {
        return event.getRequiredPayload(org.junit.platform.engine.TestExecutionResult.class).getThrowable().orElseThrow();
    }

}
