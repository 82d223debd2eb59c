package io.asyncruntime.debug;

import io.asyncruntime.Async;
import io.asyncruntime.EventLoop;
import io.asyncruntime.Future;
import io.asyncruntime.FutureCallGraph;
import io.asyncruntime.Task;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A loop's pending tasks as a tree of who awaits whom, like {@code python -m asyncio pstree <pid>} (3.14),
 * callable from code, for example to serve it as {@code text/plain}:
 *
 * <pre>
 * EventLoop main-loop: 4 pending tasks
 * └── (T) main [id=1, PENDING] at com.example.App.main(App.java:20) awaiting &lt;Future pending&gt;
 *     ├── (T) fetch-a [id=2, PENDING] at com.example.App.fetch(App.java:31)
 *     └── (T) fetch-b [id=3, CANCELLING] at com.example.App.fetch(App.java:31)
 * └── (T) ticker [id=4, RUNNING] at com.example.Ticker.run(Ticker.java:9)
 * </pre>
 *
 * <p>A task is a child of each task that awaits it, directly or through plain futures in between (a
 * {@code gather}, a {@code TaskGroup}'s parent, a {@code shield}), as {@link Async#captureCallGraph} sees
 * it; the roots are the tasks nobody awaits. Each line gives the task's name, id (as the actuator endpoint
 * takes it) and {@link TaskState}, its newest frame, and what it is suspended on unless that is a child shown
 * below it. Siblings and roots are in order of id. A task awaited by two tasks appears under both, the second time marked
 * {@code (see above)} without its subtree again, so the text is linear in the tasks and awaits. A cycle
 * (which asyncio's {@code pstree} reports as an error) is cut where it closes, marked {@code (cycle)}.
 *
 * <p>Threading: any thread. The tree is a weakly consistent snapshot, as the rest of this package: it reads
 * live tasks without stopping the loop, so a task may be shown in the state it had a moment earlier, and
 * never blocks or waits for the loop. Cost: one stack walk per task shown; with 10,000 sleeping tasks on a
 * loaded 2-core machine the whole tree took 0.2 to 2 s and {@code format(loop, 100)} 20 to 330 ms, so a
 * caller serving it on demand should bound it with {@link #format(EventLoop, int)}.
 */
public final class LoopTree {
    private LoopTree() {
    }

    /**
     * Returns the tree of {@code loop}'s pending tasks as text, lines separated by {@code \n}, the first
     * being a header with the loop's name and the number of pending tasks.
     *
     * @param loop the loop, running or not
     * @return the tree as text
     * @throws NullPointerException if {@code loop} is null
     */
    public static String format(EventLoop loop) {
        return format(loop, Integer.MAX_VALUE);
    }

    /**
     * Returns the tree as {@link #format(EventLoop)} does, showing at most {@code maxTasks} task lines; when
     * more are pending, a last line says how many were left out. Only the tasks shown cost a stack walk.
     *
     * @param loop     the loop, running or not
     * @param maxTasks how many task lines to show at most
     * @return the tree as text
     * @throws NullPointerException if {@code loop} is null
     * @throws IllegalArgumentException if {@code maxTasks} is negative
     */
    public static String format(EventLoop loop, int maxTasks) {
        return format(loop, maxTasks, true);
    }

    /**
     * Returns the tree as {@link #format(EventLoop, int)} does, with or without each task's newest frame: without,
     * for a reader who may not see code locations (the starter's {@code show-values} rule), and no stack is walked.
     *
     * @param loop     the loop, running or not
     * @param maxTasks how many task lines to show at most
     * @param frames   whether each line gives the task's newest frame
     * @return the tree as text
     * @throws NullPointerException if {@code loop} is null
     * @throws IllegalArgumentException if {@code maxTasks} is negative
     */
    public static String format(EventLoop loop, int maxTasks, boolean frames) {
        Objects.requireNonNull(loop, "loop");
        if (maxTasks < 0) {
            throw new IllegalArgumentException("maxTasks must not be negative: " + maxTasks);
        }
        List<Task<?>> tasks = new ArrayList<>(loop.allTasks());
        tasks.sort(Comparator.comparingLong(Task::getId));
        Set<Task<?>> pending = Collections.newSetFromMap(new IdentityHashMap<>());
        pending.addAll(tasks);

        // Edges from each awaiting task to the tasks it awaits, found from the awaited side.
        Map<Task<?>, List<Task<?>>> children = new IdentityHashMap<>();
        Set<Task<?>> awaited = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Task<?> t : tasks) {
            for (Task<?> parent : awaitingTasks(t)) {
                if (parent != t && pending.contains(parent)) {
                    children.computeIfAbsent(parent, k -> new ArrayList<>()).add(t);
                    awaited.add(t);
                }
            }
        }
        children.values().forEach(list -> list.sort(Comparator.comparingLong(Task::getId)));

        List<String> lines = new ArrayList<>();
        lines.add("EventLoop " + loop.name() + ": " + tasks.size() + " pending task" + (tasks.size() == 1 ? "" : "s"));
        int budget = maxTasks == Integer.MAX_VALUE ? Integer.MAX_VALUE : maxTasks + 1; // + the header line
        Set<Task<?>> shown = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Task<?> t : tasks) {
            if (!awaited.contains(t)) {
                render(t, children, shown, lines, budget, frames);
            }
        }
        // Tasks only reachable through a cycle have no root: show each cycle from its oldest task.
        for (Task<?> t : tasks) {
            if (!shown.contains(t) && lines.size() < budget) {
                render(t, children, shown, lines, budget, frames);
            }
        }
        int left = tasks.size() - shown.size();
        if (left > 0) {
            lines.add("... " + left + " more pending task" + (left == 1 ? "" : "s") + " not shown");
        }
        return String.join("\n", lines);
    }

    /*
     * Depth first without recursion (a chain of 40,000 awaits must not overflow the stack), within the line
     * budget. A task already shown with its subtree is named again where another task awaits it, marked
     * "(see above)", without its subtree again: the text stays linear in the number of tasks and awaits, whatever
     * the shape of the graph (diamonds would otherwise double it at every level).
     */
    private static void render(Task<?> root, Map<Task<?>, List<Task<?>>> children, Set<Task<?>> shown,
            List<String> lines, int budget, boolean frames) {
        Set<Task<?>> path = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> todo = new ArrayDeque<>();
        todo.push(new Object[] {root, "", Boolean.TRUE});
        while (!todo.isEmpty()) {
            Object[] entry = todo.pop();
            Task<?> task = (Task<?>) entry[0];
            if (entry.length == 1) { // leaving the task's subtree
                path.remove(task);
                continue;
            }
            if (lines.size() >= budget) {
                return;
            }
            String prefix = (String) entry[1];
            boolean last = (Boolean) entry[2];
            boolean cycle = path.contains(task);
            boolean again = !cycle && shown.contains(task);
            List<Task<?>> kids = cycle || again ? List.of() : children.getOrDefault(task, List.of());
            lines.add(prefix + (last ? "└── " : "├── ") + describe(task, kids, frames)
                    + (cycle ? " (cycle)" : again ? " (see above)" : ""));
            if (cycle || again) {
                continue;
            }
            shown.add(task);
            path.add(task);
            todo.push(new Object[] {task});
            String childPrefix = prefix + (last ? "    " : "│   ");
            for (int i = kids.size() - 1; i >= 0; i--) {
                todo.push(new Object[] {kids.get(i), childPrefix, i == kids.size() - 1});
            }
        }
    }

    private static String describe(Task<?> task, List<Task<?>> kids, boolean frames) {
        StringBuilder sb = new StringBuilder("(T) ").append(task.getName())
                .append(" [id=").append(task.getId()).append(", ").append(TaskInfo.stateOf(task)).append(']');
        List<StackTraceElement> top = frames ? safeStack(task) : List.of();
        if (!top.isEmpty()) {
            sb.append(" at ").append(top.get(top.size() - 1));
        }
        Future<?> waiter = task.done() ? null : task.awaiting();
        if (waiter != null && !(waiter instanceof Task<?> t && kids.contains(t))) {
            sb.append(" awaiting ").append(waiter instanceof Task<?> ? CallGraphFormat.label(waiter) : TaskInfo.describe(waiter));
        }
        return sb.toString();
    }

    /*
     * The nearest tasks among those awaiting t, looking through plain futures (gather's, a group's): one level
     * of the graph at a time, each future visited once, so the whole tree costs time linear in the awaits.
     */
    private static List<Task<?>> awaitingTasks(Task<?> t) {
        List<Task<?>> found = new ArrayList<>();
        Set<Future<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Future<?>> todo = new ArrayDeque<>();
        seen.add(t);
        todo.add(t);
        while (!todo.isEmpty()) {
            for (Future<?> w : FutureCallGraph.awaitersOf(todo.poll())) {
                if (!seen.add(w)) {
                    continue;
                }
                if (w instanceof Task<?> task) {
                    found.add(task);
                } else {
                    todo.add(w);
                }
            }
        }
        return found;
    }

    private static List<StackTraceElement> safeStack(Task<?> task) {
        try {
            return task.getStack(1);
        } catch (RuntimeException finishedMeanwhile) {
            return List.of();
        }
    }
}
