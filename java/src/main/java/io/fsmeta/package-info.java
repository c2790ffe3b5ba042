/**
 * The Java SDK of libfsmeta, an in-memory file-system metadata engine: {@link io.fsmeta.FsMeta} is the entry point.
 *
 * <h2>Loading</h2>
 * The jar holds {@code META-INF/native/linux-x86_64/libfsmeta_jni.so} and {@code libfsmeta.so.1}. The first use of
 * {@link io.fsmeta.FsMeta} extracts them to a private temporary directory (mode 0700), loads libfsmeta.so.1 and then
 * the JNI library with {@code System.load}, and deletes the files (their mappings stay). {@code
 * -Dfsmeta.library.path=DIR} loads DIR's copies instead; without either, {@code java.library.path} is searched
 * ({@code System.loadLibrary("fsmeta")}, {@code ("fsmeta_jni")}).
 *
 * <h2>What a host JVM must know</h2>
 * <ul>
 * <li>The native library contains the Go runtime, which starts threads and installs signal handlers (with
 * SA_ONSTACK, chaining to the JVM's handlers for signals it does not own) when it loads. It coexists with HotSpot's
 * use of SIGSEGV (implicit null checks, safepoint polls) and GC: the test {@code SignalSafetyTest} runs a JVM that
 * throws and catches millions of NullPointerExceptions in hot compiled code, runs GC under allocation load and
 * calls fsmeta from 32 threads at once, and it runs clean without {@code libjsig} (so libjsig is not needed; it does
 * no harm if a host preloads it).</li>
 * <li>The library is never unloaded: libfsmeta.so.1 is linked NODELETE. Load the SDK from a class loader that lives
 * as long as the process (the application class loader, as Hadoop tasks do). A second class loader that loads the
 * jar again reuses the libfsmeta.so.1 already mapped (one Go runtime per process) and gets its own JNI library.</li>
 * <li>Do not call fsmeta in the child of a fork() (fork followed by exec, as ProcessBuilder does, is fine).</li>
 * <li>Signal handlers a host installs after loading must use SA_ONSTACK.</li>
 * </ul>
 */
package io.fsmeta;
