package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loop's timer heap: deadline order, scheduling order between equal deadlines, bulk removal. */
class TimerHeapTest {
    private final EventLoop loop = Loops.virtual();

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    private record Entry(TimerHandle handle, long deadline, long seq) {
    }

    private List<Entry> fill(TimerHeap heap, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Entry> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long deadline = random.nextInt(50); // many equal deadlines: their order is the scheduling order
            TimerHandle h = new TimerHandle(loop, deadline, () -> { }, null);
            heap.add(h, i);
            all.add(new Entry(h, deadline, i));
        }
        all.sort(Comparator.comparingLong(Entry::deadline).thenComparingLong(Entry::seq));
        return all;
    }

    private static List<TimerHandle> drain(TimerHeap heap) {
        List<TimerHandle> out = new ArrayList<>();
        while (!heap.isEmpty()) {
            long deadline = heap.peekDeadline();
            TimerHandle h = heap.poll();
            assertThat(h.deadlineNanos).isEqualTo(deadline);
            out.add(h);
        }
        assertThat(heap.poll()).isNull();
        assertThat(heap.peek()).isNull();
        return out;
    }

    @Test
    void pollsByDeadlineThenBySchedulingOrder() {
        for (int n : new int[] {0, 1, 2, 5, 17, 1000}) {
            TimerHeap heap = new TimerHeap();
            List<Entry> expected = fill(heap, n, n);
            assertThat(heap.size()).isEqualTo(n);
            assertThat(drain(heap)).containsExactlyElementsOf(expected.stream().map(Entry::handle).toList());
        }
    }

    @Test
    void addsBetweenPollsKeepTheOrder() {
        TimerHeap heap = new TimerHeap();
        List<Entry> expected = new ArrayList<>(fill(heap, 300, 7));
        List<TimerHandle> out = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            out.add(heap.poll());
        }
        assertThat(out).containsExactlyElementsOf(expected.subList(0, 100).stream().map(Entry::handle).toList());
        List<Entry> rest = new ArrayList<>(expected.subList(100, 300));
        for (int i = 0; i < 50; i++) {
            TimerHandle h = new TimerHandle(loop, 100 + i % 3, () -> { }, null);
            heap.add(h, 1000 + i);
            rest.add(new Entry(h, 100 + i % 3, 1000 + i));
        }
        rest.sort(Comparator.comparingLong(Entry::deadline).thenComparingLong(Entry::seq));
        assertThat(drain(heap)).containsExactlyElementsOf(rest.stream().map(Entry::handle).toList());
    }

    @Test
    void removeIfDropsTheAcceptedAndKeepsTheOrderOfTheRest() {
        TimerHeap heap = new TimerHeap();
        List<Entry> expected = fill(heap, 500, 3);
        heap.removeIf(h -> h.deadlineNanos % 3 == 0);
        List<TimerHandle> kept = expected.stream().filter(e -> e.deadline() % 3 != 0).map(Entry::handle).toList();
        assertThat(heap.size()).isEqualTo(kept.size());
        assertThat(drain(heap)).containsExactlyElementsOf(kept);

        fill(heap, 10, 4);
        heap.removeIf(h -> true);
        assertThat(heap.isEmpty()).isTrue();
        fill(heap, 10, 5);
        heap.clear();
        assertThat(heap.size()).isZero();
        assertThat(heap.peek()).isNull();
    }
}
