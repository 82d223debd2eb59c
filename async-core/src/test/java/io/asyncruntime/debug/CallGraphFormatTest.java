package io.asyncruntime.debug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.Async;
import io.asyncruntime.EventLoop;
import io.asyncruntime.Future;
import io.asyncruntime.FutureCallGraph;
import io.asyncruntime.ManualClock;
import io.asyncruntime.Runner;
import io.asyncruntime.Task;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The text of a call graph, in the shape of asyncio 3.14's {@code format_call_graph} (read from CPython's
 * Lib/asyncio/graph.py: python3.13 has no call graphs): "* Task(name=..., id=...)", "  + Call stack:",
 * "  + Awaited by:", four spaces per level, no final line break; print adds one.
 */
class CallGraphFormatTest {

    private static Runner virtualRunner() {
        return new Runner(EventLoop.builder().clock(new ManualClock())::build);
    }

    private static String leafWaits(Future<String> gate) {
        return gate.await();
    }

    @Test
    void formatCallGraphHasAsyncioShapeWithTheNewestFrameFirst() {
        try (Runner runner = virtualRunner()) {
            runner.run(() -> {
                Future<String> gate = Async.getRunningLoop().createFuture();
                Task<String> leaf = Async.createTask(() -> leafWaits(gate), "leaf");
                Task<Object> top = Async.createTask(() -> Async.gather(leaf).await(), "top");
                Async.sleep(0);
                Async.sleep(0);
                String text = Async.formatCallGraph(leaf);
                List<String> lines = text.lines().toList();
                assertThat(lines.get(0)).isEqualTo("* Task(name='leaf', id=" + leaf.getId() + ")");
                assertThat(lines.get(1)).isEqualTo("  + Call stack:");
                // Newest first, as format_call_graph and a Java stack trace: the frame where it waits comes
                // before the test's own lambda that called it.
                int leafWaits = indexOfFirst(lines, "CallGraphFormatTest.leafWaits(");
                int caller = indexOfFirst(lines, "CallGraphFormatTest.lambda$");
                assertThat(leafWaits).as(text).isPositive().isLessThan(caller);
                assertThat(lines.get(2)).as(text).startsWith("  |   at ");
                assertThat(lines).contains("  + Awaited by:");
                assertThat(lines).anyMatch(l -> l.matches("    \\* Future\\(id=0x[0-9a-f]+\\)"));
                assertThat(lines).contains("        * Task(name='top', id=" + top.getId() + ")");
                assertThat(text).doesNotEndWith("\n");

                FutureCallGraph noFrames = Async.captureCallGraph(leaf, 0);
                assertThat(CallGraphFormat.format(noFrames)).doesNotContain("Call stack");
                assertThat(Async.captureCallGraph(leaf, 1).callStack()).hasSize(1);

                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                Async.printCallGraph(leaf, new PrintStream(bytes, true, StandardCharsets.UTF_8));
                assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(text + System.lineSeparator());
                gate.setResult("go");
                top.await();
                return null;
            });
        }
    }

    private static int indexOfFirst(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }

    /* asyncio 3.14: format_call_graph() with no current task returns '' (capture gives None). */
    @Test
    void theCurrentTasksGraphIsEmptyTextInALoopCallback() {
        try (Runner runner = virtualRunner()) {
            String[] inCallback = new String[1];
            String inTask = runner.run(() -> {
                Future<Void> done = Async.getRunningLoop().createFuture();
                Async.getRunningLoop().callSoon(() -> {
                    inCallback[0] = Async.formatCallGraph();
                    done.setResult(null);
                });
                done.await();
                return Async.formatCallGraph();
            });
            assertThat(inCallback[0]).isEmpty();
            assertThat(inTask).startsWith("* Task(name='Task-");
        }
        assertThatThrownBy(Async::formatCallGraph).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Async.formatCallGraph(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("future");
    }
}
