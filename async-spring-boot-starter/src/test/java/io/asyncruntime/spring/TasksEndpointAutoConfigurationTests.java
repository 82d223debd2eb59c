package io.asyncruntime.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.debug.TaskHistory;
import io.asyncruntime.spring.actuate.TasksEndpoint;
import io.asyncruntime.spring.actuate.TasksEndpointAutoConfiguration;
import io.asyncruntime.spring.actuate.BodilessCancelFilter;
import io.asyncruntime.spring.actuate.TasksEndpointProperties;
import io.asyncruntime.spring.actuate.TasksEndpointWebExtension;
import io.asyncruntime.spring.actuate.TasksProblemResolver;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class TasksEndpointAutoConfigurationTests {
    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class, TasksEndpointAutoConfiguration.class));

    @Test
    void autoConfiguredWhenExposedOnTheWeb() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=tasks").run(context -> {
            assertThat(context).hasSingleBean(TasksEndpoint.class).hasSingleBean(TasksEndpointWebExtension.class);
            assertThat(context).hasSingleBean(TaskHistory.class);
        });
    }

    @Test
    void aServletApplicationAlsoGetsTheProblemResolverAndTheBodilessCancelFilter() {
        new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
                        TasksEndpointAutoConfiguration.class))
                .withPropertyValues("management.endpoints.web.exposure.include=tasks")
                .run(context -> assertThat(context).hasSingleBean(TasksProblemResolver.class)
                        .hasSingleBean(BodilessCancelFilter.class));
        runner.withPropertyValues("management.endpoints.web.exposure.include=tasks")
                .run(context -> assertThat(context).doesNotHaveBean(TasksProblemResolver.class)
                        .doesNotHaveBean(BodilessCancelFilter.class));
    }

    @Test
    void showValuesAndRolesAreBoundUnderTheEndpointsPrefix() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=tasks",
                        "management.endpoint.tasks.show-values=when-authorized", "management.endpoint.tasks.roles=OPS,SRE")
                .run(context -> {
                    TasksEndpointProperties properties = context.getBean(TasksEndpointProperties.class);
                    assertThat(properties.getShowValues()).isEqualTo(Show.WHEN_AUTHORIZED);
                    assertThat(properties.getRoles()).containsExactly("OPS", "SRE");
                });
        runner.withPropertyValues("management.endpoints.web.exposure.include=tasks").run(context -> assertThat(
                context.getBean(TasksEndpointProperties.class).getShowValues()).isEqualTo(Show.NEVER));
    }

    @Test
    void notAvailableWhenNotExposed() {
        runner.run(context -> assertThat(context).doesNotHaveBean(TasksEndpoint.class)
                .doesNotHaveBean(TasksEndpointWebExtension.class));
    }

    @Test
    void notAvailableWhenDisabled() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=tasks", "management.endpoint.tasks.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(TasksEndpoint.class));
    }

    @Test
    void backsOffWhenTheApplicationDefinesItsOwnEndpoint() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=tasks").withUserConfiguration(OwnEndpoint.class)
                .run(context -> assertThat(context).hasSingleBean(TasksEndpoint.class).hasBean("myTasksEndpoint"));
    }

    @Test
    void theStarterWorksWithoutActuator() {
        runner.withClassLoader(new FilteredClassLoader(Endpoint.class))
                .withPropertyValues("management.endpoint.tasks.show-values=always", "async.runtime.history-size=5")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(AsyncRuntime.class).doesNotHaveBean(TasksEndpoint.class);
                    assertThat(context.getBean(TaskHistory.class).capacity()).isEqualTo(5);
                });
    }

    @Test
    void aNegativeHistorySizeFailsTheContextClearly() {
        try (ExpectedLogs logs = ExpectedLogs.capture("org.springframework.context")) {
            runner.withPropertyValues("async.runtime.history-size=-1")
                    .run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("history-size"));
            assertThat(logs.text()).contains("cancelling refresh attempt").contains("AsyncRuntimeProperties");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEndpoint {
        @Bean
        TasksEndpoint myTasksEndpoint(AsyncRuntime runtime, TaskHistory history) {
            return new TasksEndpoint(runtime, history, Show.ALWAYS, Set.of());
        }
    }
}
