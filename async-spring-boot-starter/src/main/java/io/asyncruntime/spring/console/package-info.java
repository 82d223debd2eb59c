/**
 * The tasks console: a page under the management base path that shows the {@code tasks} endpoint and the loop
 * meters live in a browser, opt-in with {@code async.runtime.console.enabled}.
 */
@NullMarked
package io.asyncruntime.spring.console;

import org.jspecify.annotations.NullMarked;
