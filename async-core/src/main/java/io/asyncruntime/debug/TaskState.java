package io.asyncruntime.debug;

/** A task's state as introspection shows it. */
public enum TaskState {
    /** Waiting for its next step: suspended at an await, or ready to run. */
    PENDING,
    /** Its step is running on the loop right now (or its blocking call holds the loop). */
    RUNNING,
    /** Pending, with a cancellation requested that has not finished it yet. */
    CANCELLING,
    /** Finished with a result. */
    DONE,
    /** Finished with an exception. */
    FAILED,
    /** Cancelled. */
    CANCELLED
}
