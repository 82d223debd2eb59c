package io.asyncruntime.demo;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium, driven through Debian's chromedriver (both named explicitly, so Selenium never looks
 * for a driver or a browser on the network), on a fresh profile, showing the demo's tasks console.
 *
 * <p>Every wait is an explicit wait with a generous bound: the console refreshes on its own, and the machine may
 * be loaded.
 *
 * <p>Threading: the test's thread only.
 */
final class ConsoleBrowser implements AutoCloseable {
    /*
     * Selenium looks for a Chrome DevTools binding matching the browser at start-up and warns when it has none for
     * Debian's Chromium; these tests use WebDriver only, never DevTools, so the warning says nothing to them.
     */
    static final String QUIET_SELENIUM = "logging.level.org.openqa.selenium.devtools=error";
    static final String QUIET_CHROMIUM = "logging.level.org.openqa.selenium.chromium=error";
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    private final Path profile;
    private final ChromeDriver driver;

    ConsoleBrowser() throws IOException {
        for (Path program : new Path[] {CHROMIUM, CHROMEDRIVER}) {
            if (!Files.isExecutable(program)) {
                throw new IllegalStateException(program + " is missing: the console's browser tests need Debian's"
                        + " chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)");
            }
        }
        profile = Files.createTempDirectory("console-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withLogOutput(OutputStream.nullOutputStream()).build();
        driver = new ChromeDriver(service, options);
    }

    WebDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
        until(d -> !d.findElement(By.id("status")).getText().startsWith("connecting"));
    }

    <T> T until(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, PATIENCE).ignoring(StaleElementReferenceException.class).until(condition);
    }

    /** Returns {@code script}'s value, evaluated in the page (reads a whole table at once, never a stale row). */
    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Returns the cells of each row of the table {@code id}, as text. */
    @SuppressWarnings("unchecked")
    List<List<String>> rows(String tableId) {
        return (List<List<String>>) js("return [...document.querySelectorAll('#' + arguments[0] + ' tbody tr')]"
                + ".map(r => [...r.cells].map(c => c.textContent))", tableId);
    }

    String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    boolean displayed(String id) {
        return driver.findElement(By.id(id)).isDisplayed();
    }

    void type(String id, String text) {
        driver.findElement(By.id(id)).clear();
        driver.findElement(By.id(id)).sendKeys(text);
    }

    void click(String id) {
        driver.findElement(By.id(id)).click();
    }

    /** Opens the task {@code id} from the list, once its row is shown. */
    void openTask(long id) {
        until(d -> {
            d.findElement(By.cssSelector("#tasks-table tbody tr[data-id='" + id + "']")).click();
            return true;
        });
        until(d -> d.findElement(By.id("detail-title")).getText().endsWith("(id " + id + ")"));
    }

    /** Types {@code name} into the name filter and waits until the list shows only tasks whose name contains it. */
    void filterByName(String name) {
        type("filter-name", name);
        until(d -> {
            List<List<String>> shown = rows("tasks-table");
            return !shown.isEmpty() && shown.stream().allMatch(r -> r.get(1).contains(name));
        });
    }

    /** Waits for a refresh that started after now, so that everything shown was read after this call. */
    void awaitRefresh() {
        long now = (Long) js("return Date.now()");
        until(d -> (Boolean) js("return state.last != null && state.last.getTime() > arguments[0]", now));
    }

    void signIn(String user, String password) {
        type("signin-user", user);
        type("signin-password", password);
        click("signin-button");
        until(d -> d.findElement(By.id("signed-in")).isDisplayed());
    }

    /** Returns the status of a {@code fetch} the page makes itself, with the credentials it signed in with. */
    long fetchStatus(String method, String url) {
        return (Long) ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch(arguments[1], {method: arguments[0], headers: headers({'Content-Type': 'application/json'}),"
                + " body: arguments[0] === 'GET' ? undefined : '{}'}).then(r => done(r.status), e => done(-1));",
                method, url);
    }

    /** Saves what the browser shows as {@code target/console-screenshots/name.png} (the README's come from there). */
    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
