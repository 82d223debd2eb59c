package io.asyncruntime.spring.actuate;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.debug.TaskHistory;
import io.asyncruntime.spring.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.spring.AsyncRuntimeProperties;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures the {@code tasks} endpoint when Actuator is present and the endpoint is available
 * (exposed with {@code management.endpoints.web.exposure.include=tasks}, like every non-trivial endpoint).
 */
@AutoConfiguration(after = AsyncRuntimeAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(AsyncRuntime.class)
@ConditionalOnAvailableEndpoint(TasksEndpoint.class)
public final class TasksEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TasksEndpoint tasksEndpoint(AsyncRuntime runtime, TaskHistory history, AsyncRuntimeProperties properties) {
        Show show = Show.valueOf(properties.getShowStacks().name());
        return new TasksEndpoint(runtime, history, show, properties.getRoles());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
    TasksEndpointWebExtension tasksEndpointWebExtension(AsyncRuntime runtime) {
        return new TasksEndpointWebExtension(runtime);
    }
}
