package io.asyncruntime;

import java.util.Collections;
import java.util.List;

/**
 * The failures of a {@link TaskGroup}'s children, together: Python's {@code ExceptionGroup}.
 *
 * <p>{@link #exceptions()} is filled while the group shuts down: the instance raised in the group's body
 * already holds every failure by the time it leaves the try-with-resources block.
 */
public class ExceptionGroup extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<Throwable> exceptions;

    ExceptionGroup(String message, List<Throwable> liveExceptions) {
        super(message);
        this.exceptions = liveExceptions;
    }

    /** Returns the failures, in the order they happened. */
    public List<Throwable> exceptions() {
        return Collections.unmodifiableList(exceptions);
    }

    @Override
    public String getMessage() {
        return super.getMessage() + " (" + exceptions.size() + " sub-exception" + (exceptions.size() == 1 ? "" : "s")
                + ": " + exceptions + ")";
    }
}
