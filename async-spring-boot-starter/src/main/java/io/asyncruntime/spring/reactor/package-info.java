/**
 * Project Reactor interop: a task seen as a {@code Mono}, and a {@code Mono} awaited inside a task. Needs
 * {@code reactor-core} on the classpath (an optional dependency of the starter).
 */
@NullMarked
package io.asyncruntime.spring.reactor;

import org.jspecify.annotations.NullMarked;
