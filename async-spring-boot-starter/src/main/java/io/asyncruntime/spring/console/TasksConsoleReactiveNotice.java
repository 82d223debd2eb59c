package io.asyncruntime.spring.console;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;

/**
 * Says at start-up that the tasks console is not served in a WebFlux application, where
 * {@code async.runtime.console.enabled=true} would otherwise end in a silent 404: the console is mapped by Spring
 * MVC only (see {@link TasksConsoleManagementContextConfiguration}).
 *
 * <p>Threading: the listener runs once, on the thread that publishes {@link ApplicationReadyEvent}.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty("async.runtime.console.enabled")
public final class TasksConsoleReactiveNotice {
    private static final Log LOG = LogFactory.getLog(TasksConsoleReactiveNotice.class);

    /** The warning, for tests and for searching logs. */
    static final String MESSAGE = "async.runtime.console.enabled=true, but the tasks console is served in Spring MVC "
            + "applications only, and this one is reactive (WebFlux): the console is not served. The tasks endpoint "
            + "itself (/actuator/tasks, JSON and text/plain) works here as usual.";

    @Bean
    ApplicationListener<ApplicationReadyEvent> tasksConsoleReactiveNotice() {
        return event -> LOG.warn(MESSAGE);
    }
}
