package io.asyncruntime.spring.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.spring.ExpectedLogs;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.context.ApplicationListener;

/** The refusal of an unsupported Spring Boot, with the version faked: the check, its analysis, and the report. */
class SpringBootVersionCheckTests {

    @Test
    void boot4IsSupportedAndOtherMajorsAreNot() {
        assertThat(List.of("4.1.1", "4.0.0", "4.0.0-RC1", "4.2.0-SNAPSHOT")).allMatch(SpringBootVersionCheck::isSupported);
        assertThat(List.of("3.5.8", "3.4.0", "2.7.18", "5.0.0", "", "four")).noneMatch(SpringBootVersionCheck::isSupported);
    }

    @Test
    void theRunningBootPasses() {
        assertThatNoException().isThrownBy(() -> new SpringBootVersionCheck().check());
    }

    @Test
    void anUnsupportedVersionIsRefused() {
        assertThatThrownBy(() -> new SpringBootVersionCheck(() -> "3.5.8", false).check())
                .isInstanceOf(UnsupportedSpringBootException.class)
                .hasMessage("async-spring-boot-starter needs Spring Boot " + SpringBootVersionCheck.SUPPORTED
                        + ", but the application runs Spring Boot 3.5.8");
    }

    @Test
    void withoutARecordedVersionTheBoot4ClassDecides() {
        assertThatNoException().isThrownBy(() -> new SpringBootVersionCheck(() -> null, true).check());
        assertThatThrownBy(() -> new SpringBootVersionCheck(() -> null, false).check())
                .isInstanceOf(UnsupportedSpringBootException.class).hasMessageContaining("older than 4.0");
    }

    @Test
    void theCheckAndTheAnalyzersAreRegisteredWhereEveryBootLooks() {
        SpringFactoriesLoader factories = SpringFactoriesLoader.forDefaultResourceLocation();
        // Boot's own analyzers need constructor arguments this test does not give: skip them quietly.
        SpringFactoriesLoader.FailureHandler skip = (type, name, failure) -> { };
        assertThat(factories.load(ApplicationListener.class, null, skip)).hasAtLeastOneElementOfType(SpringBootVersionCheck.class);
        assertThat(factories.load(FailureAnalyzer.class, null, skip))
                .hasAtLeastOneElementOfType(UnsupportedSpringBootFailureAnalyzer.class)
                .hasAtLeastOneElementOfType(FastModeUnavailableFailureAnalyzer.class);
    }

    @Test
    void theAnalysisNamesBothVersionsAndWhatToDo() {
        FailureAnalysis analysis = new UnsupportedSpringBootFailureAnalyzer()
                .analyze(new IllegalStateException("wrapped", new UnsupportedSpringBootException("3.5.8")));
        assertThat(analysis.getDescription())
                .startsWith("async-spring-boot-starter supports Spring Boot 4.x")
                .contains("this application runs Spring Boot 3.5.8");
        assertThat(analysis.getAction()).startsWith("Upgrade the application to Spring Boot 4");
    }

    @Test
    void anApplicationOnAnUnsupportedBootFailsWithTheReportOnTheFirstScreen() {
        SpringApplication application = new SpringApplication(App.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.addListeners(new SpringBootVersionCheck(() -> "3.5.8", false));
        try (ExpectedLogs logs = ExpectedLogs.capture("")) {
            assertThatThrownBy(application::run).isInstanceOf(UnsupportedSpringBootException.class);

            assertThat(String.join("\n", logs.firstLines(25)))
                    .contains("APPLICATION FAILED TO START")
                    .contains("async-spring-boot-starter supports Spring Boot " + SpringBootVersionCheck.SUPPORTED
                            + ", but this application runs Spring Boot 3.5.8.")
                    .contains("Action:")
                    .contains("Upgrade the application to Spring Boot 4");
            assertThat(logs.text()).doesNotContain("\tat ");
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
