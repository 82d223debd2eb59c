/** The demo application. */
@NullMarked
package io.asyncruntime.demo;

import org.jspecify.annotations.NullMarked;
