package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

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
}
