package io.asyncruntime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Who awaits whom: asyncio 3.14's {@code FutureCallGraph}, built by {@link Async#captureCallGraph}.
 *
 * @param future    the future or task this node describes
 * @param callStack for a task, where it is (its stack, oldest frame first); empty for a plain future
 * @param awaitedBy the graphs of the tasks and futures waiting for this one: tasks suspended on it, the
 *                  gather that collects it, the task whose TaskGroup owns it
 */
public record FutureCallGraph(Future<?> future, List<StackTraceElement> callStack, List<FutureCallGraph> awaitedBy) {

    public FutureCallGraph {
        callStack = List.copyOf(callStack);
        awaitedBy = List.copyOf(awaitedBy);
    }

    static FutureCallGraph capture(Future<?> future, int limit) {
        return capture(future, limit, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static FutureCallGraph capture(Future<?> future, int limit, Set<Future<?>> visiting) {
        List<StackTraceElement> stack = future instanceof Task<?> t ? t.getStack(limit) : List.of();
        List<FutureCallGraph> by = new ArrayList<>();
        if (visiting.add(future)) {
            for (Future<?> waiter : future.awaitedBy()) {
                by.add(capture(waiter, limit, visiting));
            }
            visiting.remove(future);
        }
        return new FutureCallGraph(future, stack, by);
    }

    /** Returns the graph as text, in the layout of asyncio's {@code format_call_graph}. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        render(this, 0, sb);
        return sb.toString();
    }

    private static void render(FutureCallGraph g, int level, StringBuilder sb) {
        String indent = "    ".repeat(level);
        Future<?> f = g.future();
        sb.append(indent).append("* ");
        if (f instanceof Task<?> t) {
            sb.append("Task(name='").append(t.getName()).append("', id=").append(t.getId()).append(')');
        } else {
            sb.append(f);
        }
        sb.append('\n');
        if (!g.callStack().isEmpty()) {
            sb.append(indent).append("  + Call stack:\n");
            for (StackTraceElement e : g.callStack()) {
                sb.append(indent).append("  |   at ").append(e).append('\n');
            }
        }
        if (!g.awaitedBy().isEmpty()) {
            sb.append(indent).append("  + Awaited by:\n");
            for (FutureCallGraph w : g.awaitedBy()) {
                render(w, level + 1, sb);
            }
        }
    }
}
