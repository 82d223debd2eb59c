/**
 * The event loop's health indicator.
 */
@NullMarked
package io.asyncruntime.spring.health;

import org.jspecify.annotations.NullMarked;
