package io.asyncruntime.spring.diagnostics;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at start-up when the application runs a Spring Boot version the starter does not support;
 * {@link UnsupportedSpringBootFailureAnalyzer} turns it into Boot's failure report.
 *
 * <p>Threading: immutable.
 */
public class UnsupportedSpringBootException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final @Nullable String version;

    /**
     * Creates the exception for the Spring Boot version found.
     *
     * @param version the version the application runs, or null when the jar does not say (a repackaged Boot)
     */
    public UnsupportedSpringBootException(@Nullable String version) {
        super("async-spring-boot-starter needs Spring Boot " + SpringBootVersionCheck.SUPPORTED + ", but the application runs "
                + describe(version));
        this.version = version;
    }

    /** Returns the Spring Boot version the application runs, or null when unknown. */
    public @Nullable String getVersion() {
        return version;
    }

    static String describe(@Nullable String version) {
        return version != null ? "Spring Boot " + version : "a Spring Boot older than 4.0 (its version is not recorded)";
    }
}
