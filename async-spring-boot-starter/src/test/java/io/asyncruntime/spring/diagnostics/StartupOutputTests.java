package io.asyncruntime.spring.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a user sees on the first screen when the application starts: the engine line, and the failure report when
 * FAST is asked for without the flag. Each case runs {@link StartupSampleApp} in a fresh JVM started without
 * {@code --add-opens} (as {@code java -jar} or {@code spring-boot:run} would without the pom snippet), so FAST is
 * really unavailable there, whatever flags this test JVM has.
 */
class StartupOutputTests {
    /* A terminal's first screen: the report must be readable without scrolling. */
    private static final int FIRST_SCREEN = 40;

    @Test
    void fastWithoutTheFlagFailsWithTheFlagAndWhereItGoesOnTheFirstScreen() throws Exception {
        Run run = start(List.of(), "--async.runtime.mode=fast");

        assertThat(run.exitCode).isNotZero();
        List<String> screen = run.lines.stream().limit(FIRST_SCREEN).toList();
        assertThat(String.join("\n", screen))
                .contains("APPLICATION FAILED TO START")
                .contains("async.runtime.mode=fast asks for the FAST engine, but this JVM does not allow it: "
                        + "java.lang is not opened to asyncruntime")
                .contains("<jvmArguments>" + FastModeUnavailableFailureAnalyzer.FLAG + "</jvmArguments>")
                .contains("<Add-Opens>java.base/java.lang</Add-Opens>")
                .contains("JAVA_TOOL_OPTIONS=\"" + FastModeUnavailableFailureAnalyzer.FLAG + "\"")
                .contains("set it to portable");
        // The report replaces the trace: no stack frame anywhere in the output.
        assertThat(run.lines).noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by"));
    }

    @Test
    void portableStartsWithOneLineThatNamesTheModeAndTheFlagOnce() throws Exception {
        Run run = start(List.of());

        assertThat(run.exitCode).as(run.text()).isZero();
        assertThat(run.lines).filteredOn(l -> l.contains("PORTABLE engine")).singleElement().asString()
                .contains("FAST is off because java.lang is not opened to asyncruntime (start the JVM with "
                        + FastModeUnavailableFailureAnalyzer.FLAG + ")");
        assertThat(run.text().split(FastModeUnavailableFailureAnalyzer.FLAG, -1)).hasSize(2);
        assertThat(run.lines).noneMatch(l -> l.contains("WARN") || l.contains("ERROR"));
    }

    @Test
    void withTheFlagFastStartsQuietly() throws Exception {
        Run run = start(List.of(FastModeUnavailableFailureAnalyzer.FLAG.split(" ")), "--async.runtime.mode=fast");

        assertThat(run.exitCode).as(run.text()).isZero();
        assertThat(run.lines).filteredOn(l -> l.contains("FAST engine")).hasSize(1);
        assertThat(run.lines).anyMatch(l -> l.contains("Event loop 'asyncio-loop' running in FAST mode"));
        assertThat(run.text()).doesNotContain("add-opens");
    }

    private record Run(int exitCode, List<String> lines) {
        String text() {
            return String.join("\n", lines);
        }
    }

    private static Run start(List<String> jvmFlags, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1"); // start-up speed only: the sample runs for a second
        command.addAll(jvmFlags);
        command.add("-cp");
        // Surefire runs tests from a manifest-only jar; it gives the real class path in this property.
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(StartupSampleApp.class.getName());
        // What a user's terminal shows, banner and start-up lines included (the tests' application.properties
        // turns them off for the build's own output).
        command.add("--spring.main.banner-mode=console");
        command.add("--spring.main.log-startup-info=true");
        command.addAll(List.of(args));
        Path output = Files.createTempFile("startup-output", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            // The child must see only the flags this test gives it.
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            builder.environment().remove("JDK_JAVA_OPTIONS");
            Process process = builder.start();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the sample application did not end within 90 s:\n" + Files.readString(output));
            }
            return new Run(process.exitValue(), Files.readAllLines(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
