package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.debug.CallGraphFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** asyncio 3.14's call graph: who awaits whom, through plain awaits, gather and TaskGroup. */
class CallGraphTest {

    private static String leafWaits(Future<String> gate) {
        return gate.await();
    }

    @Test
    void aTaskIsAwaitedByTheTaskAwaitingItAndThroughGatherAndTaskGroups() {
        Loops.runVirtual(() -> {
            Future<String> gate = Async.getRunningLoop().createFuture();
            Task<String> leaf = Async.createTask(() -> leafWaits(gate), "leaf");
            Task<Object> middle = Async.createTask(() -> Async.gather(leaf).await(), "middle");
            Task<String> top = Async.createTask(() -> {
                try (TaskGroup tg = new TaskGroup()) {
                    tg.createTask(() -> middle.await(), "grouped");
                }
                return "top";
            }, "top");
            Async.sleep(0);
            Async.sleep(0);

            FutureCallGraph g = Async.captureCallGraph(leaf);
            assertThat(g.future()).isSameAs(leaf);
            assertThat(g.callStack()).last().extracting(StackTraceElement::getMethodName).isEqualTo("leafWaits");
            // leaf <- gather's outer future <- middle <- grouped <- top (the TaskGroup's parent)
            FutureCallGraph outer = g.awaitedBy().get(0);
            assertThat(outer.future()).isInstanceOf(Gather.GatheringFuture.class);
            FutureCallGraph mid = outer.awaitedBy().get(0);
            assertThat(mid.future()).isSameAs(middle);
            FutureCallGraph grouped = mid.awaitedBy().get(0);
            assertThat(((Task<?>) grouped.future()).getName()).isEqualTo("grouped");
            assertThat(grouped.awaitedBy()).extracting(FutureCallGraph::future).containsExactly(top);

            String text = g.format();
            assertThat(text).startsWith("* Task(name='leaf', id=" + leaf.getId() + ")")
                    .contains("+ Call stack:", "leafWaits", "+ Awaited by:", "* Task(name='middle'", "* Task(name='top'");
            assertThat(Async.captureCallGraph().future()).isSameAs(Async.currentTask().orElseThrow());

            gate.setResult("go");
            assertThat(top.await()).isEqualTo("top");
            assertThat(Async.captureCallGraph(leaf).awaitedBy()).isEmpty();
            return null;
        });
    }

    /*
     * A diamond: b and c await a, a gather collects b and c, d awaits the gather. asyncio 3.14's capture_call_graph
     * (Lib/asyncio/graph.py) follows the gather once per path and prints it twice, as it would for any shared
     * awaiter; here its node is built once, shared by b's and c's lists, and printed once, then named again.
     */
    @Test
    void aSharedAwaiterIsOneNodeAndIsPrintedOnce() {
        Loops.runVirtual(() -> {
            Future<String> gate = Async.getRunningLoop().createFuture();
            Task<String> a = Async.createTask(() -> leafWaits(gate), "a");
            Task<String> b = Async.createTask(() -> a.await(), "b");
            Task<String> c = Async.createTask(() -> a.await(), "c");
            Future<List<Object>> both = Async.gather(b, c);
            Task<List<Object>> d = Async.createTask(() -> both.await(), "d");
            Async.sleep(0);

            FutureCallGraph g = Async.captureCallGraph(a, 0);
            FutureCallGraph viaB = g.awaitedBy().get(0).awaitedBy().get(0);
            FutureCallGraph viaC = g.awaitedBy().get(1).awaitedBy().get(0);
            assertThat(viaB.future()).isSameAs(both);
            assertThat(viaC).isSameAs(viaB);
            assertThat(viaB.awaitedBy()).extracting(FutureCallGraph::future).containsExactly(d);
            // The same graph as asyncio's tree, where the gather's subtree is a copy per path.
            FutureCallGraph dNode = new FutureCallGraph(d, List.of(), List.of());
            FutureCallGraph tree = new FutureCallGraph(a, List.of(), List.of(
                    new FutureCallGraph(b, List.of(), List.of(new FutureCallGraph(both, List.of(), List.of(dNode)))),
                    new FutureCallGraph(c, List.of(), List.of(new FutureCallGraph(both, List.of(), List.of(dNode))))));
            assertThat(g).isEqualTo(tree).hasSameHashCodeAs(tree);

            String gather = CallGraphFormat.label(both);
            assertThat(g.format()).isEqualTo(String.join("\n",
                    "* Task(name='a', id=" + a.getId() + ")",
                    "  + Awaited by:",
                    "    * Task(name='b', id=" + b.getId() + ")",
                    "      + Awaited by:",
                    "        * " + gather,
                    "          + Awaited by:",
                    "            * Task(name='d', id=" + d.getId() + ")",
                    "    * Task(name='c', id=" + c.getId() + ")",
                    "      + Awaited by:",
                    "        * " + gather + " (see above)"));
            assertThat(g.toString()).startsWith("FutureCallGraph[future=").endsWith("awaitedBy=[" + b + ", " + c + "]]");

            gate.setResult("go");
            assertThat(d.await()).containsExactly("go", "go");
            return null;
        });
    }

