package io.asyncruntime.spring.actuate;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SearchStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * The {@link BodilessCancelFilter} in the management child context, when Actuator runs on its own port
 * ({@code management.server.port}): that context's server registers only its own filters, so the one
 * {@link TasksEndpointAutoConfiguration} defines in the application context would not see the endpoint's requests.
 * (The {@link TasksProblemResolver} needs no twin: the child context's dispatcher consults the parent's resolvers.)
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBean(TasksEndpoint.class)
public final class TasksEndpointManagementContextConfiguration {

    @Bean
    @ConditionalOnMissingBean(search = SearchStrategy.CURRENT) // the application context has its own
    BodilessCancelFilter tasksBodilessCancelFilter(ObjectProvider<PathMappedEndpoints> endpoints) {
        return new BodilessCancelFilter(endpoints);
    }
}
