package io.asyncruntime.spring.web;

import io.asyncruntime.Task;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Registers {@link TaskReturnValueHandler} with Spring MVC so that controllers may return a {@link Task}.
 *
 * <p>The handler is added through Spring MVC's own {@link WebMvcConfigurer#addReturnValueHandlers} and keeps the
 * place Spring gives it, after the built-in handlers. It still takes a {@code Task} returned from a
 * {@code @RestController} before the {@code @ResponseBody} handler does, because it is an
 * {@link org.springframework.web.method.support.AsyncHandlerMethodReturnValueHandler}: Spring MVC gives a value
 * that such a handler declares asynchronous to the asynchronous handlers only, and handles the task's result,
 * once it is there, as an ordinary return value ({@code @ResponseBody}, {@code ResponseEntity}, a view name).
 *
 * <p>Why not the {@link org.springframework.core.ReactiveAdapterRegistry}, as for WebFlux
 * ({@link TaskWebFluxAutoConfiguration})? MVC's reactive return-value handling (Spring Framework 7.0's
 * {@code ReactiveTypeHandler}) refers to Reactor's {@code Mono} whenever Micrometer's context-propagation is on
 * the classpath, which this starter always brings: in an MVC application without Reactor every reactive return
 * value would fail with {@code NoClassDefFoundError: reactor/core/publisher/Mono}. And Spring MVC's
 * {@code CompletionStage} handling never cancels the stage when the request times out, which a task must be.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ Task.class, WebMvcConfigurer.class })
public final class TaskReturnValueAutoConfiguration {

    @Bean
    WebMvcConfigurer asyncTaskReturnValueConfigurer() {
        return new WebMvcConfigurer() {
            @Override
            public void addReturnValueHandlers(List<HandlerMethodReturnValueHandler> handlers) {
                handlers.add(new TaskReturnValueHandler());
            }
        };
    }
}
