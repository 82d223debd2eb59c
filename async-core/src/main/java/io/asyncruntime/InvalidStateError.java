package io.asyncruntime;

/**
 * Raised by a {@link Future} operation that its state does not allow: a result asked of a pending
 * future, a result set on a done one, a result set on a {@link Task}.
 */
public class InvalidStateError extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates one with the given message.
     *
     * @param message what the state did not allow, or null
     */
    public InvalidStateError(String message) {
        super(message);
    }
}
