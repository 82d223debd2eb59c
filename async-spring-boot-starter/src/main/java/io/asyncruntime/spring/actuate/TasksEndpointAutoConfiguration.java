package io.asyncruntime.spring.actuate;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.debug.TaskHistory;
import io.asyncruntime.spring.AsyncRuntimeAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Auto-configures the {@code tasks} endpoint when Actuator is present and the endpoint is available (exposed with
 * {@code management.endpoints.web.exposure.include=tasks}, like every non-trivial endpoint). Its default access is
 * read-only: cancel opens with {@code management.endpoint.tasks.access=unrestricted}. What it reveals follows
 * {@link TasksEndpointProperties}. In a Spring MVC application, the problem-detail resolver and the bodiless-cancel
 * filter come with it; in a WebFlux one, their twins come with
 * {@link TasksEndpointReactiveManagementContextConfiguration}.
 */
@AutoConfiguration(after = AsyncRuntimeAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(AsyncRuntime.class)
@ConditionalOnAvailableEndpoint(TasksEndpoint.class)
@EnableConfigurationProperties(TasksEndpointProperties.class)
public final class TasksEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TasksEndpoint tasksEndpoint(AsyncRuntime runtime, TaskHistory history, TasksEndpointProperties properties) {
        return new TasksEndpoint(runtime, history, properties.getShowValues(), properties.getRoles());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
    TasksEndpointWebExtension tasksEndpointWebExtension(TasksEndpoint endpoint) {
        return new TasksEndpointWebExtension(endpoint);
    }

    /** The servlet side: what Spring MVC refuses before an operation runs, answered as problem details. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(DispatcherServlet.class)
    @ConditionalOnAvailableEndpoint(endpoint = TasksEndpoint.class, exposure = EndpointExposure.WEB)
    static class ServletConfiguration {

        @Bean
        @ConditionalOnMissingBean
        TasksProblemResolver tasksProblemResolver(ObjectProvider<PathMappedEndpoints> endpoints) {
            return new TasksProblemResolver(endpoints);
        }

        @Bean
        @ConditionalOnMissingBean
        BodilessCancelFilter tasksBodilessCancelFilter(ObjectProvider<PathMappedEndpoints> endpoints) {
            return new BodilessCancelFilter(endpoints);
        }
    }
}
