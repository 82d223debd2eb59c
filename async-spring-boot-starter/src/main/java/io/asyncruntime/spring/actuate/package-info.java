/**
 * The Actuator {@code tasks} endpoint: list, inspect and cancel the tasks of the application's event loop.
 */
@NullMarked
package io.asyncruntime.spring.actuate;

import org.jspecify.annotations.NullMarked;
