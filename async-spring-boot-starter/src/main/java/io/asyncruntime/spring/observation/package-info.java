/**
 * Micrometer Observation of each task: the {@code async.task} observation, a child of the creator's.
 */
@NullMarked
package io.asyncruntime.spring.observation;

import org.jspecify.annotations.NullMarked;
