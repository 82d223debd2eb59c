/** Context propagation into tasks: MDC, observations and tracing, through Micrometer's context-propagation. */
@NullMarked
package io.asyncruntime.spring.context;

import org.jspecify.annotations.NullMarked;
