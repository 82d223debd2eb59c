package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

/**
 * ExceptionGroup printed and logged: every sub-exception keeps its own stack trace, as Python's traceback
 * of an ExceptionGroup shows each child's (checked on python3.13: {@code traceback.print_exc()} of a
 * TaskGroup failure prints each child's frames).
 */
class ExceptionGroupTest {

    private static void failsInFirstChild() {
        throw new IllegalStateException("first child failed");
    }

    private static void failsInSecondChild() {
        throw new UnsupportedOperationException("second child failed", new ArithmeticException("root cause"));
    }

    private static ExceptionGroup groupOfTwo() {
        return Loops.runVirtual(() -> {
            try (TaskGroup tg = new TaskGroup()) {
                tg.createTask(() -> {
                    failsInFirstChild();
                    return null;
                });
                tg.createTask(() -> {
                    failsInSecondChild();
                    return null;
                });
            } catch (ExceptionGroup eg) {
                return eg;
            }
            throw new AssertionError("the group did not fail");
        });
    }

    private static String printed(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @Test
    void printStackTraceShowsEachSubExceptionWithItsOwnFrames() {
        ExceptionGroup eg = groupOfTwo();
        String text = printed(eg);
        assertThat(text).startsWith("io.asyncruntime.ExceptionGroup: unhandled errors in a TaskGroup (2 sub-exceptions")
                .contains("Suppressed: java.lang.IllegalStateException: first child failed")
                .contains("at io.asyncruntime.ExceptionGroupTest.failsInFirstChild(")
                .contains("Suppressed: java.lang.UnsupportedOperationException: second child failed")
                .contains("at io.asyncruntime.ExceptionGroupTest.failsInSecondChild(")
                .contains("Caused by: java.lang.ArithmeticException: root cause");
        // Printing twice does not add the children twice.
        printed(eg);
        assertThat(eg.getSuppressed()).hasSize(2);
    }

    @Test
    void aLoggedGroupShowsEachSubExceptionWithItsOwnFrames() {
        ExceptionGroup eg = groupOfTwo();
        LogRecord record = new LogRecord(Level.SEVERE, "task group failed");
        record.setThrown(eg);
        String logged = new SimpleFormatter().format(record);
        assertThat(logged).contains("task group failed")
                .contains("at io.asyncruntime.ExceptionGroupTest.failsInFirstChild(")
                .contains("at io.asyncruntime.ExceptionGroupTest.failsInSecondChild(");
    }

    @Test
    void exceptionsAndCauseStayAsPythonHasThem() {
        ExceptionGroup eg = groupOfTwo();
        assertThat(eg.getCause()).isNull();
        assertThat(eg.exceptions()).extracting(Throwable::getMessage)
                .containsExactly("first child failed", "second child failed");
        assertThat(eg.getSuppressed()).containsExactlyElementsOf(eg.exceptions());
        assertThatThrownBy(() -> eg.exceptions().add(new RuntimeException())).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aFailureRecordedAfterAPrintIsPrintedNextTime() {
        List<Throwable> live = new ArrayList<>();
        ExceptionGroup eg = new ExceptionGroup("unhandled errors in a TaskGroup", live);
        live.add(new IllegalStateException("early"));
        assertThat(printed(eg)).contains("(1 sub-exception: ").contains("Suppressed: java.lang.IllegalStateException: early");
        live.add(new IllegalArgumentException("late"));
        assertThat(printed(eg)).contains("(2 sub-exceptions: ").contains("Suppressed: java.lang.IllegalArgumentException: late");
        assertThat(eg.getSuppressed()).hasSize(2);
    }

    @Test
    void aSerializedGroupKeepsItsFailures() throws Exception {
        ExceptionGroup eg = groupOfTwo();
        printed(eg);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(eg);
        }
        ExceptionGroup back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (ExceptionGroup) in.readObject();
        }
        assertThat(back.exceptions()).extracting(Throwable::getMessage)
                .containsExactly("first child failed", "second child failed");
        assertThat(printed(back)).contains("at io.asyncruntime.ExceptionGroupTest.failsInSecondChild(");
    }
}
