package io.fsmeta;

import io.fsmeta.internal.Native;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Loads libfsmeta.so.1 and libfsmeta_jni.so once per class loader, in this order of preference:
 *
 * <ol>
 * <li>{@code -Dfsmeta.library.path=DIR}: DIR/libfsmeta.so.1 then DIR/libfsmeta_jni.so ({@code System.load});</li>
 * <li>the jar: {@code META-INF/native/linux-x86_64/} is extracted to a private temporary directory (mode 0700),
 * loaded, and the files deleted at once (the mappings stay; nothing is left behind);</li>
 * <li>{@code java.library.path}: {@code System.loadLibrary("fsmeta")} then {@code ("fsmeta_jni")}.</li>
 * </ol>
 *
 * <p>If a libfsmeta.so.1 is already mapped in the process (another class loader, or the host), it is not loaded a
 * second time: the JNI library's dependency is then satisfied by that copy, so a process never holds two Go
 * runtimes. The libraries are never unloaded (libfsmeta.so.1 is linked NODELETE; the Go runtime cannot be
 * unloaded).
 */
final class NativeLibrary {
    static final String RESOURCE_DIR = "META-INF/native/linux-x86_64/";
    static final String CORE = "libfsmeta.so.1";
    static final String JNI = "libfsmeta_jni.so";

    private static final java.util.regex.Pattern CORE_NAME =
            java.util.regex.Pattern.compile("libfsmeta\\.so(\\.1(\\.[0-9]+)*)?( \\(deleted\\))?");

    private static final Throwable FAILURE;
    private static final String SOURCE;

    static {
        Throwable failure = null;
        String source = null;
        try {
            source = load();
            int v = Native.fsmeta_version_number();
            if (v / 10000 != Native.FSMETA_VERSION_MAJOR || v < Native.FSMETA_VERSION_NUMBER) {
                throw new UnsatisfiedLinkError("fsmeta: loaded libfsmeta version " + v + " (from " + source
                        + ") does not match the SDK's " + Native.FSMETA_VERSION_NUMBER);
            }
        } catch (Throwable t) {
            failure = t;
        }
        FAILURE = failure;
        SOURCE = source;
    }

    private NativeLibrary() {}

    /** Throws UnsatisfiedLinkError (every time) if the libraries could not be loaded. */
    static void ensureLoaded() {
        if (FAILURE != null) {
            UnsatisfiedLinkError e = new UnsatisfiedLinkError("fsmeta: native libraries not loaded: " + FAILURE);
            e.initCause(FAILURE);
            throw e;
        }
    }

    /** Where the libraries came from (for diagnostics). */
    static String source() {
        ensureLoaded();
        return SOURCE;
    }

    private static String load() throws IOException {
        String dir = System.getProperty("fsmeta.library.path");
        if (dir != null && !dir.isEmpty()) {
            File core = new File(dir, CORE);
            if (!coreAlreadyMapped()) System.load(core.getAbsolutePath());
            System.load(new File(dir, JNI).getAbsolutePath());
            return "fsmeta.library.path=" + dir;
        }
        ClassLoader cl = NativeLibrary.class.getClassLoader();
        if (cl == null) cl = ClassLoader.getSystemClassLoader();
        if (cl.getResource(RESOURCE_DIR + JNI) != null && cl.getResource(RESOURCE_DIR + CORE) != null) {
            Path tmp = Files.createTempDirectory("fsmeta-native-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path core = tmp.resolve(CORE);
            Path jni = tmp.resolve(JNI);
            try {
                extract(cl, RESOURCE_DIR + CORE, core);
                extract(cl, RESOURCE_DIR + JNI, jni);
                if (!coreAlreadyMapped()) System.load(core.toString());
                System.load(jni.toString());
            } finally {
                Files.deleteIfExists(core);
                Files.deleteIfExists(jni);
                Files.deleteIfExists(tmp);
            }
            return "jar:" + RESOURCE_DIR;
        }
        if (!coreAlreadyMapped()) System.loadLibrary("fsmeta");
        System.loadLibrary("fsmeta_jni");
        return "java.library.path";
    }

    private static void extract(ClassLoader cl, String resource, Path to) throws IOException {
        try (InputStream in = cl.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("fsmeta: resource " + resource + " missing");
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Whether a libfsmeta.so.1 is mapped in this process already (Linux: /proc/self/maps). */
    static boolean coreAlreadyMapped() {
        try {
            Path maps = Path.of("/proc/self/maps");
            if (!Files.isReadable(maps)) return false;
            for (String line : Files.readAllLines(maps, StandardCharsets.ISO_8859_1)) {
                int slash = line.lastIndexOf('/');
                if (slash >= 0 && CORE_NAME.matcher(line.substring(slash + 1)).matches()) return true;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
