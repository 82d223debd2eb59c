package io.asyncruntime.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.spring.AsyncRuntimeAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * The Task return-value handler is registered in servlet web applications only, first in the adapter's list, with
 * or without Reactor.
 */
class TaskReturnValueAutoConfigurationTests {
    private static final AutoConfigurations CONFIGS = AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
            TaskReturnValueAutoConfiguration.class);

    @Test
    void putsTheHandlerFirstInAServletWebApplication() {
        new WebApplicationContextRunner().withConfiguration(CONFIGS).withUserConfiguration(Adapter.class).run(context -> {
            RequestMappingHandlerAdapter adapter = context.getBean(RequestMappingHandlerAdapter.class);
            assertThat(adapter.getReturnValueHandlers()).first().isInstanceOf(TaskReturnValueHandler.class);
            assertThat(adapter.getReturnValueHandlers()).filteredOn(TaskReturnValueHandler.class::isInstance).hasSize(1);
        });
    }

    @Test
    void notInANonWebApplication() {
        new ApplicationContextRunner().withConfiguration(CONFIGS)
                .run(context -> assertThat(context).doesNotHaveBean("asyncTaskReturnValueHandlerRegistrar"));
    }

    @Test
    void notWithoutSpringMvc() {
        new WebApplicationContextRunner().withConfiguration(CONFIGS)
                .withClassLoader(new FilteredClassLoader(RequestMappingHandlerAdapter.class))
                .run(context -> assertThat(context).doesNotHaveBean("asyncTaskReturnValueHandlerRegistrar"));
    }

    @Test
    void anMvcApplicationWithoutReactorOrWebFluxKeepsTheHandler() {
        // Reactor and WebFlux are optional dependencies: an MVC application does not need them.
        new WebApplicationContextRunner().withConfiguration(CONFIGS)
                .withConfiguration(AutoConfigurations.of(TaskWebFluxAutoConfiguration.class))
                .withUserConfiguration(Adapter.class)
                .withClassLoader(new FilteredClassLoader("reactor.", "org.reactivestreams.",
                        "org.springframework.web.reactive."))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(RequestMappingHandlerAdapter.class).getReturnValueHandlers()).first()
                            .isInstanceOf(TaskReturnValueHandler.class);
                    assertThat(context).doesNotHaveBean("asyncTaskReactiveAdapterRegistrar");
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class Adapter {
        @Bean
        RequestMappingHandlerAdapter requestMappingHandlerAdapter() {
            return new RequestMappingHandlerAdapter();
        }
    }
}
