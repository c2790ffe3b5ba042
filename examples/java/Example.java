// examples/java: build a tree, list it, time 1M getattrs.
// Run (after ./build.sh build):  java -cp java/target/fsmeta-1.0.0.jar examples/java/Example.java [getattr-count]
import io.fsmeta.Attr;
import io.fsmeta.CallerContext;
import io.fsmeta.FileStatus;
import io.fsmeta.FsMeta;
import io.fsmeta.FsMetaOptions;

public class Example {
    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        CallerContext root = CallerContext.ROOT;
        try (FsMeta fs = FsMeta.open(FsMetaOptions.builder().inMemory().build())) {
            fs.mkdirs(root, "/data/logs", 0755);
            for (int i = 0; i < 5; i++) fs.createFile(root, "/data/logs/day-" + i, 0644);
            fs.setXAttr(root, "/data/logs", "user.owner", "ops".getBytes(), 0);
            for (FileStatus st : fs.listStatus(root, "/data/logs")) {
                System.out.printf("%s %o %d%n", st.path(), st.permission(), st.attr().ino());
            }
            long ino = fs.getFileStatus(root, "/data/logs/day-0").attr().ino();
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                long sink = 0;
                for (int i = 0; i < count; i++) {
                    Attr a = fs.getattr(root, ino);
                    sink += a.size();
                }
                long dt = System.nanoTime() - t0;
                System.out.printf("getattr: %d calls, %.0f ns/call, %.2fM/s (sink %d)%n", count, (double) dt / count,
                        count * 1e3 / dt, sink);
            }
        }
    }
}
