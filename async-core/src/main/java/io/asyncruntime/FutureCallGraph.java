package io.asyncruntime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who awaits whom: asyncio 3.14's {@code FutureCallGraph}, built by {@link Async#captureCallGraph}.
 *
 * <p>A future that awaits the start by more than one path (a diamond: two tasks awaiting one, a {@code gather}
 * collecting both) has one node, which every {@code awaitedBy} list that names it shares; asyncio's tree repeats
 * it once per path, which doubles at every level of a chain of diamonds. So a graph is linear in the futures and
 * awaits, and each node still lists all its awaiters. A walk that follows every path (as asyncio's printing
 * does) meets a shared node more than once: keep the nodes already seen, as {@link #format()} does.
 * {@link #equals}, {@link #hashCode} and {@link #toString} are linear too: equality is the record's (the same
 * future, stack and awaiters, recursively), compared once per pair of nodes; the text names the direct awaiters'
 * futures without descending. An await cycle is cut where it closes: that node has no awaiters.
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
        return new Capture(limit).node(future);
    }

    /*
     * One capture. asyncio 3.14's capture_call_graph builds a tree, following a shared awaiter once per path: a
     * chain of diamonds (two tasks awaiting one, a gather collecting both, two tasks awaiting the gather, ...)
     * doubles it at every level, 2^40 nodes for 40 levels. Here each future's node is built once (its stack walked
     * once, its awaiters listed once) and shared by every list that names it, so the graph is linear in the
     * futures and awaits while every node still has all its awaiters. Recursion follows one path at a time.
     */
    private static final class Capture {
        private final int limit;
        private final Map<Future<?>, FutureCallGraph> built = new IdentityHashMap<>();
        private final Map<Future<?>, List<StackTraceElement>> stacks = new IdentityHashMap<>();
        private final Set<Future<?>> onPath = Collections.newSetFromMap(new IdentityHashMap<>());

        Capture(int limit) {
            this.limit = limit;
        }

        FutureCallGraph node(Future<?> future) {
            FutureCallGraph done = built.get(future);
            if (done != null) {
                return done;
            }
            List<StackTraceElement> stack = stacks.computeIfAbsent(future,
                    f -> f instanceof Task<?> t ? t.getStack(limit) : List.of());
            if (!onPath.add(future)) {
                // An await cycle (a deadlock, which asyncio's tree would follow until RecursionError): cut where
                // it closes, this node without its awaiters (the one up the path has them).
                return new FutureCallGraph(future, stack, List.of());
            }
            List<FutureCallGraph> by = new ArrayList<>();
            for (Future<?> waiter : awaitersOf(future)) {
                by.add(node(waiter));
            }
            onPath.remove(future);
            FutureCallGraph node = new FutureCallGraph(future, stack, by);
            built.put(future, node);
            return node;
        }
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
     * Returns whether {@code o} is a graph of the same shape: the same future, stack and awaiters' graphs,
     * recursively, as a record's equality; each pair of nodes is compared once, so shared nodes cost no more.
     *
     * @param o the object to compare with
     * @return true if {@code o} is an equal graph
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof FutureCallGraph g && sameGraph(this, g, new IdentityHashMap<>());
    }

    private static boolean sameGraph(FutureCallGraph a, FutureCallGraph b, Map<FutureCallGraph, Set<FutureCallGraph>> equal) {
        if (a == b) {
            return true; // nodes are immutable and acyclic: the same node is the same graph
        }
        Set<FutureCallGraph> known = equal.get(a);
        if (known != null && known.contains(b)) {
            return true;
        }
        if (!Objects.equals(a.future, b.future) || !a.callStack.equals(b.callStack)
                || a.awaitedBy.size() != b.awaitedBy.size()) {
            return false;
        }
        for (int i = 0; i < a.awaitedBy.size(); i++) {
            if (!sameGraph(a.awaitedBy.get(i), b.awaitedBy.get(i), equal)) {
                return false;
            }
        }
        equal.computeIfAbsent(a, k -> Collections.newSetFromMap(new IdentityHashMap<>())).add(b);
        return true;
    }

    /**
     * Returns a hash of the future, the stack and the awaiters' graphs, consistent with {@link #equals}; each shared
     * node is hashed once.
     *
     * @return the hash
     */
    @Override
    public int hashCode() {
        return hash(this, new IdentityHashMap<>());
    }

    private static int hash(FutureCallGraph g, Map<FutureCallGraph, Integer> memo) {
        Integer known = memo.get(g);
        if (known != null) {
            return known;
        }
        int h = 31 * Objects.hashCode(g.future) + g.callStack.hashCode();
        for (FutureCallGraph waiter : g.awaitedBy) {
            h = 31 * h + hash(waiter, memo);
        }
        memo.put(g, h);
        return h;
    }

    /**
     * Returns this node as {@code FutureCallGraph[future=..., callStack=[...], awaitedBy=[...]]}, where
     * {@code awaitedBy} lists the futures of the direct awaiters only (the whole graph is {@link #format()}).
     *
     * @return the text
     */
    @Override
    public String toString() {
        return "FutureCallGraph[future=" + future + ", callStack=" + callStack + ", awaitedBy="
                + awaitedBy.stream().map(FutureCallGraph::future).toList() + "]";
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
