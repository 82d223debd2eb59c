/**
 * Spring Boot auto-configuration for asyncruntime: a managed {@link io.asyncruntime.AsyncRuntime}.
 */
@NullMarked
package io.asyncruntime.spring;

import org.jspecify.annotations.NullMarked;
