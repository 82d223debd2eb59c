package io.asyncruntime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The pending tasks of one loop, strongly held: an intrusive doubly linked list through the tasks
 * themselves, so registering a task allocates nothing.
 *
 * <p>Threading: {@link #add} and {@link #remove} on the loop. {@link #forEach}, {@link #find} and
 * {@link #size} from any thread, weakly consistent (as kotlinx's {@code DebugProbes}): every task pending
 * for the whole walk is seen, tasks added or finished during it may or may not be.
 *
 * <p>A reader standing on a task that is being unlinked must still find the rest of the list, so an
 * unlinked task keeps its forward link while any reader walks. Readers announce themselves in a counter;
 * an unlinked task's link is cleared at once when nobody reads, else at a later removal, so a finished
 * task the application holds on to never pins a chain of other finished tasks.
 */
final class TaskRegistry {
    private static final VarHandle NEXT;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(Task.class, "registryNext", Task.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /* Threading: loop writes; readers read (volatile). Newest first. */
    private volatile Task<?> head;
    private volatile int size;
    private final AtomicInteger readers = new AtomicInteger();
    /* Threading: loop only. Unlinked tasks whose forward link a reader may still follow. */
    private final List<Task<?>> unlinkedWhileRead = new ArrayList<>();

    void add(Task<?> task) {
        Task<?> h = head;
        NEXT.setRelease(task, h);
        if (h != null) {
            h.registryPrev = task;
        }
        head = task;
        size = size + 1;
    }

    void remove(Task<?> task) {
        Task<?> prev = task.registryPrev;
        Task<?> next = (Task<?>) NEXT.getOpaque(task);
        if (prev == null && head != task) {
            return; // not registered (created but never started)
        }
        if (prev != null) {
            NEXT.setRelease(prev, next);
        } else {
            head = next;
        }
        if (next != null) {
            next.registryPrev = prev;
        }
        task.registryPrev = null;
        size = size - 1;
        // Dekker with readers: the unlink (volatile write above) precedes this volatile read, and a reader's
        // increment precedes its read of head; so a reader either is counted here or cannot reach task.
        if (readers.get() == 0) {
            task.registryNext = null;
            if (!unlinkedWhileRead.isEmpty()) {
                for (Task<?> t : unlinkedWhileRead) {
                    t.registryNext = null;
                }
                unlinkedWhileRead.clear();
            }
        } else {
            unlinkedWhileRead.add(task);
        }
    }

    int size() {
        return size;
    }

    void forEach(Consumer<Task<?>> action) {
        readers.incrementAndGet();
        try {
            for (Task<?> t = head; t != null; t = (Task<?>) NEXT.getAcquire(t)) {
                if (!t.done()) {
                    action.accept(t);
                }
            }
        } finally {
            readers.decrementAndGet();
        }
    }

    Task<?> find(long id) {
        readers.incrementAndGet();
        try {
            for (Task<?> t = head; t != null; t = (Task<?>) NEXT.getAcquire(t)) {
                if (t.getId() == id) {
                    return t.done() ? null : t;
                }
            }
            return null;
        } finally {
            readers.decrementAndGet();
        }
    }
}
