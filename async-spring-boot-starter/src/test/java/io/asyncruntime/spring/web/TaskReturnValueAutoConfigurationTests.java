package io.asyncruntime.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.spring.AsyncRuntimeAutoConfiguration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import org.springframework.web.servlet.mvc.method.annotation.RequestResponseBodyMethodProcessor;

/**
 * The Task return-value handler is registered through Spring MVC's {@code WebMvcConfigurer}, in servlet web
 * applications only, with or without Reactor: Spring's own handlers keep their order, and the application's own
 * custom handlers are kept beside it.
 */
class TaskReturnValueAutoConfigurationTests {
    private static final AutoConfigurations CONFIGS = AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
            TaskReturnValueAutoConfiguration.class, WebMvcAutoConfiguration.class);

    @Test
    void addsTheHandlerAsACustomHandlerLeavingSpringsOrderAlone() {
        new WebApplicationContextRunner().withConfiguration(CONFIGS).run(context -> {
            RequestMappingHandlerAdapter adapter = context.getBean(RequestMappingHandlerAdapter.class);
            assertThat(adapter.getCustomReturnValueHandlers()).singleElement()
                    .isInstanceOf(TaskReturnValueHandler.class);
            List<HandlerMethodReturnValueHandler> all = adapter.getReturnValueHandlers();
            assertThat(all).filteredOn(TaskReturnValueHandler.class::isInstance).hasSize(1);
            // After the built-in @ResponseBody handler, where Spring puts custom handlers: the handler is still
            // chosen first for a task because it is asynchronous (see TaskReturnValueHandlerTests over HTTP).
            assertThat(indexOf(all, TaskReturnValueHandler.class))
                    .isGreaterThan(indexOf(all, RequestResponseBodyMethodProcessor.class));
        });
    }

    @Test
    void keepsTheApplicationsOwnReturnValueHandlers() {
        new WebApplicationContextRunner().withConfiguration(CONFIGS).withUserConfiguration(OwnHandler.class)
                .run(context -> assertThat(context.getBean(RequestMappingHandlerAdapter.class)
                        .getCustomReturnValueHandlers()).hasSize(2)
                        .hasAtLeastOneElementOfType(TaskReturnValueHandler.class)
                        .hasAtLeastOneElementOfType(OwnHandler.Handler.class));
    }

    @Test
    void notInANonWebApplication() {
        new ApplicationContextRunner().withConfiguration(CONFIGS)
                .run(context -> assertThat(context).doesNotHaveBean("asyncTaskReturnValueConfigurer"));
    }

    @Test
    void notWithoutSpringMvc() {
        new WebApplicationContextRunner().withConfiguration(CONFIGS)
                .withClassLoader(new FilteredClassLoader(WebMvcConfigurer.class))
                .run(context -> assertThat(context).doesNotHaveBean("asyncTaskReturnValueConfigurer"));
    }

    @Test
    void anMvcApplicationWithoutReactorOrWebFluxKeepsTheHandler() {
        // Reactor and WebFlux are optional dependencies: an MVC application does not need them.
        new WebApplicationContextRunner().withConfiguration(CONFIGS)
                .withConfiguration(AutoConfigurations.of(TaskWebFluxAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("reactor.", "org.reactivestreams.",
                        "org.springframework.web.reactive."))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(RequestMappingHandlerAdapter.class).getCustomReturnValueHandlers())
                            .singleElement().isInstanceOf(TaskReturnValueHandler.class);
                    assertThat(context).doesNotHaveBean("asyncTaskReactiveAdapterRegistrar");
                });
    }

    private static int indexOf(List<HandlerMethodReturnValueHandler> handlers, Class<?> type) {
        for (int i = 0; i < handlers.size(); i++) {
            if (type.isInstance(handlers.get(i))) {
                return i;
            }
        }
        throw new AssertionError(type.getSimpleName() + " is not among " + handlers);
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnHandler {
        @Bean
        WebMvcConfigurer ownReturnValueHandler() {
            return new WebMvcConfigurer() {
                @Override
                public void addReturnValueHandlers(List<HandlerMethodReturnValueHandler> handlers) {
                    handlers.add(new Handler());
                }
            };
        }

        static final class Handler implements HandlerMethodReturnValueHandler {
            @Override
            public boolean supportsReturnType(MethodParameter returnType) {
                return false;
            }

            @Override
            public void handleReturnValue(Object returnValue, MethodParameter returnType,
                    ModelAndViewContainer mavContainer, NativeWebRequest webRequest) {
                throw new UnsupportedOperationException();
            }
        }
    }
}
