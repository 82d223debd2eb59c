package io.asyncruntime;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The failures of a {@link TaskGroup}'s children, together: Python's {@code ExceptionGroup}.
 *
 * <p>{@link #exceptions()} is filled while the group shuts down: the instance raised in the group's body
 * already holds every failure by the time it leaves the try-with-resources block.
 *
 * <p>Printed or logged, a group shows every sub-exception with its own stack trace and causes, as Python
 * prints the whole tree: each one is also a {@linkplain #getSuppressed() suppressed exception} of the group,
 * which {@link #printStackTrace()}, {@code java.util.logging}, Logback and Log4j 2 all render in full (as
 * {@code Suppressed: ...} blocks). {@link #getCause()} stays null, as an ExceptionGroup's
 * {@code __cause__} is: no single child is "the" cause. {@link #exceptions()} is the authoritative list;
 * {@link #getSuppressed()} (final in Throwable) is brought up to date by {@link #exceptions()},
 * {@link #getMessage()}, {@code toString()} and printing, and may also hold exceptions suppressed the usual
 * Java way (a failing {@code close()}).
 *
 * <p>Threading: created and filled on the loop; reading it from other threads (a logger) is safe and sees
 * the failures recorded so far.
 */
public class ExceptionGroup extends RuntimeException {
    /*
     * Why suppressed exceptions and not a printStackTrace override: Logback's and Log4j 2's throwable
     * converters never call printStackTrace, they walk getCause() and getSuppressed() themselves, so an
     * override would reach only the JDK's own printing. getSuppressed() is final, so the failures are copied
     * into the suppressed list as they are rendered: every renderer reads the message (toString) before the
     * suppressed exceptions, and getMessage() brings the copy up to date first. The failures list itself is
     * the TaskGroup's, appended to on the loop; syncedSuppressed counts how many were copied.
     */
    private static final long serialVersionUID = 1L;

    /* Threading: appended by the loop (owner: TaskGroup); read anywhere, weakly consistent. */
    private final transient List<Throwable> exceptions;
    /* Threading: guarded by this. How many of exceptions were added as suppressed (0 after deserialization,
       when exceptions is null and the suppressed list is all there is). */
    private transient int syncedSuppressed;

    ExceptionGroup(String message, List<Throwable> liveExceptions) {
        super(message);
        this.exceptions = liveExceptions;
    }

    /**
     * Returns the failures, in the order they happened: Python's {@code ExceptionGroup.exceptions}. A view
     * that grows while the group shuts down. After deserialization, the failures recorded as suppressed.
     *
     * @return the failures, unmodifiable
     */
    public List<Throwable> exceptions() {
        if (exceptions == null) {
            // Deserialized: the list is transient, the suppressed copies travelled.
            return List.of(getSuppressed());
        }
        syncSuppressed();
        return Collections.unmodifiableList(exceptions);
    }

    /**
     * Returns the message with the count and a one-line summary of each failure, e.g.
     * {@code (2 sub-exceptions: [...])}. A nested group is summarised by its own message and count only, not its
     * members (Python's {@code str(eg)} does not descend either), so groups nested thousands deep still print.
     */
    @Override
    public String getMessage() {
        List<Throwable> now = syncSuppressed();
        StringBuilder sb = new StringBuilder(super.getMessage()).append(" (");
        appendCount(sb, now.size()).append(": [");
        for (int i = 0; i < now.size(); i++) {
            Throwable t = now.get(i);
            if (i > 0) {
                sb.append(", ");
            }
            if (t instanceof ExceptionGroup nested) {
                sb.append(nested.getClass().getName()).append(": ").append(nested.baseMessage()).append(" (");
                appendCount(sb, nested.syncSuppressed().size()).append(')');
            } else {
                sb.append(t);
            }
        }
        return sb.append("])").toString();
    }

    private static StringBuilder appendCount(StringBuilder sb, int n) {
        return sb.append(n).append(" sub-exception").append(n == 1 ? "" : "s");
    }

    private String baseMessage() {
        return super.getMessage();
    }

    /* Copies failures recorded since the last call into the suppressed list; returns a snapshot of all of them. */
    private synchronized List<Throwable> syncSuppressed() {
        if (exceptions == null) {
            return Arrays.asList(getSuppressed());
        }
        Throwable[] snapshot;
        try {
            snapshot = exceptions.toArray(new Throwable[0]);
        } catch (RuntimeException concurrentlyGrowing) {
            // Read from another thread while the loop appends: show what was copied so far.
            return Arrays.asList(getSuppressed());
        }
        for (int i = syncedSuppressed; i < snapshot.length; i++) {
            Throwable e = snapshot[i];
            if (e != null && e != this) {
                addSuppressed(e);
            }
        }
        syncedSuppressed = Math.max(syncedSuppressed, snapshot.length);
        return Arrays.asList(snapshot);
    }
}
