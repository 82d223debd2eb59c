package io.asyncruntime.spring.diagnostics;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an {@link UnsupportedSpringBootException} as Boot's "APPLICATION FAILED TO START" screen: which Spring
 * Boot runs, which the starter supports, and what to do.
 *
 * <p>Threading: stateless; instantiated by Spring Boot from {@code META-INF/spring.factories}.
 */
public class UnsupportedSpringBootFailureAnalyzer extends AbstractFailureAnalyzer<UnsupportedSpringBootException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, UnsupportedSpringBootException cause) {
        String description = "async-spring-boot-starter supports Spring Boot " + SpringBootVersionCheck.SUPPORTED
                + ", but this application runs " + UnsupportedSpringBootException.describe(cause.getVersion()) + ".\n"
                + "Spring Boot 4 moved the packages the starter builds on (health, metrics, actuator endpoints) and uses "
                + "Jackson 3, so on this version the tasks endpoint, the async.* meters and the loop health would not work.";
        String action = "Upgrade the application to Spring Boot 4 (spring-boot-starter-parent or spring-boot-dependencies "
                + "4.1.x, with Java 21 or later), or remove async-spring-boot-starter and use async-core, which needs no "
                + "Spring, on its own.";
        return new FailureAnalysis(description, action, cause);
    }
}
