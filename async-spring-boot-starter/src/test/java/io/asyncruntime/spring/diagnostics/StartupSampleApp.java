package io.asyncruntime.spring.diagnostics;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;

/**
 * The smallest application with the starter, started in a JVM of its own by {@link StartupOutputTests}, so the
 * test sees exactly what a user's terminal shows: no flags but those the test passes. It imports only the
 * runtime's auto-configuration, where the engine is chosen; the starter's other auto-configurations would only add
 * start-up time, and the version check comes from {@code spring.factories} either way.
 */
@SpringBootConfiguration
@ImportAutoConfiguration(io.asyncruntime.spring.AsyncRuntimeAutoConfiguration.class)
public class StartupSampleApp {

    /** Starts the application with {@code args} as Boot arguments, then closes it. */
    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(StartupSampleApp.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.run(args).close();
    }
}
