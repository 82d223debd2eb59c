package io.asyncruntime.spring.health;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.spring.AsyncRuntimeProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Registers the {@code asyncLoop} health contributor ({@code management.health.asyncloop.enabled}).
 */
@AutoConfiguration(after = AsyncRuntimeAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(AsyncRuntime.class)
@ConditionalOnEnabledHealthIndicator("asyncloop")
public final class AsyncLoopHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "asyncLoopHealthIndicator")
    AsyncLoopHealthIndicator asyncLoopHealthIndicator(AsyncRuntime runtime, AsyncRuntimeProperties properties) {
        return new AsyncLoopHealthIndicator(runtime, properties.getBlockedThreshold());
    }
}
