package io.asyncruntime.spring.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.function.RouterFunction;

/**
 * When the console is served: only when asked for, and only while the tasks endpoint is exposed over HTTP and
 * accessible; its path and refresh are checked at start-up.
 */
class TasksConsoleManagementContextConfigurationTests {
    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withUserConfiguration(ActuatorProperties.class, TasksConsoleManagementContextConfiguration.class);

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(WebEndpointProperties.class)
    static class ActuatorProperties {
    }

    @Test
    void servedWhenEnabledAndTheTasksEndpointIsExposed() {
        runner.withPropertyValues("async.runtime.console.enabled=true", "management.endpoints.web.exposure.include=tasks")
                .run(context -> assertThat(context).hasSingleBean(RouterFunction.class));
    }

    @Test
    void notServedUnlessEnabled() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=tasks")
                .run(context -> assertThat(context).doesNotHaveBean(RouterFunction.class));
    }

    @Test
    void notServedWhenTheTasksEndpointIsNotExposed() {
        runner.withPropertyValues("async.runtime.console.enabled=true", "management.endpoints.web.exposure.include=health")
                .run(context -> assertThat(context).doesNotHaveBean(RouterFunction.class));
    }

    @Test
    void notServedWhenTheTasksEndpointIsRemoved() {
        runner.withPropertyValues("async.runtime.console.enabled=true", "management.endpoints.web.exposure.include=tasks",
                "management.endpoint.tasks.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(RouterFunction.class));
    }

    @Test
    void aTooFrequentRefreshFailsStartUpSayingWhy() {
        runner.withPropertyValues("async.runtime.console.enabled=true", "management.endpoints.web.exposure.include=tasks",
                "async.runtime.console.refresh=100ms")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("async.runtime.console.refresh must be at least"));
    }

    @Test
    void thePathIsNormalisedOrRefusedWithTheReason() {
        assertThat(TasksConsoleManagementContextConfiguration.consolePath("console/")).isEqualTo("/console");
        assertThat(TasksConsoleManagementContextConfiguration.consolePath("/ops/tasks-console")).isEqualTo("/ops/tasks-console");
        for (String bad : new String[] {"/", "/a//b", "/../x", "/a b", "/x?y"}) {
            assertThatIllegalArgumentException().isThrownBy(() -> TasksConsoleManagementContextConfiguration.consolePath(bad))
                    .withMessageContaining("async.runtime.console.path");
        }
    }
}
