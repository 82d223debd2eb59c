package io.asyncruntime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what one java.util.logging logger (and its children) logs for the length of a try-with-resources
 * block, instead of printing it: a test that provokes a warning or an error asserts on it here, so a green build
 * prints no stack trace it expected. Other loggers, and this one outside the block, print as usual; so do the
 * records the test does not claim (see {@link #of(Class, Predicate)}), such as a report of an exception never
 * retrieved that the garbage collector triggers for a future another test left behind.
 *
 * <pre>{@code
 * try (LogCapture logs = LogCapture.of(EventLoop.class)) {
 *     ...
 *     assertThat(logs.messages(Level.SEVERE)).containsExactly("Loop stall listener failed");
 * }
 * }</pre>
 *
 * <p>Threading: records arrive on any thread (the loop, the watchdog); reads are safe from any thread.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final boolean usedParentHandlers;
    private final Predicate<LogRecord> claimed;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger, Predicate<LogRecord> claimed) {
        this.logger = logger;
        this.claimed = claimed;
        this.usedParentHandlers = logger.getUseParentHandlers();
        setLevel(Level.ALL);
    }

    /** Starts capturing what the logger of {@code type} logs (the core's loggers are named after their class). */
    public static LogCapture of(Class<?> type) {
        return of(type, r -> true);
    }

    /**
     * Starts capturing the records of the logger of {@code type} that {@code claimed} accepts; the others are
     * printed as they would be without the capture.
     */
    public static LogCapture of(Class<?> type, Predicate<LogRecord> claimed) {
        LogCapture capture = new LogCapture(Logger.getLogger(type.getName()), claimed);
        capture.logger.addHandler(capture);
        capture.logger.setUseParentHandlers(false);
        return capture;
    }

    /** Returns the captured records, oldest first. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** Returns the messages logged at {@code level}, oldest first. */
    public List<String> messages(Level level) {
        return records.stream().filter(r -> r.getLevel().equals(level)).map(LogRecord::getMessage).toList();
    }

    @Override
    public void publish(LogRecord record) {
        if (claimed.test(record)) {
            records.add(record);
            return;
        }
        // Not this test's: hand it to the handlers the logger would have used.
        for (Logger l = logger.getParent(); l != null; l = l.getParent()) {
            for (Handler h : l.getHandlers()) {
                h.publish(record);
            }
            if (!l.getUseParentHandlers()) {
                break;
            }
        }
    }

    @Override
    public void flush() {
    }

    /** Stops capturing: the logger prints through its parents again. */
    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(usedParentHandlers);
    }
}
