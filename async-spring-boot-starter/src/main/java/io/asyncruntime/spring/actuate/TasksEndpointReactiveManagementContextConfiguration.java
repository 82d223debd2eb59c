package io.asyncruntime.spring.actuate;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SearchStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.DispatcherHandler;

/**
 * The WebFlux side of the {@code tasks} endpoint's problem details: the {@link TasksProblemWebExceptionHandler} and
 * the {@link BodilessCancelWebFilter}, in whichever context serves Actuator (the application's, or the management
 * child context's when {@code management.server.port} gives Actuator a port of its own: that context's server
 * applies only its own filters and exception handlers).
 */
@ManagementContextConfiguration(value = ManagementContextType.ANY, proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(DispatcherHandler.class)
@ConditionalOnBean(TasksEndpoint.class)
@ConditionalOnAvailableEndpoint(endpoint = TasksEndpoint.class, exposure = EndpointExposure.WEB)
public final class TasksEndpointReactiveManagementContextConfiguration {

    @Bean
    @ConditionalOnMissingBean(search = SearchStrategy.CURRENT)
    TasksProblemWebExceptionHandler tasksProblemWebExceptionHandler(ObjectProvider<PathMappedEndpoints> endpoints) {
        return new TasksProblemWebExceptionHandler(endpoints);
    }

    @Bean
    @ConditionalOnMissingBean(search = SearchStrategy.CURRENT)
    BodilessCancelWebFilter tasksBodilessCancelWebFilter(ObjectProvider<PathMappedEndpoints> endpoints) {
        return new BodilessCancelWebFilter(endpoints);
    }
}
