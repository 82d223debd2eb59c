package io.asyncruntime.spring.console;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The tasks console, a page served under the management base path (as H2's console is under
 * {@code spring.h2.console.*}). It only reads and calls the {@code tasks} endpoint (and the {@code metrics}
 * endpoint for its charts) with the browser's own credentials, so what it shows and whether it can cancel follow
 * the endpoint's exposure, access and show-values rules.
 *
 * <p>Threading: bound once at start-up; read-only afterwards.
 */
@ConfigurationProperties("async.runtime.console")
public class TasksConsoleProperties {

    /**
     * Whether to serve the tasks console. It is served only while the tasks endpoint is exposed over HTTP.
     */
    private boolean enabled = false;

    /**
     * Path of the console under the management base path (management.endpoints.web.base-path), so /console is
     * served at /actuator/console by default.
     */
    private String path = "/console";

    /**
     * How often an open console refreshes what it shows (at least 500ms). A console in a hidden browser tab does
     * not refresh.
     */
    private Duration refresh = Duration.ofSeconds(2);

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public Duration getRefresh() {
        return refresh;
    }

    public void setRefresh(Duration refresh) {
        this.refresh = refresh;
    }
}
