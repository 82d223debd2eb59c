/**
 * Micrometer meters for the event loop and its tasks.
 */
@NullMarked
package io.asyncruntime.spring.metrics;

import org.jspecify.annotations.NullMarked;
