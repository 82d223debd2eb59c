/**
 * Start-up checks and Spring Boot failure analyzers: an unsupported Spring Boot version and a FAST engine the
 * JVM does not allow are each reported as one "APPLICATION FAILED TO START" screen that says what to change.
 *
 * <p>The classes here are loaded through {@code META-INF/spring.factories} under every Spring Boot version an
 * application may try, so they use only types that Boot 3.x and 4.x share.
 */
@NullMarked
package io.asyncruntime.spring.diagnostics;

import org.jspecify.annotations.NullMarked;
