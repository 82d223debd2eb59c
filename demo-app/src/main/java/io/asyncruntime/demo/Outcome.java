package io.asyncruntime.demo;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one run of an example did: the task that ran it (look it up under {@code /actuator/tasks}), what it
 * printed, how long it took in loop time, and its result.
 */
public record Outcome(long taskId, String taskName, List<String> output, double elapsedSeconds, @Nullable Object result) {
}
