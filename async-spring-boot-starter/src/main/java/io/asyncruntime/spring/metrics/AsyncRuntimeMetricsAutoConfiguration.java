package io.asyncruntime.spring.metrics;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.AsyncRuntimeAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadPoolExecutor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Binds {@link EventLoopMetrics} for the application's {@link AsyncRuntime} when Micrometer is present; Boot
 * binds every {@code MeterBinder} bean to every registry.
 */
@AutoConfiguration(after = {AsyncRuntimeAutoConfiguration.class, MetricsAutoConfiguration.class,
        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class})
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({AsyncRuntime.class, MeterRegistry.class})
public final class AsyncRuntimeMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    EventLoopMetrics eventLoopMetrics(AsyncRuntime runtime) {
        return new EventLoopMetrics(runtime.loop(), Duration.ofMillis(100), List.of());
    }

    /**
     * Binds Micrometer's {@link ExecutorServiceMetrics} to the runtime's executor, as Boot does to its own
     * {@code applicationTaskExecutor}: {@code executor.active}, {@code executor.queued}, {@code executor.completed},
     * {@code executor.pool.size}, … tagged {@code name=asyncRuntimeExecutor} and {@code loop}, when it is a pool
     * ({@code async.runtime.executor.max-threads}, or an application pool). A virtual thread per call has no pool to
     * gauge (and Micrometer could read its thread count only with {@code java.util.concurrent} opened); every run,
     * pooled or not, is timed ({@code executor.execution}, {@code executor.idle}) where the runtime hands it over.
     */
    @Bean
    @ConditionalOnMissingBean(name = "asyncRuntimeExecutorMetrics")
    MeterBinder asyncRuntimeExecutorMetrics(
            @Qualifier(AsyncRuntimeAutoConfiguration.EXECUTOR_BEAN_NAME) ObjectProvider<ExecutorService> executor,
            AsyncRuntime runtime) {
        return registry -> {
            ExecutorService bean = executor.getIfAvailable();
            if (bean instanceof ThreadPoolExecutor || bean instanceof ForkJoinPool) {
                new ExecutorServiceMetrics(bean, AsyncRuntimeAutoConfiguration.EXECUTOR_BEAN_NAME,
                        Tags.of("loop", runtime.loop().name())).bindTo(registry);
            }
        };
    }
}
