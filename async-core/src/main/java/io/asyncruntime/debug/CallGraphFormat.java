package io.asyncruntime.debug;

import io.asyncruntime.Future;
import io.asyncruntime.FutureCallGraph;
import io.asyncruntime.Task;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The text of a {@link FutureCallGraph}, in the shape of asyncio 3.14's {@code format_call_graph}:
 *
 * <pre>
 * * Task(name='leaf', id=7)
 *   + Call stack:
 *   |   at com.example.Leaf.fetch(Leaf.java:42)
 *   |   at com.example.Leaf.run(Leaf.java:17)
 *   + Awaited by:
 *     * Future(id=0x1b6d3586)
 *       + Awaited by:
 *         * Task(name='main', id=1)
 * </pre>
 *
 * <p>As in asyncio, each level is indented by four spaces, a plain future is {@code Future(id=0x...)} (its
 * identity hash, as Python shows its address) and the call stack lists the newest frame first, which is also
 * how a Java stack trace reads. Differences: a task's id is its {@link Task#getId()} in decimal, the id the
 * actuator endpoint and {@code AsyncRuntime.findTask} take; frames are Java's {@code at ...} lines. A future
 * awaited through more than one path (a diamond) is printed in full the first time and then named again, marked
 * {@code (see above)}, without its stack and awaiters, where asyncio prints it in full each time; so the text is
 * linear in the futures and awaits (a chain of 40 diamonds would otherwise be 2^40 entries). An await cycle is
 * named where it closes, marked {@code (cycle)}. For a tree the text is asyncio's.
 *
 * <pre>
 * * Task(name='a', id=2)
 *   + Awaited by:
 *     * Task(name='b', id=3)
 *       + Awaited by:
 *         * Future(id=0x5e9f23b4)
 *           + Awaited by:
 *             * Task(name='d', id=5)
 *     * Task(name='c', id=4)
 *       + Awaited by:
 *         * Future(id=0x5e9f23b4) (see above)
 * </pre>
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
        render(graph, 0, lines, Collections.newSetFromMap(new IdentityHashMap<>()),
                Collections.newSetFromMap(new IdentityHashMap<>()));
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

    /*
     * shown: the futures whose node was printed already; onPath: those being printed around this one. A future met
     * again is named without its stack and awaiters: asyncio's format_call_graph prints it again in full, which
     * doubles the text at every level of a chain of diamonds.
     */
    private static void render(FutureCallGraph g, int level, List<String> lines, Set<Future<?>> shown,
            Set<Future<?>> onPath) {
        String indent = "    ".repeat(level);
        if (onPath.contains(g.future())) {
            lines.add(indent + "* " + label(g.future()) + " (cycle)");
            return;
        }
        if (!shown.add(g.future())) {
            lines.add(indent + "* " + label(g.future()) + " (see above)");
            return;
        }
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
            onPath.add(g.future());
            for (FutureCallGraph waiter : g.awaitedBy()) {
                render(waiter, level + 1, lines, shown, onPath);
            }
            onPath.remove(g.future());
        }
    }
}
