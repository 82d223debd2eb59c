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

    /*
     * future.awaitedBy() is loop-confined; read from another thread (an actuator request) it may meet a list
     * the loop is changing. The view is weakly consistent anyway, so retry once, then show no waiters.
     */
    private static List<Future<?>> awaitersOf(Future<?> future) {
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
