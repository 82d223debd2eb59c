package io.asyncruntime.spring;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import io.asyncruntime.spring.observation.TaskObservationDecorator;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.time.Duration;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The async.task observations as Micrometer's own test registry sees them: every one started and stopped, a child
 * of the creator's, with the documented keys (Micrometer's TCK checks that each is started before it is stopped and
 * stopped once).
 */
class TaskObservationRegistryTests {
    private final TestObservationRegistry registry = TestObservationRegistry.create();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class))
            .withPropertyValues("async.runtime.loop-name=tck-loop")
            .withBean(ObservationRegistry.class, () -> registry);

    @Test
    void aTaskAndItsChildAreObservationsNestedUnderTheCreators() {
        runner.run(context -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            Observation request = Observation.start("http.server.requests", registry);
            Task<String> report;
            try (Observation.Scope scope = request.openScope()) {
                report = runtime.createTask(() -> {
                    Task<String> part = Async.createTask(() -> Async.sleep(Duration.ofMillis(1), "part"), "report-part");
                    return "report with " + part.await();
                }, "report");
            }
            runtime.run(() -> report.await());
            request.stop();

            // The report, its part, and the task runtime.run made to await the report from this thread.
            assertThat(registry).doesNotHaveAnyRemainingCurrentObservation()
                    .hasNumberOfObservationsWithNameEqualTo(TaskObservationDecorator.NAME, 3);
            assertThat(registry).hasHandledContextsThatSatisfy(contexts -> {
                Observation.Context reportRun = task(contexts, "report");
                Assertions.assertThat((Object) reportRun.getParentObservation()).isSameAs(request);
                Assertions.assertThat(reportRun.getLowCardinalityKeyValues()).contains(KeyValue.of("loop", "tck-loop"),
                        KeyValue.of("outcome", "success"), KeyValue.of("exception", "none"));
                Assertions.assertThat(reportRun.getHighCardinalityKeyValue("task.id")).isNotNull();
                Assertions.assertThat(task(contexts, "report-part").getParentObservation()).isNotNull()
                        .satisfies(parent -> Assertions.assertThat((Object) parent.getContextView()).isSameAs(reportRun));
            });
        });
    }

    private static Observation.Context task(java.util.List<Observation.Context> contexts, String name) {
        return contexts.stream()
                .filter(c -> c.getHighCardinalityKeyValue("task.name") != null
                        && name.equals(c.getHighCardinalityKeyValue("task.name").getValue()))
                .findFirst().orElseThrow(() -> new AssertionError("no async.task observation for task " + name));
    }
}
