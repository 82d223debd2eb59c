package io.asyncruntime.spring;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.assertj.core.api.Assertions;

/**
 * Captures, for the length of a try-with-resources block, what the named loggers log, instead of printing it:
 * a test that provokes a warning or an error asserts on it here, and the build output stays quiet. Anything
 * logged outside a capture, or by other loggers, is printed as usual, so an unexpected error still shows.
 *
 * <pre>{@code
 * try (ExpectedLogs logs = ExpectedLogs.capture("io.asyncruntime")) {
 *     ...
 *     assertThat(logs.text()).contains("abandoned 1 task(s)");
 * }
 * }</pre>
 *
 * <p>It sees both worlds a starter test logs through: Logback (the starter, Spring), through the
 * {@link ConsoleFilter} that {@code logback-test.xml} puts on the console appender, and java.util.logging (the
 * core, when no SLF4J bridge is installed), through a handler on the named JUL loggers. Logback's filter lives in
 * a static registry, so it survives Spring Boot re-initialising Logback at each {@code SpringApplication.run}.
 *
 * <p>Threading: events arrive on any thread; reads are safe from any thread.
 */
public final class ExpectedLogs implements AutoCloseable {
    private static final List<ExpectedLogs> ACTIVE = new CopyOnWriteArrayList<>();

    private final List<String> prefixes;
    /* Threading: guarded by this. */
    private final List<String> events = new ArrayList<>();
    private final List<Logger> julLoggers = new ArrayList<>();
    private final List<Boolean> julUsedParents = new ArrayList<>();
    private final Handler julHandler = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            add(julLevel(record.getLevel()), record.getLoggerName(), formatter.formatMessage(record),
                    record.getThrown() == null ? null : stackTrace(record.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private ExpectedLogs(List<String> prefixes) {
        this.prefixes = prefixes;
    }

    /**
     * Starts capturing what the loggers named {@code loggerPrefixes} (and their children) log; the empty name
     * captures every Logback logger (everything, under {@code SpringApplication}, which bridges JUL to SLF4J).
     */
    public static ExpectedLogs capture(String... loggerPrefixes) {
        ExpectedLogs logs = new ExpectedLogs(List.of(loggerPrefixes));
        for (String prefix : loggerPrefixes) {
            if (!prefix.isEmpty()) {
                Logger jul = Logger.getLogger(prefix);
                logs.julLoggers.add(jul);
                logs.julUsedParents.add(jul.getUseParentHandlers());
                jul.addHandler(logs.julHandler);
                jul.setUseParentHandlers(false);
            }
        }
        ACTIVE.add(logs);
        return logs;
    }

    /** Returns the captured events, one per element: {@code LEVEL logger - message}, then the stack trace if any. */
    public synchronized List<String> events() {
        return List.copyOf(events);
    }

    /** Returns the captured events as text, one line per event line. */
    public String text() {
        return String.join("", events());
    }

    /** Returns the first {@code n} lines of the captured text: what a terminal shows first. */
    public List<String> firstLines(int n) {
        return text().lines().limit(n).toList();
    }

    /** Waits up to {@code timeout} for {@code text} to be captured (for what other threads log), then asserts it. */
    public void awaitText(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!text().contains(text) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        Assertions.assertThat(text()).contains(text);
    }

    @Override
    public void close() {
        ACTIVE.remove(this);
        for (int i = 0; i < julLoggers.size(); i++) {
            julLoggers.get(i).removeHandler(julHandler);
            julLoggers.get(i).setUseParentHandlers(julUsedParents.get(i));
        }
    }

    private boolean matches(String loggerName) {
        for (String p : prefixes) {
            if (p.isEmpty() || loggerName.equals(p) || loggerName.startsWith(p + ".")) {
                return true;
            }
        }
        return false;
    }

    private synchronized void add(String level, String logger, String message, String stackTrace) {
        events.add(level + " " + logger + " - " + message + System.lineSeparator() + (stackTrace == null ? "" : stackTrace));
    }

    private static String julLevel(java.util.logging.Level level) {
        int v = level.intValue();
        return v >= 1000 ? "ERROR" : v >= 900 ? "WARN" : v >= 800 ? "INFO" : "DEBUG";
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    /** The console appender's filter (see {@code logback-test.xml}): diverts captured events from the console. */
    public static final class ConsoleFilter extends Filter<ILoggingEvent> {
        @Override
        public FilterReply decide(ILoggingEvent event) {
            for (ExpectedLogs logs : ACTIVE) {
                if (logs.matches(event.getLoggerName())) {
                    logs.add(event.getLevel().toString(), event.getLoggerName(), event.getFormattedMessage(),
                            event.getThrowableProxy() == null ? null
                                    : ThrowableProxyUtil.asString(event.getThrowableProxy()) + CoreConstants.LINE_SEPARATOR);
                    return FilterReply.DENY;
                }
            }
            return FilterReply.NEUTRAL;
        }
    }

    @Override
    public String toString() {
        return "ExpectedLogs" + Arrays.toString(prefixes.toArray());
    }
}
