package io.asyncruntime;

/** Raised when an operation exceeded its deadline ({@code waitFor}, {@code timeout} scopes, {@code asCompleted}). */
public class TimeoutError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates one without message. */
    public TimeoutError() {
        super();
    }

    /**
     * Creates one with the given message.
     *
     * @param message which deadline passed, or null
     */
    public TimeoutError(String message) {
        super(message);
    }
}
