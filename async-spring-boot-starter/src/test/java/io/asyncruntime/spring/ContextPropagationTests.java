package io.asyncruntime.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Coroutine;
import io.asyncruntime.Task;
import io.asyncruntime.TaskDecorator;
import io.asyncruntime.spring.context.ContextSnapshotTaskDecorator;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tasks created through the runtime carry the creator's MDC and current observation. */
class ContextPropagationTests {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class));

    @Test
    void aTaskAndItsChildrenSeeTheCreatorsMdcAcrossAwaits() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(ContextSnapshotTaskDecorator.class);
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            MDC.put("requestId", "r-42");
            Task<String> task;
            try {
                task = runtime.createTask(() -> {
                    Async.sleep(0.005);
                    Task<String> child = Async.createTask(() -> MDC.get("requestId"), "child");
                    return MDC.get("requestId") + "/" + child.await();
                }, "with-mdc");
            } finally {
                MDC.remove("requestId");
            }
            assertThat(runtime.run(task::await)).isEqualTo("r-42/r-42");
            // A task created without it sees none: nothing leaked into the loop or into other tasks.
            assertThat(runtime.run(() -> String.valueOf(MDC.get("requestId")))).isEqualTo("null");
        });
    }

    @Test
    void tasksThatInterleaveKeepEachTheirOwnMdc() {
        // Each task restores its creator's MDC once, at its start; the values must stay its own while other tasks
        // run between its awaits: on a thread of its own (FAST, PORTABLE), or on the loop thread with thread locals
        // swapped at each step (DIRECT; the starter's direct-mode execution runs this class).
        runner.run(context -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            java.util.List<Task<String>> tasks = new java.util.ArrayList<>();
            for (String id : java.util.List.of("r-1", "r-2", "r-3")) {
                MDC.put("requestId", id);
                try {
                    tasks.add(runtime.createTask(() -> {
                        StringBuilder seen = new StringBuilder();
                        for (int i = 0; i < 3; i++) {
                            Async.sleep(0); // the other tasks run in between
                            seen.append(MDC.get("requestId")).append(' ');
                        }
                        return seen.toString().trim();
                    }, "request-" + id));
                } finally {
                    MDC.remove("requestId");
                }
            }
            assertThat(runtime.run(() -> {
                java.util.List<String> all = new java.util.ArrayList<>();
                for (Task<String> t : tasks) {
                    all.add(t.await());
                }
                return all;
            })).containsExactly("r-1 r-1 r-1", "r-2 r-2 r-2", "r-3 r-3 r-3");
        });
    }

    @Test
    void aTaskSeesTheObservationInScopeWhereItWasCreated() {
        ObservationRegistry observations = ObservationRegistry.create();
        ObservationThreadLocalAccessor.getInstance().setObservationRegistry(observations);
        runner.run(context -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            Observation request = Observation.start("http.request", observations);
            Task<Observation> task;
            Observation.Scope scope = request.openScope(); // in scope while the task is created, never read
            try {
                task = runtime.createTask(() -> {
                    Async.sleep(0.005);
                    return observations.getCurrentObservation();
                }, "observed");
            } finally {
                scope.close();
                request.stop();
            }
            assertThat(runtime.run(task::await)).isSameAs(request);
        });
    }

    @Test
    void turnedOffByProperty() {
        runner.withPropertyValues("async.runtime.propagate-context=false", "async.runtime.observe-tasks=false").run(context -> {
            assertThat(context).doesNotHaveBean(TaskDecorator.class);
            assertThat(context.getBean(AsyncRuntime.class).loop().getTaskDecorator()).isNull();
        });
    }

    @Test
    void backsOffWithoutContextPropagationOnTheClasspath() {
        runner.withClassLoader(new FilteredClassLoader(ContextSnapshotFactory.class)).run(context -> {
            assertThat(context).doesNotHaveBean(ContextSnapshotTaskDecorator.class);
            assertThat(context.getBean(AsyncRuntime.class).run(() -> "runs")).isEqualTo("runs");
        });
    }

    @Test
    void applicationDecoratorsComposeWithOursInOrder() {
        runner.withUserConfiguration(OwnDecorator.class).run(context -> {
            assertThat(context).hasSingleBean(ContextSnapshotTaskDecorator.class);
            assertThat(context.getBeansOfType(TaskDecorator.class)).hasSize(4); // ours, the observation one, and two
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            // Ours first (the context is there for the others), then "outer" (order 1), then "inner" (order 2).
            assertThat(runtime.loop().getTaskDecorator().toString()).startsWith("TaskDecorators[" + ContextSnapshotTaskDecorator.class.getName());
            assertThat(runtime.run(() -> "x")).isEqualTo("outer(inner(x))");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnDecorator {
        @Bean
        @org.springframework.core.annotation.Order(2)
        TaskDecorator inner() {
            return wrapping("inner");
        }

        @Bean
        @org.springframework.core.annotation.Order(1)
        TaskDecorator outer() {
            return wrapping("outer");
        }

        private static TaskDecorator wrapping(String label) {
            return new TaskDecorator() {
                @Override
                @SuppressWarnings("unchecked")
                public <T> Coroutine<T> decorate(Coroutine<T> coro) {
                    return () -> (T) (label + "(" + coro.call() + ")");
                }
            };
        }
    }
}
