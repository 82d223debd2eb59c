package io.asyncruntime.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import io.asyncruntime.spring.observation.TaskObservationDecorator;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Each task run is an async.task observation, a child of the creator's, with its outcome. */
class TaskObservationTests {
    private final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();
    private final ObservationRegistry registry = ObservationRegistry.create();

    {
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStop(Observation.Context context) {
                stopped.add(context);
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class))
            .withPropertyValues("async.runtime.loop-name=observed-loop")
            .withBean(ObservationRegistry.class, () -> registry);

    @Test
    void eachTaskIsAChildObservationOfItsCreatorWithItsOutcome() {
        runner.run(context -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            Observation request = Observation.start("http.server.requests", registry);
            Task<String> ok;
            Task<String> failing;
            Task<String> cancelled;
            try (Observation.Scope scope = request.openScope()) {
                ok = runtime.createTask(() -> Async.sleep(Duration.ofMillis(5), "fine"), "report");
                failing = runtime.createTask(() -> {
                    throw new IllegalStateException("broken");
                }, "broken-report");
                cancelled = runtime.createTask(() -> Async.sleep(Duration.ofHours(1), "never"), "stopped-report");
            }
            runtime.run(() -> Async.sleep(Duration.ofMillis(20), null));
            runtime.cancel(cancelled.getId(), "enough");
            runtime.run(() -> Async.sleep(Duration.ofMillis(20), null));
            request.stop();

            assertThat(observationOf(ok)).satisfies(c -> {
                assertThat(c.getName()).isEqualTo(TaskObservationDecorator.NAME);
                assertThat(c.getParentObservation()).isSameAs(request);
                assertThat(c.getLowCardinalityKeyValues()).contains(KeyValue.of("loop", "observed-loop"),
                        KeyValue.of("outcome", "success"), KeyValue.of("exception", "none"));
                assertThat(c.getHighCardinalityKeyValues()).contains(KeyValue.of("task.name", "report"),
                        KeyValue.of("task.id", String.valueOf(ok.getId())));
            });
            assertThat(failing.exception()).hasMessage("broken"); // retrieved: not logged as never retrieved
            assertThat(observationOf(failing)).satisfies(c -> {
                assertThat(c.getLowCardinalityKeyValues()).contains(KeyValue.of("outcome", "failure"),
                        KeyValue.of("exception", "IllegalStateException"));
                assertThat(c.getError()).isInstanceOf(IllegalStateException.class).hasMessage("broken");
            });
            assertThat(observationOf(cancelled).getLowCardinalityKeyValues()).contains(KeyValue.of("outcome", "cancelled"));
            assertThat(cancelled.cancelled()).isTrue();
        });
    }

    @Test
    void thePropertyTurnsItOff() {
        runner.withPropertyValues("async.runtime.observe-tasks=false").run(context -> {
            assertThat(context).doesNotHaveBean(TaskObservationDecorator.class);
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            runtime.run(() -> "unobserved");
            assertThat(stopped).isEmpty();
        });
    }

    private Observation.Context observationOf(Task<?> task) {
        return stopped.stream()
                .filter(c -> String.valueOf(task.getId()).equals(c.getHighCardinalityKeyValue("task.id") == null ? null
                        : c.getHighCardinalityKeyValue("task.id").getValue()))
                .findFirst().orElseThrow(() -> new AssertionError("no observation for " + task + " in " + stopped));
    }

}