    /*
     * 40 diamonds in a chain: asyncio's tree has 2^40 paths from the leaf; here each future is visited once, so
     * capturing, printing, comparing and hashing the graph are linear (a walk per path would not finish).
     */
    @Test
    void aChainOfFortyDiamondsIsCapturedOncePerFuture() {
        Loops.runVirtual(() -> {
            Future<String> gate = Async.getRunningLoop().createFuture();
            Task<String> leaf = Async.createTask(() -> leafWaits(gate), "leaf");
            Task<?> b = Async.createTask(() -> leaf.await(), "b1");
            Task<?> c = Async.createTask(() -> leaf.await(), "c1");
            for (int level = 2; level <= 40; level++) {
                Future<List<Object>> both = Async.gather(b, c);
                b = Async.createTask(() -> both.await(), "b" + level);
                c = Async.createTask(() -> both.await(), "c" + level);
            }
            Async.sleep(0);

            FutureCallGraph g = Async.captureCallGraph(leaf, 0);
            // leaf, b1..b40, c1..c40 and 39 gathers: 120 nodes; 158 awaits.
            assertThat(distinctNodes(g)).isEqualTo(120);
            List<String> lines = g.format().lines().toList();
            // Each node printed once (118 of them with "+ Awaited by:"), each of the 39 awaits that reaches a
            // gather again named once more.
            assertThat(lines).hasSize(120 + 118 + 39);
            assertThat(lines).filteredOn(l -> l.endsWith(" (see above)")).hasSize(39);
            assertThat(lines).filteredOn(l -> l.contains("(name='b40'") || l.contains("(name='c40'")).hasSize(2);
            FutureCallGraph again = Async.captureCallGraph(leaf, 0);
            assertThat(again).isNotSameAs(g).isEqualTo(g).hasSameHashCodeAs(g);
            assertThat(Async.captureCallGraph(leaf).format().lines()).hasSizeGreaterThan(lines.size());

            gate.setResult("go");
            b.await();
            c.await();
            return null;
        });
    }

    private static int distinctNodes(FutureCallGraph root) {
        Set<FutureCallGraph> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<FutureCallGraph> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            FutureCallGraph g = todo.remove(todo.size() - 1);
            if (seen.add(g)) {
                todo.addAll(g.awaitedBy());
            }
        }
        return seen.size();
    }

    private static String awaits(Task<?>[] tasks, int which) {
        return String.valueOf(tasks[which].await());
    }

    /*
     * Two tasks awaiting each other (a deadlock; asyncio's capture would recurse until RecursionError): the cycle is
     * cut where it closes and named there. The two can be neither finished nor cancelled (see TaskTest's await
     * cycles), so the loop is closed with them pending and its "destroyed but pending" reports are captured.
     */
    @Test
    void anAwaitCycleIsCutWhereItCloses() {
        EventLoop loop = Loops.virtual();
        List<String> reports = new ArrayList<>();
        loop.setExceptionHandler((l, ctx) -> reports.add(ctx.message()));
        List<String> seen = loop.runUntilComplete(() -> {
            Task<?>[] t = new Task<?>[2];
            Future<Void> ready = Async.getRunningLoop().createFuture();
            t[0] = Async.createTask(() -> {
                ready.await();
                return awaits(t, 1);
            }, "x");
            t[1] = Async.createTask(() -> awaits(t, 0), "y");
            Async.sleep(0);
            ready.setResult(null);
            Async.sleep(0);

            FutureCallGraph g = Async.captureCallGraph(t[0], 0);
            FutureCallGraph cut = g.awaitedBy().get(0).awaitedBy().get(0);
            FutureCallGraph withStacks = Async.captureCallGraph(t[0]).awaitedBy().get(0).awaitedBy().get(0);
            return List.of(g.format(),
                    "x=" + t[0].getId() + " y=" + t[1].getId(),
                    "cut: " + (cut.future() == t[0]) + " awaiters " + cut.awaitedBy().size(),
                    "cut has a stack: " + !withStacks.callStack().isEmpty());
        });
        loop.close();
        String[] ids = seen.get(1).split(" ");
        String x = ids[0].substring(2);
        String y = ids[1].substring(2);
        assertThat(seen.get(0)).isEqualTo(String.join("\n",
                "* Task(name='x', id=" + x + ")",
                "  + Awaited by:",
                "    * Task(name='y', id=" + y + ")",
                "      + Awaited by:",
                "        * Task(name='x', id=" + x + ") (cycle)"));
        assertThat(seen.subList(2, 4)).containsExactly("cut: true awaiters 0", "cut has a stack: true");
        assertThat(reports).hasSize(2).allMatch(m -> m.contains("pending"));
    }
}
