package io.asyncruntime.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's "Use it in your project" section, tried as a new user would: the sample application in
 * {@code samples/starter-fast} has a pom made of nothing but the README's snippets on a
 * {@code spring-boot-starter-parent}, and built against this build's artifacts it runs in FAST mode under
 * {@code spring-boot:run}, under {@code java -jar}, and, started without its manifest, with the README's
 * {@code JAVA_TOOL_OPTIONS} line.
 *
 * <p>The sample is built by a Maven of its own (the one running this build, on the JDK running this test),
 * with a local repository under {@code target} that holds this build's artifacts and falls back, read-only, on
 * the user's local repository ({@code maven.repo.local.tail}), so neither is the user's repository written
 * with our snapshots nor is anything it holds downloaded again.
 *
 * <p>Threading: JUnit's thread; the child processes are waited for with a bound and killed past it.
 */
class StarterFastSampleTest {

    /** What the sample prints once its task has run. */
    private static final String FAST_LINE = "asyncruntime engine mode: FAST";
    private static final String PORTABLE_LINE = "asyncruntime engine mode: PORTABLE";
    private static final String TASK_LINE = "hello from a task";

    /** Marks, in the README, a snippet that goes into the sample's pom (an HTML comment: not rendered). */
    private static final String SAMPLE_MARK = "<!-- samples/starter-fast/pom.xml -->";

    /**
     * The sample's pom apart from the README's snippets, which go where the marker line is: the least a Boot
     * application's pom has, on the Spring Boot this build compiles the starter against (BOOT_VERSION).
     */
    private static final String SAMPLE_SKELETON = """
            <?xml version="1.0" encoding="UTF-8"?>
            <project xmlns="http://maven.apache.org/POM/4.0.0"
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
            xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
            <modelVersion>4.0.0</modelVersion>
            <parent>
            <groupId>org.springframework.boot</groupId>
            <artifactId>spring-boot-starter-parent</artifactId>
            <version>BOOT_VERSION</version>
            <relativePath/>
            </parent>
            <groupId>com.example</groupId>
            <artifactId>starter-fast</artifactId>
            <version>0.0.1-SNAPSHOT</version>
            <!-- README snippets -->
            </project>
            """;

    /* Short-lived JVMs start faster without the top JIT tier; nothing here concerns the engine's mode. */
    private static final String QUICK_JIT = "-XX:TieredStopAtLevel=1";
    private static final String QUICK_JVM = QUICK_JIT + " -XX:+UseSerialGC";

