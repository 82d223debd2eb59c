/**
 * Spring MVC and WebFlux support: handler methods that return a {@code Task}, and cancel it when the request
 * ends first.
 */
@NullMarked
package io.asyncruntime.spring.web;

import org.jspecify.annotations.NullMarked;
