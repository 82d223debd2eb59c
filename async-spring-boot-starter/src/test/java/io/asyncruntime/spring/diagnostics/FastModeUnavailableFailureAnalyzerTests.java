package io.asyncruntime.spring.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * The analysis of a FAST engine the JVM does not allow, found under the bean-creation wrapping Spring adds.
 * {@link StartupOutputTests} shows the same report in a real JVM without the flag.
 */
class FastModeUnavailableFailureAnalyzerTests {
    private static final String FLAG = "--add-opens java.base/java.lang=ALL-UNNAMED";

    private static FailureAnalysis analyze(String reason) {
        return new FastModeUnavailableFailureAnalyzer().analyze(new BeanCreationException("asyncRuntime",
                "Failed to instantiate", new FastModeUnavailableException(reason)));
    }

    @Test
    void aMissingFlagIsExplainedWithTheFlagAndWhereItGoes() {
        FailureAnalysis analysis = analyze("java.lang is not opened to asyncruntime (start the JVM with " + FLAG + ")");

        assertThat(analysis.getDescription()).isEqualTo("async.runtime.mode=fast asks for the FAST engine, but this JVM "
                + "does not allow it: java.lang is not opened to asyncruntime (start the JVM with " + FLAG + ").");
        assertThat(analysis.getAction())
                .startsWith("Start the JVM with " + FLAG + ":")
                .contains("mvn spring-boot:run", "<jvmArguments>" + FLAG + "</jvmArguments>")
                .contains("java -jar app.jar", "<Add-Opens>java.base/java.lang</Add-Opens>", "java " + FLAG + " -jar app.jar")
                .contains("JAVA_TOOL_OPTIONS=\"" + FLAG + "\"")
                .contains("set it to portable");
    }

    @Test
    void aReasonTheFlagCannotFixDoesNotAdviseTheFlag() {
        FailureAnalysis analysis = analyze("this JDK (26) has no virtual-thread scheduler hook");

        assertThat(analysis.getDescription()).contains("this JDK (26) has no virtual-thread scheduler hook");
        assertThat(analysis.getAction()).doesNotContain(FLAG).startsWith("Remove async.runtime.mode (or set it to portable)");
    }
}
