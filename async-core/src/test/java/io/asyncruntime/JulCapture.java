package io.asyncruntime;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what one java.util.logging logger (the core's System.Logger backend) writes while a test provokes
 * it, and keeps it off the build's output. Use with try-with-resources; assert on {@link #messages()}.
 */
final class JulCapture implements AutoCloseable {
    private final Logger logger;
    private final boolean parentHandlers;
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (records) {
                records.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private JulCapture(Class<?> source) {
        this.logger = Logger.getLogger(source.getName());
        this.parentHandlers = logger.getUseParentHandlers();
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);
    }

    /** Starts capturing the logger named after {@code source}. */
    static JulCapture of(Class<?> source) {
        return new JulCapture(source);
    }

    /** Returns the messages logged so far, oldest first. */
    List<String> messages() {
        synchronized (records) {
            return records.stream().map(LogRecord::getMessage).toList();
        }
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(parentHandlers);
    }
}
