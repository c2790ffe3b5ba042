package io.fsmeta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A fresh JVM (no libjsig) loads fsmeta, then at once: throws and catches NullPointerExceptions in hot compiled code
 * (implicit null checks are SIGSEGV handled by HotSpot), allocates to keep the GC busy with explicit System.gc(),
 * and calls fsmeta from 32 threads. It must exit 0 with its report and no hs_err file.
 */
class SignalSafetyTest {
    static final class Node {
        int v;
    }

    static int touch(Node n) {
        return n.v; // an implicit null check once compiled
    }

    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(args[0]);
        FsMeta fs = FsMeta.openInMemory();
        Attr d = fs.mkdir(CallerContext.ROOT, 1, "d", 0755);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long[] npes = new long[1];
        long[] calls = new long[32];
        List<Thread> threads = new ArrayList<>();
        threads.add(new Thread(() -> {
            Node[] nodes = {new Node(), null};
            long n = 0;
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < 10_000; i++) {
                    try {
                        touch(nodes[i & 1]);
                    } catch (NullPointerException e) {
                        n++;
                    }
                }
            }
            npes[0] = n;
        }));
        threads.add(new Thread(() -> {
            List<byte[]> keep = new ArrayList<>();
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < 1000; i++) keep.add(new byte[1024]);
                if (keep.size() > 50_000) keep.clear();
                System.gc();
            }
        }));
        for (int t = 0; t < 32; t++) {
            final int id = t;
            threads.add(new Thread(() -> {
                try {
                    long n = 0;
                    Attr mine = fs.mkdir(CallerContext.ROOT, d.ino(), "t" + id, 0755);
                    while (System.nanoTime() < deadline) {
                        Attr f = fs.create(CallerContext.ROOT, mine.ino(), "f" + n, 0644);
                        fs.getattr(CallerContext.ROOT, f.ino());
                        fs.lookup(CallerContext.ROOT, mine.ino(), "f" + n);
                        try {
                            fs.lookup(CallerContext.ROOT, mine.ino(), "missing");
                        } catch (java.io.FileNotFoundException expected) {
                            // the exception path under load too
                        }
                        fs.unlink(CallerContext.ROOT, mine.ino(), "f" + n);
                        n++;
                    }
                    calls[id] = n;
                } catch (Exception e) {
                    e.printStackTrace();
                    System.exit(3);
                }
            }));
        }
        for (Thread t : threads) t.start();
        for (Thread t : threads) t.join();
        fs.fsck();
        fs.close();
        long total = 0;
        for (long c : calls) total += c;
        System.out.println("SIGNAL-SAFETY OK npes=" + npes[0] + " fsmeta-rounds=" + total + " handles=" + FsMeta.handleCount());
    }

    @Test
    void jvmWithFsmetaRunsClean() throws Exception {
        File dir = new File("target/signal-test");
        dir.mkdirs();
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = List.of(java, "-Xmx256m", "-XX:+UseParallelGC", "-XX:ErrorFile=" + dir.getAbsolutePath() + "/hs_err_%p.log",
                "-cp", System.getProperty("java.class.path"), SignalSafetyTest.class.getName(), "8");
        Process p = new ProcessBuilder(cmd).directory(dir).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out");
        System.out.println(out.trim());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("SIGNAL-SAFETY OK"), out);
        assertTrue(out.contains("handles=0"), out);
        String[] errs = dir.list((d, n) -> n.startsWith("hs_err"));
        assertEquals(0, errs == null ? 0 : errs.length, "hs_err files");
    }
}
