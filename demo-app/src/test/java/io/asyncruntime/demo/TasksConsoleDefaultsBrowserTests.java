package io.asyncruntime.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The console adds no way around the tasks endpoint's own rules: with the starter's defaults (cancel closed,
 * values never shown) even the demo's {@code OPERATOR}, signed in, sees no stack and no cancel, and the cancel
 * the page would send is refused by the endpoint (405), as an anonymous one is by the demo's security (401).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.endpoint.tasks.access=read-only", "management.endpoint.tasks.show-values=never",
                "async.runtime.console.refresh=500ms", ConsoleBrowser.QUIET_SELENIUM, ConsoleBrowser.QUIET_CHROMIUM})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TasksConsoleDefaultsBrowserTests {

    @LocalServerPort
    int port;

    @Autowired
    AsyncRuntime runtime;

    ConsoleBrowser browser;

    @BeforeAll
    void openBrowser() throws Exception {
        browser = new ConsoleBrowser();
    }

    @AfterAll
    void closeBrowser() throws Exception {
        if (browser != null) { // null when the browser could not start: its error is the one to see
            browser.close();
        }
    }

    @Test
    void withTheEndpointsDefaultsNobodySeesStacksOrCancelsThroughTheConsole() {
        Task<?> task = runtime.createTask(() -> {
            Async.sleep(3600);
            return null;
        }, "console-defaults");
        browser.open("http://localhost:" + port + "/actuator/console/");
        browser.filterByName("console-defaults");
        browser.openTask(task.getId());
        browser.until(d -> browser.text("detail-stack").startsWith("hidden"));
        assertThat(browser.displayed("cancel-form")).isFalse();
        assertThat(browser.fetchStatus("POST", "../tasks/" + task.getId())).isEqualTo(401);

        browser.signIn("demo", "demo");
        browser.openTask(task.getId());
        // What is shown from here on was read with the operator's credentials.
        browser.awaitRefresh();
        assertThat(browser.text("detail-stack")).startsWith("hidden");
        assertThat(browser.text("detail-created")).startsWith("hidden");
        assertThat(browser.displayed("cancel-form")).isFalse();
        // Signed in as an OPERATOR, the same cancel gets past the demo's security and is refused by the endpoint.
        assertThat(browser.fetchStatus("POST", "../tasks/" + task.getId())).isEqualTo(405);
        assertThat(browser.fetchStatus("GET", "../tasks/" + task.getId())).isEqualTo(200);
        assertThat(task.done()).isFalse();
        runtime.cancel(task.getId(), "test over");
    }
}
