package io.asyncruntime.spring;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.EngineMode;
import io.asyncruntime.TaskDecorator;
import io.asyncruntime.debug.TaskHistory;
import io.asyncruntime.spring.context.ContextSnapshotTaskDecorator;
import io.asyncruntime.spring.diagnostics.FastModeUnavailableException;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import jakarta.servlet.Filter;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * Auto-configures one {@link AsyncRuntime}: an event loop on its own named thread, injectable anywhere,
 * started with the context and stopped gracefully by {@link AsyncRuntimeLifecycle}. Every bean backs off
 * when the application defines its own.
 *
 * <p>The application may also give the runtime an {@link ExecutorService} bean named
 * {@value #EXECUTOR_BEAN_NAME} for {@code Async.toThread}, and its own {@link TaskDecorator} bean.
 */
@AutoConfiguration
@ConditionalOnClass(AsyncRuntime.class)
@EnableConfigurationProperties(AsyncRuntimeProperties.class)
public final class AsyncRuntimeAutoConfiguration {
    /**
     * The name of an application {@link ExecutorService} bean to use as the loop's default executor. The loop shuts
     * it down when it closes, as asyncio's {@code loop.close()} does its default executor: give it one of its own.
     */
    public static final String EXECUTOR_BEAN_NAME = "asyncRuntimeExecutor";

    /* How often graceful shutdown repeats what it still waits for: a few lines over the default 30 s phase. */
    private static final Duration REMINDER_INTERVAL = Duration.ofSeconds(5);

    @Bean
    @ConditionalOnMissingBean
    AsyncRuntime asyncRuntime(AsyncRuntimeProperties properties, ObjectProvider<TaskDecorator> decorator,
            @Qualifier(EXECUTOR_BEAN_NAME) ObjectProvider<ExecutorService> executor,
            ObjectProvider<AsyncRuntimeBuilderCustomizer> customizers) {
        AsyncRuntime.Builder builder = AsyncRuntime.builder()
                .name(properties.getLoopName())
                .debug(properties.isDebug())
                .slowCallbackDuration(properties.getSlowCallbackDuration())
                .blockedThreshold(properties.getBlockedThreshold())
                .shutdownTimeout(properties.getShutdownTimeout());
        if (properties.getMode() != null) {
            builder.mode(properties.getMode());
        }
        customizers.orderedStream().forEach(c -> c.customize(builder));
        requireEngine(properties.getMode(), EngineMode.fastModeUnavailableReason());
        AsyncRuntime runtime = builder.start();
        runtime.loop().setRecordCreationSites(properties.isRecordCreationSites());
        TaskDecorator composed = compose(decorator.orderedStream().toList());
        if (composed != null) {
            runtime.loop().setTaskDecorator(composed);
        }
        ExecutorService own = executor.getIfAvailable();
        if (own != null) {
            runtime.loop().setDefaultExecutor(own);
        } else if (properties.getExecutor().getMaxThreads() > 0) {
            runtime.loop().setDefaultExecutor(Executors.newFixedThreadPool(properties.getExecutor().getMaxThreads(),
                    Thread.ofPlatform().name(properties.getLoopName() + "-executor-", 1).daemon(true).factory()));
        }
        return runtime;
    }

    /*
     * Every TaskDecorator bean applies, in order: the first (lowest order) is outermost, so it sets up before and
     * tears down after the others. Ours (context propagation) comes first, so an application's decorators already
     * see the creator's MDC and observation. Null when there is none.
     */
    static @Nullable TaskDecorator compose(java.util.List<TaskDecorator> decorators) {
        if (decorators.isEmpty()) {
            return null;
        }
        if (decorators.size() == 1) {
            return decorators.get(0);
        }
        java.util.List<TaskDecorator> inOrder = java.util.List.copyOf(decorators);
        return new TaskDecorator() {
            @Override
            public <T> io.asyncruntime.Coroutine<T> decorate(io.asyncruntime.Coroutine<T> coro) {
                io.asyncruntime.Coroutine<T> c = coro;
                for (int i = inOrder.size() - 1; i >= 0; i--) {
                    c = inOrder.get(i).decorate(c);
                }
                return c;
            }

            @Override
            public String toString() {
                return "TaskDecorators" + inOrder;
            }
        };
    }

    /**
     * Refuses FAST when this JVM cannot run it, with an exception that Boot's failure analysis reports on one screen
     * (the loop's own IllegalStateException would surface as the third "Caused by" of a long trace).
     *
     * @throws FastModeUnavailableException if {@code mode} is FAST and {@code fastUnavailableReason} is not null
     */
    static void requireEngine(@Nullable EngineMode mode, @Nullable String fastUnavailableReason) {
        if (mode == EngineMode.FAST && fastUnavailableReason != null) {
            throw new FastModeUnavailableException(fastUnavailableReason);
        }
    }

    @Bean
    @ConditionalOnMissingBean
    TaskHistory asyncTaskHistory(AsyncRuntime runtime, AsyncRuntimeProperties properties) {
        return TaskHistory.attach(runtime.loop(), properties.getHistorySize());
    }

    @Bean
    @ConditionalOnMissingBean
    AsyncRuntimeLifecycle asyncRuntimeLifecycle(AsyncRuntime runtime, AsyncRuntimeProperties properties) {
        return new AsyncRuntimeLifecycle(runtime, properties.getShutdownTimeout());
    }

    @Bean
    @ConditionalOnMissingBean
    BlockedLoopLogger asyncBlockedLoopLogger(AsyncRuntime runtime) {
        return new BlockedLoopLogger(runtime.loop());
    }

    /**
     * In a servlet web application whose server shuts down gracefully (Boot's default), counts the requests in
     * flight and says, when graceful shutdown starts, what it waits for. A reactive server's requests are not
     * counted, and {@code server.shutdown=immediate} does not wait; either way shutdown ends with the closing line.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(Filter.class)
    @ConditionalOnProperty(name = "server.shutdown", havingValue = "graceful", matchIfMissing = true)
    static class ShutdownNarrationConfiguration {

        @Bean
        @ConditionalOnMissingBean
        InFlightRequests asyncInFlightRequests() {
            return new InFlightRequests();
        }

        @Bean
        @ConditionalOnMissingBean
        GracefulShutdownNarrator asyncGracefulShutdownNarrator(AsyncRuntimeLifecycle lifecycle, InFlightRequests requests) {
            return new GracefulShutdownNarrator(lifecycle, requests::count, REMINDER_INTERVAL);
        }
    }

    /** Each task run is an {@code async.task} observation when the application has an ObservationRegistry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(io.micrometer.observation.ObservationRegistry.class)
    @ConditionalOnBooleanProperty(name = "async.runtime.observe-tasks", matchIfMissing = true)
    static class TaskObservationConfiguration {

        @Bean
        @ConditionalOnMissingBean
        io.asyncruntime.spring.observation.TaskObservationDecorator asyncTaskObservationDecorator(
                ObjectProvider<io.micrometer.observation.ObservationRegistry> registry, AsyncRuntimeProperties properties) {
            return new io.asyncruntime.spring.observation.TaskObservationDecorator(
                    registry.getIfAvailable(() -> io.micrometer.observation.ObservationRegistry.NOOP), properties.getLoopName());
        }
    }

    /** Tasks carry the creator's MDC and observation context when Micrometer's context-propagation is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ContextSnapshotFactory.class)
    @ConditionalOnBooleanProperty(name = "async.runtime.propagate-context", matchIfMissing = true)
    static class ContextPropagationConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ContextSnapshotTaskDecorator asyncContextSnapshotTaskDecorator(ObjectProvider<ContextSnapshotFactory> factory) {
            return new ContextSnapshotTaskDecorator(factory.getIfAvailable(() -> {
                registerMdcAccessor(ContextRegistry.getInstance());
                return ContextSnapshotFactory.builder().build();
            }));
        }

        /* Micrometer finds the observation accessor by itself but leaves the MDC one for the application to
           register, so a Spring app that does not would lose its MDC in every task. */
        private static void registerMdcAccessor(ContextRegistry registry) {
            if (!ClassUtils.isPresent("org.slf4j.MDC", ContextPropagationConfiguration.class.getClassLoader())) {
                return;
            }
            synchronized (ContextRegistry.class) {
                boolean present = registry.getThreadLocalAccessors().stream()
                        .anyMatch(a -> Slf4jThreadLocalAccessor.KEY.equals(a.key()));
                if (!present) {
                    registry.registerThreadLocalAccessor(new Slf4jThreadLocalAccessor());
                }
            }
        }
    }
}
