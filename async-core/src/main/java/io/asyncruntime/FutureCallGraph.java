package io.asyncruntime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Who awaits whom: asyncio 3.14's {@code FutureCallGraph}, built by {@link Async#captureCallGraph}.
 *
 * <p>Threading: immutable once built; built on the loop thread, or from another thread as a weakly
 * consistent view (the loop may change it meanwhile).
 *
 * @param future    the future or task this node describes
 * @param callStack for a task, where it is (its stack, oldest frame first); empty for a plain future
 * @param awaitedBy the graphs of the tasks and futures waiting for this one: tasks suspended on it, the
 *                  gather that collects it, the task whose TaskGroup owns it
 */
public record FutureCallGraph(Future<?> future, List<StackTraceElement> callStack, List<FutureCallGraph> awaitedBy) {

    /**
     * Creates a node of a call graph, copying both lists.
     *
     * @param future    the future or task this node describes
     * @param callStack its stack, oldest frame first
     * @param awaitedBy the graphs of those waiting for it
     * @throws NullPointerException if a list, or an element of one, is null
     */
    public FutureCallGraph {
        callStack = List.copyOf(callStack);
        awaitedBy = List.copyOf(awaitedBy);
    }

    static FutureCallGraph capture(Future<?> future, int limit) {
        return capture(future, limit, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static FutureCallGraph capture(Future<?> future, int limit, Set<Future<?>> visiting) {
        // A path through the graph is followed once per path: a graph of diamonds (two tasks awaiting one, a third
        // gathering both) is a tree of exponential size. Callers on behalf of others use LoopTree, which is linear.
        List<StackTraceElement> stack = future instanceof Task<?> t ? t.getStack(limit) : List.of();
        List<FutureCallGraph> by = new ArrayList<>();
        if (visiting.add(future)) {
            for (Future<?> waiter : awaitersOf(future)) {
                by.add(capture(waiter, limit, visiting));
            }
            visiting.remove(future);
        }
        return new FutureCallGraph(future, stack, by);
    }

    /**
     * Returns what awaits {@code future} directly: the tasks suspended on it and the futures that wait for it (a
     * {@code gather}'s, a {@code TaskGroup}'s parent): one level of the call graph, asyncio 3.14's
     * {@code future._asyncio_awaited_by}. Any thread; from another thread the view is weakly consistent (a list the
     * loop is changing is read again once, then shown as empty).
     *
     * @param future the future
     * @return the direct awaiters, in the order they started waiting; empty if none
     */
    public static List<Future<?>> awaitersOf(Future<?> future) {
        for (int attempt = 0; ; attempt++) {
            try {
                return future.awaitedBy();
            } catch (java.util.ConcurrentModificationException | IndexOutOfBoundsException changing) {
                if (attempt == 1) {
                    return List.of();
                }
            }
        }
    }

    /**
     * Returns the graph as text, in the shape of asyncio 3.14's {@code format_call_graph} (newest frame
     * first); see {@link io.asyncruntime.debug.CallGraphFormat}.
     *
     * @return the text, lines separated by {@code \n}, without a final line break
     */
    public String format() {
        return io.asyncruntime.debug.CallGraphFormat.format(this);
    }
}
