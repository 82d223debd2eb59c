package io.asyncruntime.spring;

import io.asyncruntime.AsyncRuntime;

/**
 * Customizes the builder of the auto-configured {@link AsyncRuntime} before it starts, in Spring Boot's
 * {@code *Customizer} style: the clock (a {@link io.asyncruntime.ManualClock} for tests on virtual time), the engine
 * mode, debug settings, thresholds. Every bean of this type is applied, in {@link org.springframework.core.Ordered}
 * / {@code @Order} order, after the {@code async.runtime.*} properties, so a customizer has the last word.
 *
 * <pre>{@code
 * @Bean
 * AsyncRuntimeBuilderCustomizer virtualTime() {
 *     return builder -> builder.clock(new ManualClock());
 * }
 * }</pre>
 *
 * <p>Threading: called once, on the thread that creates the runtime bean.
 */
@FunctionalInterface
public interface AsyncRuntimeBuilderCustomizer {

    /**
     * Customizes {@code builder}.
     *
     * @param builder the builder, with the properties already applied
     */
    void customize(AsyncRuntime.Builder builder);
}
