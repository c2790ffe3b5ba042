package io.fsmeta;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every ```java block of java/README.md as written, as a whole source file with the SDK on the class path
 * ({@code java -cp CLASSES File.java}, as the README tells a user to run it with the jar), so an example that
 * breaks fails the build. (tests/readme/run_blocks.py does the same for the top README with the jar.)
 */
class ReadmeTest {
    static final Path README = Path.of(System.getProperty("user.dir"), "README.md");
    static final Pattern BLOCK = Pattern.compile("(?m)^```java\\n(.*?)^```$", Pattern.DOTALL);
    static final Pattern CLASS = Pattern.compile("(?m)^public (?:final )?class (\\w+)");

    static List<String> javaBlocks() throws IOException {
        List<String> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(Files.readString(README, StandardCharsets.UTF_8));
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void javaBlocksRunAsWritten(@TempDir Path dir) throws Exception {
        List<String> blocks = javaBlocks();
        assertFalse(blocks.isEmpty(), "no ```java block in " + README);
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        String classes = Path.of(FsMeta.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        for (int i = 0; i < blocks.size(); i++) {
            Matcher c = CLASS.matcher(blocks.get(i));
            assertTrue(c.find(), "java/README.md block " + (i + 1) + " has no public class");
            Path src = Files.createDirectories(dir.resolve("b" + i)).resolve(c.group(1) + ".java");
            Files.writeString(src, blocks.get(i), StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(java, "-cp", classes, src.toString()).directory(src.getParent().toFile())
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "java/README.md block " + (i + 1) + " failed:\n"
                    + new String(out, StandardCharsets.UTF_8));
        }
    }
}
