package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.debug.TaskInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a task was created: the caller of the creating API, recorded on request or in debug mode. */
class CreationSiteTest {

    @Test
    void notRecordedByDefault() {
        try (AsyncRuntime runtime = AsyncRuntime.start("sites-off")) {
            Task<Integer> task = runtime.createTask(() -> 1, "plain");
            assertThat(task.creationSite()).isEmpty();
            assertThat(TaskInfo.of(task).createdAt()).isNull();
        }
    }

    @Test
    void recordedAsTheCallerOfTheCreatingApi() {
        try (AsyncRuntime runtime = AsyncRuntime.start("sites-on")) {
            runtime.loop().setRecordCreationSites(true);
            assertThat(runtime.loop().getRecordCreationSites()).isTrue();
            Task<Integer> fromOutside = runtime.createTask(() -> 1, "outside");
            assertThat(fromOutside.creationSite()).hasValueSatisfying(site -> {
                assertThat(site.getClassName()).isEqualTo(CreationSiteTest.class.getName());
                assertThat(site.getMethodName()).isEqualTo("recordedAsTheCallerOfTheCreatingApi");
                assertThat(site.getLineNumber()).isPositive();
            });
            assertThat(TaskInfo.of(fromOutside).createdAt()).startsWith(
                    "io.asyncruntime.CreationSiteTest.recordedAsTheCallerOfTheCreatingApi(CreationSiteTest.java:");

            List<StackTraceElement> gathered = runtime.run(() -> {
                Task<Integer> inner = Async.createTask(() -> 2, "inner");
                inner.await();
                Coroutine<StackTraceElement> ownSite = () -> Async.currentTask().orElseThrow().creationSite().orElseThrow();
                List<Object> both = Async.gather(ownSite, ownSite).await();
                return List.of(inner.creationSite().orElseThrow(), (StackTraceElement) both.get(0));
            });
            // Both point into this test's lambda, not into Async or Gather.
            assertThat(gathered).allSatisfy(site -> {
                assertThat(site.getClassName()).isEqualTo(CreationSiteTest.class.getName());
                assertThat(site.getMethodName()).startsWith("lambda$recordedAsTheCallerOfTheCreatingApi");
            });
        }
    }

    @Test
    void debugModeRecordsThemToo() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().name("sites-debug").debug(true).start()) {
            assertThat(runtime.createTask(() -> 1, "dbg").creationSite()).isPresent();
        }
    }
}
