package io.asyncruntime.spring.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.spring.ExpectedLogs;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** A WebFlux application that asks for the console is told, at start-up, that it will not get one. */
class TasksConsoleReactiveNoticeTests {

    @Test
    void aReactiveApplicationAskingForTheConsoleIsWarnedOnce() {
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(TasksConsoleReactiveNotice.class))
                .withPropertyValues("async.runtime.console.enabled=true")
                .run(context -> {
                    try (ExpectedLogs logs = ExpectedLogs.capture(TasksConsoleReactiveNotice.class.getName())) {
                        context.publishEvent(new ApplicationReadyEvent(new org.springframework.boot.SpringApplication(),
                                new String[0], context, java.time.Duration.ZERO));
                        assertThat(logs.events()).singleElement().asString()
                                .contains("served in Spring MVC applications only");
                    }
                });
    }

    @Test
    void silentWhenTheConsoleIsNotAskedForOrTheApplicationIsServletBased() {
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(TasksConsoleReactiveNotice.class))
                .run(context -> assertThat(context).doesNotHaveBean(TasksConsoleReactiveNotice.class));
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(TasksConsoleReactiveNotice.class))
                .withPropertyValues("async.runtime.console.enabled=true")
                .run(context -> assertThat(context).doesNotHaveBean(TasksConsoleReactiveNotice.class));
    }
}
