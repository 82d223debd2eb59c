package io.asyncruntime.spring.diagnostics;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;

/**
 * Stops an application that runs the starter on a Spring Boot it does not support, before any bean is created,
 * with an {@link UnsupportedSpringBootException} that {@link UnsupportedSpringBootFailureAnalyzer} reports.
 *
 * <p>Why a listener and not a condition on an auto-configuration: Boot 3.5 would load the starter's
 * auto-configurations too, and the ones naming Boot 4 packages (health, metrics) would simply not match, so the
 * application started without a word and failed later (a 400 from {@code /actuator/tasks}, no meters, no
 * health). This listener is registered in {@code META-INF/spring.factories}, which every Boot version reads, and
 * it uses only types that Boot 3 and 4 share ({@link SpringBootVersion}, {@link ApplicationListener},
 * {@link ApplicationEnvironmentPreparedEvent}), so it loads and runs on the Boot it is meant to refuse. It runs
 * after Boot's logging listener, so the report goes to the application's configured log.
 *
 * <p>Threading: called by {@code SpringApplication} on the thread that runs it; stateless.
 */
public class SpringBootVersionCheck implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {
    /** The Spring Boot versions the starter supports, as the report names them. */
    public static final String SUPPORTED = "4.x (4.0 or later; built and tested against 4.1)";

    /* A class that Boot 4.0 introduced (EnvironmentPostProcessor moved here from ...boot.env): the fallback when
       the running Boot's jar carries no version, as in some repackaged or shaded applications. */
    private static final String BOOT_4_CLASS = "org.springframework.boot.EnvironmentPostProcessor";

    private final Supplier<@Nullable String> version;
    private final boolean boot4ClassPresent;

    /** Creates the check of the Spring Boot this application runs; instantiated by Spring Boot. */
    public SpringBootVersionCheck() {
        this(SpringBootVersion::getVersion, ClassUtils.isPresent(BOOT_4_CLASS, SpringBootVersionCheck.class.getClassLoader()));
    }

    /* Test seam: the version and the Boot 4 class probe, faked. */
    SpringBootVersionCheck(Supplier<@Nullable String> version, boolean boot4ClassPresent) {
        this.version = version;
        this.boot4ClassPresent = boot4ClassPresent;
    }

    /**
     * Checks the running Spring Boot's version.
     *
     * @throws UnsupportedSpringBootException if it is not a supported version
     */
    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        check();
    }

    /**
     * Checks the running Spring Boot's version.
     *
     * @throws UnsupportedSpringBootException if it is not a supported version
     */
    void check() {
        String v = version.get();
        if (v == null ? !boot4ClassPresent : !isSupported(v)) {
            throw new UnsupportedSpringBootException(v);
        }
    }

    /** Returns whether {@code version} (such as {@code 4.1.1} or {@code 4.0.0-RC1}) is a supported version. */
    static boolean isSupported(String version) {
        int dot = version.indexOf('.');
        String major = dot < 0 ? version : version.substring(0, dot);
        try {
            return Integer.parseInt(major.trim()) == 4;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public int getOrder() {
        // After LoggingApplicationListener (HIGHEST_PRECEDENCE + 20): the report then uses the application's logging.
        return Ordered.LOWEST_PRECEDENCE;
    }
}
