/**
 * Introspection: immutable snapshots of tasks ({@link io.asyncruntime.debug.TaskInfo}) and the bounded
 * history of finished ones ({@link io.asyncruntime.debug.TaskHistory}), safe to read from any thread.
 * Snapshots are weakly consistent, as kotlinx's {@code DebugProbes}: each is taken from a task that other
 * threads may be changing, and never blocks or waits for the loop.
 */
package io.asyncruntime.debug;
