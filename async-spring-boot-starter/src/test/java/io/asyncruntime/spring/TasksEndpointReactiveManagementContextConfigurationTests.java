package io.asyncruntime.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.spring.actuate.BodilessCancelWebFilter;
import io.asyncruntime.spring.actuate.TasksEndpointAutoConfiguration;
import io.asyncruntime.spring.actuate.TasksEndpointReactiveManagementContextConfiguration;
import io.asyncruntime.spring.actuate.TasksProblemWebExceptionHandler;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The WebFlux twins of the problem resolver and the bodiless-cancel filter: registered in a reactive application
 * whose tasks endpoint is exposed on the web, and nowhere else. (What they answer is checked over a real port by the
 * {@code WebFluxOnlyTasksEndpoint*HttpTests}.)
 */
class TasksEndpointReactiveManagementContextConfigurationTests {
    // Listed as auto-configurations so that the management configuration is evaluated after the endpoint's own, as
    // Actuator imports it.
    private static final AutoConfigurations CONFIGS = AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
            TasksEndpointAutoConfiguration.class, TasksEndpointReactiveManagementContextConfiguration.class);

    private final ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
            .withConfiguration(CONFIGS);

    @Test
    void autoConfiguredInAReactiveApplicationWhenExposedOnTheWeb() {
        reactive.withPropertyValues("management.endpoints.web.exposure.include=tasks")
                .run(context -> assertThat(context).hasSingleBean(TasksProblemWebExceptionHandler.class)
                        .hasSingleBean(BodilessCancelWebFilter.class));
    }

    @Test
    void notWhenNotExposedOnTheWeb() {
        reactive.run(context -> assertThat(context).doesNotHaveBean(TasksProblemWebExceptionHandler.class)
                .doesNotHaveBean(BodilessCancelWebFilter.class));
    }

    @Test
    void notWhenTheEndpointIsDisabled() {
        reactive.withPropertyValues("management.endpoints.web.exposure.include=tasks", "management.endpoint.tasks.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(TasksProblemWebExceptionHandler.class)
                        .doesNotHaveBean(BodilessCancelWebFilter.class));
    }

    @Test
    void notInAServletApplication() {
        new WebApplicationContextRunner().withConfiguration(CONFIGS)
                .withPropertyValues("management.endpoints.web.exposure.include=tasks")
                .run(context -> assertThat(context).doesNotHaveBean(TasksProblemWebExceptionHandler.class)
                        .doesNotHaveBean(BodilessCancelWebFilter.class));
    }

    @Test
    void backsOffWhenTheApplicationDefinesItsOwn() {
        reactive.withPropertyValues("management.endpoints.web.exposure.include=tasks")
                .withUserConfiguration(OwnHandlers.class)
                .run(context -> {
                    assertThat(context).hasSingleBean(TasksProblemWebExceptionHandler.class)
                            .hasSingleBean(BodilessCancelWebFilter.class);
                    assertThat(context).hasBean("ownHandler").hasBean("ownFilter");
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnHandlers {
        @Bean
        TasksProblemWebExceptionHandler ownHandler(ObjectProvider<PathMappedEndpoints> endpoints) {
            return new TasksProblemWebExceptionHandler(endpoints);
        }

        @Bean
        BodilessCancelWebFilter ownFilter(ObjectProvider<PathMappedEndpoints> endpoints) {
            return new BodilessCancelWebFilter(endpoints);
        }
    }
}
