package io.asyncruntime.spring.web;

import static io.asyncruntime.spring.TaskOutcomes.awaitDone;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Task;
import io.asyncruntime.spring.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.spring.actuate.TasksEndpointAutoConfiguration;
import io.asyncruntime.spring.health.AsyncLoopHealthAutoConfiguration;
import io.asyncruntime.spring.metrics.AsyncRuntimeMetricsAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;
import reactor.core.publisher.Mono;

/**
 * {@code Task} joins WebFlux's adapter registry in reactive web applications with Reactor, and only there; a
 * WebFlux application without Spring MVC or the Servlet API starts with the whole starter.
 */
class TaskWebFluxAutoConfigurationTests {
    private static final AutoConfigurations CONFIGS = AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
            TaskWebFluxAutoConfiguration.class, WebFluxAutoConfiguration.class);

    private final ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
            .withConfiguration(CONFIGS);

    @Test
    void registersTaskAsASingleValueTypeWithWebFluxsRegistry() {
        reactive.run(context -> {
            ReactiveAdapter adapter = context.getBean("webFluxAdapterRegistry", ReactiveAdapterRegistry.class)
                    .getAdapter(Task.class);
            assertThat(adapter).isNotNull();
            assertThat(adapter.isMultiValue()).isFalse();
            assertThat(adapter.isNoValue()).isFalse();
            assertThat(adapter.getDescriptor().isDeferred()).as("a task runs whether or not anyone subscribes")
                    .isFalse();
        });
    }

    @Test
    void leavesTheSharedRegistryAlone() {
        reactive.run(context -> assertThat(ReactiveAdapterRegistry.getSharedInstance().getAdapter(Task.class))
                .as("caching, transactions and scheduling read the shared registry").isNull());
    }

    @Test
    void turnsAPublisherIntoATaskOfTheRuntime() {
        reactive.run(context -> {
            ReactiveAdapter adapter = context.getBean("webFluxAdapterRegistry", ReactiveAdapterRegistry.class)
                    .getAdapter(Task.class);
            Task<?> task = (Task<?>) adapter.fromPublisher(Mono.just("body"));
            assertThat(awaitDone(task).result()).isEqualTo("body");
            assertThat(task.getName()).isEqualTo("from-publisher");
            assertThat(task.getLoop()).isSameAs(context.getBean(io.asyncruntime.AsyncRuntime.class).loop());
        });
    }

    @Test
    void aWebFluxApplicationWithoutSpringMvcOrServletsStartsWithTheWholeStarter() {
        reactive.withConfiguration(AutoConfigurations.of(TaskReturnValueAutoConfiguration.class,
                        TasksEndpointAutoConfiguration.class, AsyncRuntimeMetricsAutoConfiguration.class,
                        AsyncLoopHealthAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("org.springframework.web.servlet", "jakarta.servlet"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasBean("asyncTaskReactiveAdapterRegistrar");
                    assertThat(context).doesNotHaveBean("asyncTaskReturnValueConfigurer");
                });
    }

    @Test
    void notInAServletWebApplication() {
        new WebApplicationContextRunner().withConfiguration(CONFIGS)
                .run(context -> assertThat(context).doesNotHaveBean("asyncTaskReactiveAdapterRegistrar"));
    }

    @Test
    void notInANonWebApplication() {
        new ApplicationContextRunner().withConfiguration(CONFIGS)
                .run(context -> assertThat(context).doesNotHaveBean("asyncTaskReactiveAdapterRegistrar"));
    }

    @Test
    void notWithoutReactor() {
        reactive.withClassLoader(new FilteredClassLoader(Mono.class))
                .run(context -> assertThat(context).doesNotHaveBean("asyncTaskReactiveAdapterRegistrar"));
    }
}