    /* Generous: a cold build on a loaded 2-core CI machine; a hang is killed, never waited out. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

    private final Path readme = Path.of(property("sample.readme"));
    private final Path source = Path.of(property("sample.source"));
    private final Path work = Path.of(property("sample.workDirectory"));
    private final Path java = Path.of(System.getProperty("java.home"), "bin", "java");

    @Test
    void samplePomIsTheReadmeSnippetsOnABootParent() throws IOException {
        List<String> snippets = sampleSnippets(useItSection());
        assertThat(snippets).as("README snippets marked " + SAMPLE_MARK).hasSize(3);

        List<String> expected = new ArrayList<>();
        String bootVersion = property("sample.bootVersion");
        assertThat(useItSection()).as("the README's compatibility table names the Boot the build is tested with")
                .contains("| " + bootVersion + " |");
        for (String line : lines(SAMPLE_SKELETON.replace("BOOT_VERSION", bootVersion))) {
            if (line.equals("<!-- README snippets -->")) {
                snippets.forEach(snippet -> expected.addAll(lines(snippet)));
            } else {
                expected.add(line);
            }
        }
        // Indentation and blank lines aside, the pom is the skeleton and the snippets, in the README's order.
        assertThat(lines(Files.readString(source.resolve("pom.xml"))))
                .as("samples/starter-fast/pom.xml against the README's marked snippets")
                .containsExactlyElementsOf(expected);
    }

    @Test
    void runsFastUnderSpringBootRunJavaJarAndJavaToolOptions() throws Exception {
        copySample();
        Path buildLog = work.resolve("build.log");
        Path mvn = Path.of(property("sample.mavenHome"), "bin", "mvn");
        int built = run(List.of(mvn.toString(), "-B", "-ntp", "-Dstyle.color=never",
                        "-Dmaven.repo.local=" + property("sample.repository"),
                        "-Dmaven.repo.local.tail=" + property("sample.userRepository"),
                        "package", "spring-boot:run"),
                Map.of("JAVA_HOME", System.getProperty("java.home"), "MAVEN_OPTS", mavenOpts()), buildLog,
                BUILD_TIMEOUT);
        String buildOutput = Files.readString(buildLog);
        assertThat(built).as("exit code of the sample's `mvn package spring-boot:run`, see " + buildLog).isZero();
        assertThat(buildOutput).as("spring-boot:run output in " + buildLog).contains(TASK_LINE, FAST_LINE);

        Path jar = work.resolve("target/starter-fast-0.0.1-SNAPSHOT.jar");
        assertThat(runApp(List.of(java.toString(), QUICK_JIT, "-jar", jar.toString()), Map.of(), "java-jar.log"))
                .contains(TASK_LINE, FAST_LINE);

        // `java -cp` ignores the manifest's Add-Opens, as an image that starts the launcher class does:
        // PORTABLE without the flag (so the FAST results above are the snippet's doing) ...
        String launcher;
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            launcher = jarFile.getManifest().getMainAttributes().getValue("Main-Class");
        }
        List<String> fromClassPath = List.of(java.toString(), QUICK_JIT, "-cp", jar.toString(), launcher);
        assertThat(runApp(fromClassPath, Map.of(), "class-path.log")).contains(TASK_LINE, PORTABLE_LINE);
        // ... and FAST with the README's JAVA_TOOL_OPTIONS line.
        assertThat(runApp(fromClassPath, Map.of("JAVA_TOOL_OPTIONS", javaToolOptions(useItSection())),
                "java-tool-options.log")).contains(TASK_LINE, FAST_LINE);
    }

    private String runApp(List<String> command, Map<String, String> env, String logName) throws Exception {
        Path log = work.resolve(logName);
        int exit = run(command, env, log, RUN_TIMEOUT);
        String output = Files.readString(log);
        assertThat(exit).as("exit code of " + String.join(" ", command) + ", output in " + log).isZero();
        return output;
    }

    /* Runs a command in the sample's copy, its output (both streams) into log; kills it past the timeout. */
    private int run(List<String> command, Map<String, String> env, Path log, Duration timeout) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // The child JVMs get exactly the flags under test, not whatever the calling environment carries.
        builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "MAVEN_ARGS"));
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within " + timeout + "; output in " + log);
        }
        return process.exitValue();
    }

    /* A fresh copy under target, so the build never writes into the source tree. */
    private void copySample() throws IOException {
        if (Files.exists(work)) {
            try (Stream<Path> old = Files.walk(work)) {
                old.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
        try (Stream<Path> files = Files.walk(source)) {
            files.filter(p -> !source.relativize(p).startsWith("target")).forEach(p -> {
                try {
                    Files.copy(p, work.resolve(source.relativize(p).toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private String useItSection() throws IOException {
        String text = Files.readString(readme);
        int start = text.indexOf("\n## Use it in your project\n");
        assertThat(start).as("README section '## Use it in your project'").isNotNegative();
        int end = text.indexOf("\n## ", start + 1);
        return end < 0 ? text.substring(start) : text.substring(start, end);
    }

    /* The bodies of the fenced blocks that directly follow a SAMPLE_MARK line. */
    private static List<String> sampleSnippets(String section) {
        List<String> snippets = new ArrayList<>();
        Matcher m = Pattern.compile(Pattern.quote(SAMPLE_MARK) + "\\n```xml\\n(.*?)\\n```", Pattern.DOTALL)
                .matcher(section);
        while (m.find()) {
            snippets.add(m.group(1));
        }
        return snippets;
    }

    private static String javaToolOptions(String section) {
        Matcher m = Pattern.compile("JAVA_TOOL_OPTIONS=\"([^\"]+)\"").matcher(section);
        assertThat(m.find()).as("a JAVA_TOOL_OPTIONS=\"...\" line in the README's section").isTrue();
        return m.group(1);
    }

    /* The caller's MAVEN_OPTS (a proxy, say) and the quick start. */
    private static String mavenOpts() {
        String callers = System.getenv("MAVEN_OPTS");
        return callers == null || callers.isBlank() ? QUICK_JVM : callers + " " + QUICK_JVM;
    }

    /* Set by this module's surefire configuration (samples/pom.xml). */
    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("system property " + name
                    + " is not set: run this test through Maven, ./mvnw -pl samples -am verify");
        }
        return value;
    }

    private static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }
}
