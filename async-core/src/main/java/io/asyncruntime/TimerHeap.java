package io.asyncruntime;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The loop's timers ordered by deadline, then by scheduling order: the heap of asyncio's {@code _scheduled}.
 *
 * <p>A 4-ary heap whose keys (deadline, sequence) sit in one {@code long[]} beside the handles: a sift compares
 * keys without touching the handles, and a node's four children share a cache line. With 100,000 timers a
 * {@code PriorityQueue} of handles spent most of a poll on cache misses loading each compared handle.
 *
 * <p>Threading: loop only (the loop's owner once it is closed).
 */
final class TimerHeap {
    private TimerHandle[] handles = new TimerHandle[16];
    /* keys[2 * i] is handles[i]'s deadline (ns, loop clock), keys[2 * i + 1] its sequence. */
    private long[] keys = new long[32];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /* The earliest timer, or null. */
    TimerHandle peek() {
        return size == 0 ? null : handles[0];
    }

    /* The earliest deadline; only when not empty. */
    long peekDeadline() {
        return keys[0];
    }

    /* seq: the scheduling order, which breaks ties between equal deadlines. */
    void add(TimerHandle h, long seq) {
        int i = size;
        if (i == handles.length) {
            handles = Arrays.copyOf(handles, i * 2);
            keys = Arrays.copyOf(keys, i * 4);
        }
        size = i + 1;
        siftUp(i, h, h.deadlineNanos, seq);
    }

    /* Removes and returns the earliest timer, or null. */
    TimerHandle poll() {
        int n = size;
        if (n == 0) {
            return null;
        }
        TimerHandle first = handles[0];
        n--;
        size = n;
        TimerHandle last = handles[n];
        handles[n] = null;
        if (n > 0) {
            siftDown(0, last, keys[2 * n], keys[2 * n + 1], n);
        }
        return first;
    }

    /* Drops every timer that filter accepts (each is offered once), then restores the heap order. */
    void removeIf(Predicate<TimerHandle> filter) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            TimerHandle h = handles[i];
            if (!filter.test(h)) {
                handles[kept] = h;
                keys[2 * kept] = keys[2 * i];
                keys[2 * kept + 1] = keys[2 * i + 1];
                kept++;
            }
        }
        Arrays.fill(handles, kept, size, null);
        size = kept;
        for (int i = (kept - 2) >>> 2; kept > 1 && i >= 0; i--) {
            siftDown(i, handles[i], keys[2 * i], keys[2 * i + 1], kept);
        }
    }

    void clear() {
        Arrays.fill(handles, 0, size, null);
        size = 0;
    }

    private static boolean before(long deadline, long seq, long otherDeadline, long otherSeq) {
        return deadline < otherDeadline || (deadline == otherDeadline && seq < otherSeq);
    }

    private void siftUp(int i, TimerHandle h, long deadline, long seq) {
        TimerHandle[] hs = handles;
        long[] ks = keys;
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            long pd = ks[2 * parent];
            long ps = ks[2 * parent + 1];
            if (!before(deadline, seq, pd, ps)) {
                break;
            }
            place(i, hs[parent], pd, ps);
            i = parent;
        }
        place(i, h, deadline, seq);
    }

    private void siftDown(int i, TimerHandle h, long deadline, long seq, int n) {
        TimerHandle[] hs = handles;
        long[] ks = keys;
        for (;;) {
            int first = 4 * i + 1;
            if (first >= n) {
                break;
            }
            int best = first;
            long bd = ks[2 * first];
            long bs = ks[2 * first + 1];
            int end = Math.min(first + 4, n);
            for (int c = first + 1; c < end; c++) {
                long cd = ks[2 * c];
                long cs = ks[2 * c + 1];
                if (before(cd, cs, bd, bs)) {
                    best = c;
                    bd = cd;
                    bs = cs;
                }
            }
            if (!before(bd, bs, deadline, seq)) {
                break;
            }
            place(i, hs[best], bd, bs);
            i = best;
        }
        place(i, h, deadline, seq);
    }

    /* Puts h, with its keys, in slot i. */
    private void place(int i, TimerHandle h, long deadline, long seq) {
        handles[i] = h;
        keys[2 * i] = deadline;
        keys[2 * i + 1] = seq;
    }
}
