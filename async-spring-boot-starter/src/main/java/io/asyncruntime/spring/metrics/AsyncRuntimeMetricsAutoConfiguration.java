package io.asyncruntime.spring.metrics;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.AsyncRuntimeAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
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
}
