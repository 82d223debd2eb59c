/** Spring MVC support: controllers that return a {@code Task}. */
@NullMarked
package io.asyncruntime.spring.web;

import org.jspecify.annotations.NullMarked;
