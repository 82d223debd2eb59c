package io.asyncruntime.spring.web;

import io.asyncruntime.Task;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Registers {@link TaskReturnValueHandler} with Spring MVC so that controllers may return a {@link Task}.
 *
 * <p>Handlers added through {@code WebMvcConfigurer} are consulted after the {@code @ResponseBody} handler,
 * which would claim a {@code Task} returned from a {@code @RestController} and serialize the task object itself;
 * so the handler is put first in the adapter's list once the adapter has built it.
 *
 * <p>Why not Spring's standard route, registering {@code Task} with the {@link
 * org.springframework.core.ReactiveAdapterRegistry} as WebFlux does ({@link TaskWebFluxAutoConfiguration})?
 * MVC's reactive return-value handling (Spring Framework 7.0's {@code ReactiveTypeHandler}) refers to Reactor's
 * {@code Mono} whenever Micrometer's context-propagation is on the classpath, which this starter always brings:
 * in an MVC application without Reactor every reactive return value then fails with
 * {@code NoClassDefFoundError: reactor/core/publisher/Mono}. Reactor stays optional for MVC applications, so MVC
 * keeps this handler. The {@code CompletionStage} route would need {@code Task} to be one.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ Task.class, RequestMappingHandlerAdapter.class })
public final class TaskReturnValueAutoConfiguration {

    @Bean
    static BeanPostProcessor asyncTaskReturnValueHandlerRegistrar() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof RequestMappingHandlerAdapter adapter) {
                    List<HandlerMethodReturnValueHandler> current = adapter.getReturnValueHandlers();
                    if (current != null && current.stream().noneMatch(TaskReturnValueHandler.class::isInstance)) {
                        List<HandlerMethodReturnValueHandler> handlers = new ArrayList<>(current.size() + 1);
                        handlers.add(new TaskReturnValueHandler());
                        handlers.addAll(current);
                        adapter.setReturnValueHandlers(handlers);
                    }
                }
                return bean;
            }
        };
    }
}
