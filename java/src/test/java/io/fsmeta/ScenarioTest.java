package io.fsmeta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The shared scenario files (testdata/*.scn), run through the Java API by {@link ScenarioRunner}: one dynamic test
 * per file. The directory is the system property fsmeta.testdata (set by pom.xml's surefire configuration), else
 * ../testdata from the working directory (the Maven project's).
 */
class ScenarioTest {
    static Path testdata() {
        String p = System.getProperty("fsmeta.testdata");
        return (p != null && !p.isEmpty() ? Paths.get(p) : Paths.get("..", "testdata")).toAbsolutePath().normalize();
    }

    static List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(testdata())) {
            return s.filter(f -> f.getFileName().toString().endsWith(".scn")).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void scenarioFilesExist() throws IOException {
        assertTrue(files().size() >= 12, "fewer than 12 scenario files in " + testdata());
    }

    @TestFactory
    Stream<DynamicTest> scenarios() throws IOException {
        return files().stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), f.toUri(), () -> {
            List<String> failures = ScenarioRunner.runFile(f);
            if (!failures.isEmpty()) {
                fail(failures.size() + " failure(s):\n" + String.join("\n", failures));
            }
        }));
    }

    @Test
    void decoding() throws Exception {
        assertArrayEquals(new byte[] {'a', 0, (byte) 0xff}, ScenarioRunner.decode("a\\x00\\xff"));
        assertArrayEquals(new byte[0], ScenarioRunner.decode("\\e"));
        assertArrayEquals(new byte[] {'\\'}, ScenarioRunner.decode("\\\\"));
        assertArrayEquals("xxx".getBytes(StandardCharsets.US_ASCII), ScenarioRunner.decode("\\{x*3}"));
        assertArrayEquals("a/ba/bc".getBytes(StandardCharsets.US_ASCII), ScenarioRunner.decode("\\{a\\x2fb*2}c"));
        assertArrayEquals("é".getBytes(StandardCharsets.UTF_8), ScenarioRunner.decode("é"));
        assertEquals(0755, ScenarioRunner.parseInt("0755"));
        assertEquals(31, ScenarioRunner.parseInt("0x1f"));
        assertEquals(10, ScenarioRunner.parseInt("10"));
        assertEquals(0, ScenarioRunner.parseInt("0"));
        assertEquals(-5, ScenarioRunner.parseInt("-5"));
    }
}
