package io.asyncruntime.spring.diagnostics;

/**
 * Thrown at start-up when {@code async.runtime.mode=fast} asks for the FAST engine and this JVM does not allow it;
 * {@link FastModeUnavailableFailureAnalyzer} turns it into Boot's failure report.
 *
 * <p>Threading: immutable.
 */
public class FastModeUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    /**
     * Creates the exception.
     *
     * @param reason why FAST is unavailable, as {@link io.asyncruntime.EngineMode#fastModeUnavailableReason()} says
     */
    public FastModeUnavailableException(String reason) {
        super("async.runtime.mode=fast, but the FAST engine is not available: " + reason);
        this.reason = reason;
    }

    /** Returns why FAST is unavailable. */
    public String getReason() {
        return reason;
    }
}
