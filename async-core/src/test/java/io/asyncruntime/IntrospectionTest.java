package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.debug.TaskHistory;
import io.asyncruntime.debug.TaskInfo;
import io.asyncruntime.debug.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Task listeners, TaskInfo snapshots and the finished-task history. */
class IntrospectionTest {

    @Test
    void listenersHearEveryStartAndFinishAndTheirFailuresDoNotStopTheLoop() {
        List<String> events = new ArrayList<>();
        List<ExceptionContext> errors = new ArrayList<>();
        EventLoop loop = Loops.virtual();
        loop.setExceptionHandler((l, ctx) -> errors.add(ctx));
        loop.addTaskListener(new TaskListener() {
            @Override
            public void taskStarted(Task<?> task) {
                events.add("start " + task.getName());
            }

            @Override
            public void taskFinished(Task<?> task) {
                events.add("end " + task.getName() + " " + task.state());
            }
        });
        TaskListener broken = new TaskListener() {
            @Override
            public void taskFinished(Task<?> task) {
                throw new IllegalStateException("listener bug");
            }
        };
        loop.addTaskListener(broken);
        loop.runUntilComplete(loop.createTask(() -> Async.createTask(() -> "x", "child").await(), "main"));
        loop.removeTaskListener(broken);
        loop.runUntilComplete(loop.createTask(() -> null, "after"));
        loop.close();
        assertThat(events).containsExactly("start main", "start child", "end child SUCCESS", "end main SUCCESS",
                "start after", "end after SUCCESS");
        assertThat(errors).hasSize(2).allMatch(c -> c.message().contains("TaskListener"));
    }

    @Test
    void snapshotsShowStateAwaitingAgeAndErrorWithoutRetrievingIt() {
        Loops.runVirtual(() -> {
            EventLoop loop = Async.getRunningLoop();
            Future<String> gate = loop.createFuture();
            Task<String> waiting = Async.createTask(gate::await, "waiting");
            Task<String> failing = Async.createTask(() -> {
                throw new IllegalArgumentException("bad input");
            }, "failing");
            Async.sleep(0);
            TaskInfo w = TaskInfo.of(waiting);
            assertThat(w.state()).isEqualTo(TaskState.PENDING);
            assertThat(w.awaiting()).isEqualTo("<Future pending>");
            assertThat(w.name()).isEqualTo("waiting");
            assertThat(TaskInfo.of(Async.currentTask().orElseThrow()).state()).isEqualTo(TaskState.RUNNING);
            waiting.cancel("no longer needed");
            assertThat(TaskInfo.of(waiting).state()).isIn(TaskState.CANCELLING, TaskState.PENDING);
            assertThat(waiting.cancelMessage()).isEmpty();
            TaskInfo f = TaskInfo.of(failing);
            assertThat(f.state()).isEqualTo(TaskState.FAILED);
            assertThat(f.error()).isEqualTo("java.lang.IllegalArgumentException: bad input");
            assertThat(failing.failure()).containsInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(waiting::await).isInstanceOf(CancelledError.class);
            assertThat(TaskInfo.of(waiting).state()).isEqualTo(TaskState.CANCELLED);
            assertThat(TaskInfo.of(waiting).cancelMessage()).isEqualTo("no longer needed");
            assertThat(waiting.cancelMessage()).contains("no longer needed");
            assertThat(f.cancelMessage()).isNull();
            assertThat(failing.cancelMessage()).isEmpty();
            assertThatThrownBy(failing::await).isInstanceOf(IllegalArgumentException.class);
            return null;
        });
    }

    @Test
    void historyRemembersTheLastFinishedTasksNewestFirst() {
        EventLoop loop = Loops.virtual();
        TaskHistory history = TaskHistory.attach(loop, 3);
        loop.runUntilComplete(loop.createTask(() -> {
            for (int i = 1; i <= 5; i++) {
                int k = i;
                Async.createTask(() -> Async.sleep(Duration.ofSeconds(k), k), "t" + k).await();
            }
            return null;
        }, "main"));
        loop.close();
        assertThat(history.snapshot()).extracting(TaskInfo::name).containsExactly("main", "t5", "t4");
        assertThat(history.snapshot().get(1).state()).isEqualTo(TaskState.DONE);
        assertThat(history.snapshot().get(1).age()).isPositive();
        assertThat(history.recordedCount()).isEqualTo(6);
        assertThat(history.capacity()).isEqualTo(3);
        assertThatThrownBy(() -> TaskHistory.attach(loop, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(TaskHistory.attach(Loops.virtual(), 0).snapshot()).isEmpty();
    }

    @Test
    void theTaskHoldingTheLoopShowsAsRunningFromAnotherThread() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.start("introspection")) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Task<Void> blocker = runtime.createTask(() -> {
                entered.countDown();
                release.await();
                return null;
            }, "blocker");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            TaskState seen = TaskState.PENDING;
            for (int i = 0; i < 1000 && seen != TaskState.RUNNING; i++) {
                seen = TaskInfo.of(blocker).state();
                Thread.sleep(1);
            }
            assertThat(seen).isEqualTo(TaskState.RUNNING);
            release.countDown();
            runtime.run(blocker::await);
        }
    }
}
