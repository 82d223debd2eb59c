package io.asyncruntime.spring;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.debug.TaskHistory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures one {@link AsyncRuntime}: an event loop on its own named thread, injectable anywhere,
 * started with the context and stopped gracefully by {@link AsyncRuntimeLifecycle}. Every bean backs off
 * when the application defines its own.
 */
@AutoConfiguration
@ConditionalOnClass(AsyncRuntime.class)
@EnableConfigurationProperties(AsyncRuntimeProperties.class)
public final class AsyncRuntimeAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    AsyncRuntime asyncRuntime(AsyncRuntimeProperties properties) {
        AsyncRuntime.Builder builder = AsyncRuntime.builder()
                .name(properties.getLoopName())
                .debug(properties.isDebug())
                .slowCallbackDuration(properties.getSlowCallbackDuration())
                .shutdownTimeout(properties.getShutdownTimeout());
        if (properties.getMode() != null) {
            builder.mode(properties.getMode());
        }
        return builder.start();
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
}
