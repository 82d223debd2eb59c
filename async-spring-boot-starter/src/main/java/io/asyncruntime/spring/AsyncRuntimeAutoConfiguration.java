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
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import jakarta.servlet.Filter;
import java.time.Duration;
import java.util.concurrent.Executor;
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
 * <p>The executor behind {@code Async.toThread} is the bean {@value #EXECUTOR_BEAN_NAME}, which the application may
 * replace; work handed to it passes through the task's context and the Spring {@code TaskDecorator} beans, as on
 * Boot's own executors, and is timed when there is a meter registry (see {@link RuntimeExecutor}).
 */
@AutoConfiguration
@ConditionalOnClass(AsyncRuntime.class)
@EnableConfigurationProperties(AsyncRuntimeProperties.class)
public final class AsyncRuntimeAutoConfiguration {
    /**
     * The name of the {@link ExecutorService} bean the loop uses as its default executor ({@code Async.toThread},
     * {@code runInExecutor(null, …)}): auto-configured unless the application defines one by this name. The loop
     * shuts it down when it closes, as asyncio's {@code loop.close()} does its default executor: give it one of its
     * own, declared {@code defaultCandidate = false} as ours is, so that it does not stand in for Boot's
     * {@code applicationTaskExecutor} (which backs off when another {@code Executor} is a candidate).
     */
    public static final String EXECUTOR_BEAN_NAME = "asyncRuntimeExecutor";

    /* How often graceful shutdown repeats what it still waits for: a few lines over the default 30 s phase. */
    private static final Duration REMINDER_INTERVAL = Duration.ofSeconds(5);

    @Bean
    @ConditionalOnMissingBean
    AsyncRuntime asyncRuntime(AsyncRuntimeProperties properties, ObjectProvider<TaskDecorator> decorator,
            @Qualifier(EXECUTOR_BEAN_NAME) ObjectProvider<ExecutorService> executor,
            ObjectProvider<AsyncRuntimeBuilderCustomizer> customizers,
            ObjectProvider<org.springframework.core.task.TaskDecorator> executorDecorators,
            ObjectProvider<MeterRegistry> meterRegistry) {
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
        java.util.List<TaskDecorator> taskDecorators = decorator.orderedStream().toList();
        TaskDecorator composed = compose(taskDecorators);
        if (composed != null) {
            runtime.loop().setTaskDecorator(composed);
        }
        ExecutorService bean = executor.getIfAvailable();
        if (bean != null) {
            ContextSnapshotTaskDecorator context = taskDecorators.stream().filter(ContextSnapshotTaskDecorator.class::isInstance)
                    .map(ContextSnapshotTaskDecorator.class::cast).findFirst().orElse(null);
            runtime.loop().setDefaultExecutor(runtimeExecutor(bean, context, executorDecorators.orderedStream().toList(),
                    meterRegistry.getIfUnique(), properties.getLoopName()));
        }
        return runtime;
    }

    /*
     * The executor bean as the loop uses it: decorated as Boot decorates its own executors (every Spring TaskDecorator
     * bean, in order), inside the task's own context (outermost, so the application's decorators see the task's MDC
     * and observation), and timed by Micrometer when there is a registry. Boot's pool gauges for it are bound by
     * AsyncRuntimeMetricsAutoConfiguration.
     */
    static RuntimeExecutor runtimeExecutor(ExecutorService bean, @Nullable ContextSnapshotTaskDecorator context,
            java.util.List<org.springframework.core.task.TaskDecorator> decorators, @Nullable MeterRegistry registry,
            String loopName) {
        org.springframework.core.task.TaskDecorator application = decorators.isEmpty() ? null
                : decorators.size() == 1 ? decorators.get(0)
                : new org.springframework.core.task.support.CompositeTaskDecorator(decorators);
        org.springframework.core.task.TaskDecorator all = context == null ? application
                : application == null ? context::decorate
                : work -> context.decorate(application.decorate(work));
        // Executor, not ExecutorService: Micrometer then only times the runs, and leaves the pool gauges (which
        // it cannot read from a virtual-thread-per-task executor without opening java.util.concurrent) to us.
        Executor plain = bean::execute;
        Executor through = registry == null ? plain
                : ExecutorServiceMetrics.monitor(registry, plain, EXECUTOR_BEAN_NAME, Tags.of("loop", loopName));
        return new RuntimeExecutor(bean, through, all);
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

    /**
     * The executor behind {@code Async.toThread}: a virtual thread per call, or with
     * {@code async.runtime.executor.max-threads} a fixed pool of platform threads. Not a default candidate, so that
     * it is injected only by name and Boot's {@code applicationTaskExecutor} is still auto-configured beside it.
     * Shut down (not closed, which would wait for running work without end) when the context closes; the loop shuts
     * it down first when it closes. A nested configuration, registered before the runtime bean above, so that only
     * an application's own runtime (which would not use it) makes it back off.
     */
    @Configuration(proxyBeanMethods = false)
    static class RuntimeExecutorConfiguration {

        @Bean(name = EXECUTOR_BEAN_NAME, defaultCandidate = false, destroyMethod = "shutdown")
        @ConditionalOnMissingBean(name = EXECUTOR_BEAN_NAME, value = AsyncRuntime.class)
        ExecutorService asyncRuntimeExecutor(AsyncRuntimeProperties properties) {
            int maxThreads = properties.getExecutor().getMaxThreads();
            String prefix = properties.getLoopName() + "-executor-";
            return maxThreads > 0
                    ? Executors.newFixedThreadPool(maxThreads, Thread.ofPlatform().name(prefix, 1).daemon(true).factory())
                    : Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(prefix, 1).factory());
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
