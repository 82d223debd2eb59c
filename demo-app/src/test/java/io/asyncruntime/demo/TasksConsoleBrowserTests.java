package io.asyncruntime.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The tasks console in a real browser (headless Chromium) against the demo on a random port, as the demo
 * configures it: reads open to all, stacks and cancel for the {@code OPERATOR} user {@code demo}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"async.runtime.console.refresh=500ms", "async.runtime.blocked-threshold=300ms",
                ConsoleBrowser.QUIET_SELENIUM, ConsoleBrowser.QUIET_CHROMIUM})
@AutoConfigureTestRestTemplate
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one browser for the class: starting Chromium is the slow part
@ExtendWith(OutputCaptureExtension.class)
class TasksConsoleBrowserTests {

    @LocalServerPort
    int port;

    @Autowired
    TestRestTemplate http;

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

    private String console() {
        return "http://localhost:" + port + "/actuator/console/";
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> startWorkload(int count) {
        Map<String, Object> started = http.postForObject("/examples/workload?count=" + count + "&seconds=3600", null, Map.class);
        return (List<Map<String, Object>>) started.get("tasks");
    }

    private static long id(Map<String, Object> task) {
        return ((Number) task.get("id")).longValue();
    }

    /* An hour-long sleeper with a name no other test uses, created here: its stack names this class. */
    private Task<?> sleeper(String name) {
        return runtime.createTask(() -> {
            Async.sleep(3600);
            return null;
        }, name);
    }

    @Test
    void theListShowsTheWorkloadsTasksAndFiltersThemByNameAndState() {
        List<Map<String, Object>> workload = startWorkload(6);
        browser.open(console());
        List<String> ids = workload.stream().map(t -> String.valueOf(id(t))).toList();
        browser.until(d -> browser.rows("tasks-table").stream().map(r -> r.get(0)).toList().containsAll(ids));
        assertThat(browser.text("loop-name")).contains("demo-loop");
        assertThat(browser.rows("tasks-table")).filteredOn(r -> ids.contains(r.get(0)))
                .extracting(r -> r.get(1)).contains("sleeper-1", "group-2", "blocked-3");
        assertThat(browser.rows("tasks-table")).extracting(r -> r.get(1)).contains("group-2-child-1", "group-2-child-2");
        browser.screenshot("console-tasks");

        // The tree of who awaits whom: each group with its two children under it, collapsible.
        long group = workload.stream().filter(t -> t.get("name").equals("group-2")).mapToLong(t -> id(t)).findFirst().orElseThrow();
        browser.driver().findElement(By.cssSelector("#tree-section > summary")).click();
        browser.until(d -> (Boolean) browser.js("return [...document.querySelectorAll('#tree details > summary')]"
                + ".some(s => s.textContent.startsWith('(T) group-2 [id=' + arguments[0] + ',')"
                + " && s.parentElement.querySelector('ul').textContent.includes('group-2-child-2'))", group));
        browser.driver().findElement(By.cssSelector("#tree-section > summary")).click();

        browser.type("filter-name", "blocked-");
        browser.until(d -> {
            List<List<String>> rows = browser.rows("tasks-table");
            return !rows.isEmpty() && rows.stream().allMatch(r -> r.get(1).startsWith("blocked-"));
        });
        assertThat(browser.rows("tasks-table")).extracting(r -> r.get(0)).containsAll(workload.stream()
                .filter(t -> t.get("kind").equals("blocking-call")).map(t -> String.valueOf(id(t))).toList());

        browser.type("filter-name", "sleeper-");
        new Select(browser.driver().findElement(By.id("filter-state"))).selectByVisibleText("RUNNING");
        // No sleeper is running while it sleeps: the filter reaches the endpoint, which answers none.
        browser.until(d -> browser.rows("tasks-table").isEmpty() && browser.text("tasks-total").startsWith("0"));
        new Select(browser.driver().findElement(By.id("filter-state"))).selectByVisibleText("PENDING");
        browser.until(d -> {
            List<List<String>> rows = browser.rows("tasks-table");
            return !rows.isEmpty() && rows.stream().allMatch(r -> r.get(1).startsWith("sleeper-") && r.get(2).equals("PENDING"));
        });
    }

    @Test
    void anOperatorOpensATasksStackAndCancelMovesItToTheFinishedList() {
        Task<?> task = sleeper("console-cancel-me");
        browser.open(console());
        browser.signIn("demo", "demo");
        browser.filterByName("console-cancel-me");
        browser.openTask(task.getId());
        browser.until(d -> browser.text("detail-stack").contains("TasksConsoleBrowserTests"));
        assertThat(browser.text("detail-graph")).startsWith("* Task(name='console-cancel-me', id=" + task.getId() + ")");
        assertThat(browser.text("detail-created")).contains("TasksConsoleBrowserTests");
        browser.until(d -> browser.displayed("cancel-form"));
        browser.screenshot("console-task-detail");

        browser.type("cancel-message", "stopped from the console");
        browser.click("cancel-button");
        browser.until(d -> browser.rows("finished-table").stream().anyMatch(r -> r.get(0).equals(String.valueOf(task.getId()))
                && r.get(2).equals("CANCELLED") && r.get(5).equals("stopped from the console")));
        assertThat(task.cancelled()).isTrue();
        browser.until(d -> browser.rows("tasks-table").stream().noneMatch(r -> r.get(0).equals(String.valueOf(task.getId()))));
    }

    @Test
    void anAnonymousUserSeesNoStackAndCannotCancelThroughTheConsole() {
        Task<?> task = sleeper("console-anonymous");
        browser.open(console());
        browser.filterByName("console-anonymous");
        browser.openTask(task.getId());
        browser.until(d -> browser.text("detail-stack").startsWith("hidden"));
        assertThat(browser.text("detail-created")).startsWith("hidden");
        assertThat(browser.text("detail-graph")).startsWith("hidden");
        assertThat(browser.displayed("cancel-form")).isFalse();
        assertThat(browser.rows("tasks-table")).singleElement().satisfies(r -> assertThat(r.get(5)).isEmpty());

        // The cancel the page would send, sent from the page without credentials: refused by the demo's rules.
        assertThat(browser.fetchStatus("POST", "../tasks/" + task.getId())).isEqualTo(401);
        assertThat(task.done()).isFalse();
        runtime.cancel(task.getId(), "test over");
    }

    @Test
    void theBlockedLoopBannerNamesTheTaskWhileItBlocksAndGoesAwayAfter(CapturedOutput output) throws Exception {
        browser.open(console());
        browser.signIn("demo", "demo");
        assertThat(browser.displayed("blocked-banner")).isFalse();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Task<?> hog = runtime.createTask(() -> {
            entered.countDown();
            release.await(60, TimeUnit.SECONDS); // blocks the loop thread: no await, no other task runs
            return null;
        }, "console-hog");
        try {
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
            browser.until(d -> browser.displayed("blocked-banner"));
            assertThat(browser.text("blocked-text")).contains("console-hog").contains("id " + hog.getId());
            browser.until(d -> browser.text("blocked-stack").contains("TasksConsoleBrowserTests"));
            browser.screenshot("console-blocked");
        } finally {
            release.countDown();
        }
        browser.until(d -> !browser.displayed("blocked-banner"));
        browser.until(d -> browser.rows("finished-table").stream().anyMatch(r -> r.get(1).equals("console-hog")));
        // Blocking the loop on purpose: the starter's warning says so too, and is expected here.
        assertThat(output).contains("Event loop 'demo-loop' blocked for").contains("by task 'console-hog' (id " + hog.getId() + ")");
    }
}
