package io.asyncruntime.debug;

import io.asyncruntime.Future;
import io.asyncruntime.FutureCallGraph;
import io.asyncruntime.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The text of a {@link FutureCallGraph}, in the shape of asyncio 3.14's {@code format_call_graph}:
 *
 * <pre>
 * * Task(name='leaf', id=7)
 *   + Call stack:
 *   |   at com.example.Leaf.fetch(Leaf.java:42)
 *   |   at com.example.Leaf.run(Leaf.java:17)
 *   + Awaited by:
 *       * Future(id=0x1b6d3586)
 *           + Awaited by:
 *               * Task(name='main', id=1)
 * </pre>
 *
 * <p>As in asyncio, each level is indented by four spaces, a plain future is {@code Future(id=0x...)} (its
 * identity hash, as Python shows its address) and the call stack lists the newest frame first, which is also
 * how a Java stack trace reads. Differences: a task's id is its {@link Task#getId()} in decimal, the id the
 * actuator endpoint and {@code AsyncRuntime.findTask} take; frames are Java's {@code at ...} lines.
 *
 * <p>Threading: any thread; the text is as consistent as the graph it is given.
 */
public final class CallGraphFormat {
    private CallGraphFormat() {
    }

    /**
     * Returns {@code graph} as text, lines separated by {@code \n}, without a final line break (as
     * {@code format_call_graph}).
     *
     * @param graph the graph, as {@link io.asyncruntime.Async#captureCallGraph(Future)} returns it
     * @return the text
     * @throws NullPointerException if {@code graph} is null
     */
    public static String format(FutureCallGraph graph) {
        Objects.requireNonNull(graph, "graph");
        List<String> lines = new ArrayList<>();
        render(graph, 0, lines);
        return String.join("\n", lines);
    }

    /**
     * Returns the one-line label of {@code future} used in graphs and trees: {@code Task(name='x', id=7)} or
     * {@code Future(id=0x1b6d3586)}.
     *
     * @param future a task or a plain future
     * @return its label
     */
    public static String label(Future<?> future) {
        if (future instanceof Task<?> t) {
            return "Task(name='" + t.getName() + "', id=" + t.getId() + ")";
        }
        return "Future(id=0x" + Integer.toHexString(System.identityHashCode(future)) + ")";
    }

    private static void render(FutureCallGraph g, int level, List<String> lines) {
        String indent = "    ".repeat(level);
        lines.add(indent + "* " + label(g.future()));
        List<StackTraceElement> stack = g.callStack();
        if (!stack.isEmpty()) {
            lines.add(indent + "  + Call stack:");
            for (int i = stack.size() - 1; i >= 0; i--) {
                lines.add(indent + "  |   at " + stack.get(i));
            }
        }
        if (!g.awaitedBy().isEmpty()) {
            lines.add(indent + "  + Awaited by:");
            for (FutureCallGraph waiter : g.awaitedBy()) {
                render(waiter, level + 1, lines);
            }
        }
    }
}
