package io.asyncruntime.spring.web;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import io.asyncruntime.spring.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.spring.reactor.ReactorAsync;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.core.ReactiveTypeDescriptor;
import org.springframework.web.reactive.DispatcherHandler;
import reactor.core.publisher.Mono;

/**
 * Lets WebFlux handler methods return a {@link Task}, and take one as a {@code @RequestBody}, by registering
 * {@code Task} as a single-value reactive type with WebFlux's {@link ReactiveAdapterRegistry} (the
 * {@code webFluxAdapterRegistry} bean): WebFlux then treats a returned task as it treats a {@code Mono}, through
 * {@link ReactorAsync#toMono(io.asyncruntime.Future, String)}. The result goes through the usual handling
 * ({@code @ResponseBody} encoding, {@code ResponseEntity}, …); a failed task's exception, or the
 * {@code CancelledError} of a cancelled one, goes to the exception handlers.
 *
 * <p>An exchange that ends before its task cancels the task with {@value #EXCHANGE_CANCELLED}: WebFlux cancels
 * the response's subscription when the client disconnects, and so does anything else that gives up on the
 * response (a {@code timeout} in a {@code WebFilter}, for instance).
 *
 * <p>Only WebFlux's own registry is extended, not {@link ReactiveAdapterRegistry#getSharedInstance() the shared
 * one}, which caching, transactions and scheduling consult too: there a {@code Task} keeps meaning a plain value.
 *
 * <p>Threading: the registry, which is not thread-safe, is extended once, while the context starts and before the
 * server takes requests; the adapters then run on WebFlux's threads and hand over to the loop as
 * {@link ReactorAsync} describes.
 */
@AutoConfiguration(after = AsyncRuntimeAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({ Task.class, Mono.class, DispatcherHandler.class })
public final class TaskWebFluxAutoConfiguration {
    /** The message of the {@code CancelledError} that ends a task whose exchange was cancelled first. */
    public static final String EXCHANGE_CANCELLED = "the HTTP exchange was cancelled before the task finished"
            + " (the client disconnected, or the response was given up)";

    /* A post-processor rather than a bean that takes the registry: the registry is ready, with Task in it,
       before any handler adapter can ask it. The runtime is looked up lazily, only to turn a Publisher into
       a Task (a @RequestBody Task<T>), so that it is not created early for a post-processor. */
    @Bean
    static BeanPostProcessor asyncTaskReactiveAdapterRegistrar(ObjectProvider<AsyncRuntime> runtime) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof ReactiveAdapterRegistry registry && registry.getAdapter(Task.class) == null) {
                    register(registry, runtime);
                }
                return bean;
            }
        };
    }

    private static void register(ReactiveAdapterRegistry registry, ObjectProvider<AsyncRuntime> runtime) {
        // Not deferred: like a CompletableFuture, a task runs whether or not anyone subscribes.
        registry.registerReactiveType(
                ReactiveTypeDescriptor.nonDeferredAsyncValue(Task.class,
                        () -> runtime.getObject().createTask(() -> null, "empty")),
                task -> ReactorAsync.toMono((Task<?>) task, EXCHANGE_CANCELLED),
                publisher -> runtime.getObject()
                        .createTask(() -> ReactorAsync.await(Mono.from(publisher)), "from-publisher"));
    }
}
