package io.asyncruntime.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import io.asyncruntime.debug.TaskHistory;
import io.asyncruntime.spring.actuate.TasksEndpoint.FinishedTasksReport;
import io.asyncruntime.spring.actuate.TasksEndpoint.TaskDetail;
import io.asyncruntime.spring.actuate.TasksEndpoint.TaskView;
import java.security.Principal;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;

/** What each management.endpoint.tasks.show-values setting reveals to whom: stacks, call graphs, exception and cancel messages, creation sites. */
class TasksEndpointShowValuesTests {
    private final AsyncRuntime runtime = AsyncRuntime.start("show-loop");
    private final TaskHistory history = TaskHistory.attach(runtime.loop(), 10);

    @AfterEach
    void close() {
        runtime.close();
    }

    /** A caller: anonymous, or a named user with some roles. */
    static SecurityContext caller(@Nullable String user, String... roles) {
        Set<String> has = Set.of(roles);
        return new SecurityContext() {
            @Override
            public @Nullable Principal getPrincipal() {
                return user == null ? null : () -> user;
            }

            @Override
            public boolean isUserInRole(String role) {
                return has.contains(role);
            }
        };
    }

    private Task<Void> sleeper() {
        runtime.loop().setRecordCreationSites(true);
        Task<Void> t = runtime.createTask(() -> {
            Async.sleep(3600);
            return null;
        }, "secretive");
        runtime.run(() -> Async.sleep(java.time.Duration.ofMillis(5), null));
        return t;
    }

    private boolean revealed(TasksEndpoint endpoint, SecurityContext who, Task<?> task) {
        TaskDetail detail = (TaskDetail) endpoint.task(who, String.valueOf(task.getId()), null);
        boolean stackShown = detail.stack() != null;
        assertThat(detail.callGraph() != null).isEqualTo(stackShown);
        assertThat(detail.task().createdAt() != null).isEqualTo(stackShown);
        return stackShown;
    }

    @Test
    void neverHidesFromEveryone() {
        TasksEndpoint endpoint = new TasksEndpoint(runtime, history, Show.NEVER, Set.of());
        Task<Void> t = sleeper();
        assertThat(revealed(endpoint, caller(null), t)).isFalse();
        assertThat(revealed(endpoint, caller("admin", "ADMIN"), t)).isFalse();
    }

    @Test
    void alwaysShowsToEveryone() {
        TasksEndpoint endpoint = new TasksEndpoint(runtime, history, Show.ALWAYS, Set.of());
        Task<Void> t = sleeper();
        assertThat(revealed(endpoint, caller(null), t)).isTrue();
    }

    @Test
    void whenAuthorizedShowsToAuthenticatedUsersWithARoleListed() {
        TasksEndpoint anyUser = new TasksEndpoint(runtime, history, Show.WHEN_AUTHORIZED, Set.of());
        TasksEndpoint opsOnly = new TasksEndpoint(runtime, history, Show.WHEN_AUTHORIZED, Set.of("OPS"));
        Task<Void> t = sleeper();
        assertThat(revealed(anyUser, caller(null), t)).isFalse();
        assertThat(revealed(anyUser, caller("dev"), t)).isTrue();
        assertThat(revealed(opsOnly, caller("dev", "DEV"), t)).isFalse();
        assertThat(revealed(opsOnly, caller("oncall", "OPS"), t)).isTrue();
    }

    @Test
    void hiddenFinishedTasksKeepTheExceptionClassButNotItsMessageNorTheCancelMessage() {
        TasksEndpoint endpoint = new TasksEndpoint(runtime, history, Show.WHEN_AUTHORIZED, Set.of());
        Task<Void> failing = runtime.createTask(() -> {
            throw new IllegalStateException("password=hunter2");
        }, "failing");
        Task<Void> t = sleeper();
        runtime.cancel(t.getId(), "customer 42 asked");
        runtime.run(() -> Async.sleep(java.time.Duration.ofMillis(5), null));
        // Retrieved: the provoked failure is not logged later as never retrieved.
        assertThat(failing.exception()).hasMessage("password=hunter2");

        FinishedTasksReport hidden = (FinishedTasksReport) endpoint.task(caller(null), "finished", null);
        TaskView failedHidden = hidden.tasks().stream().filter(v -> v.name().equals("failing")).findFirst().orElseThrow();
        TaskView cancelledHidden = hidden.tasks().stream().filter(v -> v.name().equals("secretive")).findFirst().orElseThrow();
        assertThat(failedHidden.error()).isEqualTo("java.lang.IllegalStateException");
        assertThat(cancelledHidden.cancelMessage()).isNull();

        FinishedTasksReport shown = (FinishedTasksReport) endpoint.task(caller("dev"), "finished", null);
        TaskView failedShown = shown.tasks().stream().filter(v -> v.name().equals("failing")).findFirst().orElseThrow();
        TaskView cancelledShown = shown.tasks().stream().filter(v -> v.name().equals("secretive")).findFirst().orElseThrow();
        assertThat(failedShown.error()).isEqualTo("java.lang.IllegalStateException: password=hunter2");
        assertThat(cancelledShown.cancelMessage()).isEqualTo("customer 42 asked");

        FinishedTasksReport newest = (FinishedTasksReport) endpoint.task(caller("dev"), "finished", "1");
        assertThat(newest.tasks()).containsExactly(shown.tasks().get(0));
        assertThat(newest.recorded()).isGreaterThanOrEqualTo(2);
    }
}
