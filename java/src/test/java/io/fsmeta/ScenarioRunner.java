package io.fsmeta;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Java runner of the shared scenario files (testdata/*.scn; the format: testdata/README.md).
 *
 * <p>{@link #runFile(Path)} returns the failures as "FILE:LINE: message" strings, each followed by the line's text
 * (empty: the file passes). It drives the Java API ({@link FsMeta}), one fresh in-memory engine per file, with the
 * engine's clock set before every operation line ({@link FsMeta#setTestTime}: T0 + n seconds). The root directory
 * is stamped at open with the real clock, before the clock can be set: checks of its times against {@code now}
 * values or integers are skipped while they still hold such a time. After the file, fsck runs.
 *
 * <p>The C ABI lists a directory through a stream (fsmeta_dir_open / fsmeta_dir_next) with no cursor and no batch
 * size: readdir's {@code max=N} is parsed and ignored, and the "cursor changes between calls" check has nothing to
 * apply to. The other readdir checks (no name twice, each entry's inode exists with the entry's type, plus attributes
 * equal getattr) are made.
 */
final class ScenarioRunner {
    static final long T0 = 1_700_000_000_000_000_000L;
    static final long SEC = 1_000_000_000L;

    static final Map<String, Long> MODE_WORDS = Map.of("reg", 0100000L, "dir", 040000L, "lnk", 0120000L,
            "fifo", 010000L, "sock", 0140000L, "chr", 020000L, "blk", 060000L, "suid", 04000L, "sgid", 02000L,
            "sticky", 01000L);
    static final Map<String, Long> TYPE_WORDS = Map.of("reg", 0100000L, "dir", 040000L, "lnk", 0120000L,
            "fifo", 010000L, "sock", 0140000L, "chr", 020000L, "blk", 060000L);
    static final Map<String, Long> NODE_FLAGS = Map.of("none", 0L, "immutable", 1L, "append", 2L);
    static final Map<String, Long> OPEN_FLAGS = Map.of("rdonly", 0L, "wronly", 1L, "rdwr", 2L, "trunc", 01000L,
            "append", 02000L);
    static final Map<String, Long> RENAME_FLAGS = Map.of("none", 0L, "noreplace", 1L, "exchange", 2L);
    static final Map<String, Long> XATTR_FLAGS = Map.of("none", 0L, "create", 1L, "replace", 2L);
    static final Map<String, Long> FALLOC_MODES = Map.of("none", 0L, "keepsize", 0x01L, "punchhole", 0x02L,
            "zerorange", 0x10L);

    static final List<String> ATTR_KEYS = List.of("ino", "mode", "perm", "type", "nlink", "uid", "gid", "rdev",
            "flags", "size", "blocks", "atime", "mtime", "ctime");
    static final Set<String> TIME_KEYS = Set.of("atime", "mtime", "ctime");
    static final Map<String, List<String>> KIND_KEYS = Map.of(
            "none", List.of(),
            "attr", ATTR_KEYS,
            "readlink", List.of("target"),
            "xattr", List.of("value", "len"),
            "list", List.of("names", "count"),
            "readdir", List.of("names", "entries", "count"),
            "id", List.of("id"),
            "slices", List.of("slices", "count"),
            "dropped", List.of("dropped", "count"),
            "statfs", List.of("total", "avail", "used", "inodes", "availinodes"));
    static final Map<String, String> OP_KIND = new HashMap<>();

    static {
        for (String op : new String[] {"lookup", "getattr", "setattr", "chmod", "chown", "truncate", "mknod",
                "create", "mkdir", "symlink", "link", "fallocate", "open", "write", "resolve", "mkdirall"}) {
            OP_KIND.put(op, "attr");
        }
        for (String op : new String[] {"access", "unlink", "rmdir", "rename", "setxattr", "removexattr", "close",
                "fsck"}) {
            OP_KIND.put(op, "none");
        }
        OP_KIND.put("readlink", "readlink");
        OP_KIND.put("readdir", "readdir");
        OP_KIND.put("statfs", "statfs");
        OP_KIND.put("getxattr", "xattr");
        OP_KIND.put("listxattr", "list");
        OP_KIND.put("newslice", "id");
        OP_KIND.put("readchunk", "slices");
        OP_KIND.put("compact", "dropped");
    }

    static final Pattern CHECK_RE = Pattern.compile("^([a-z]+)(!=|<=|>=|=|<|>)(.*)$", Pattern.DOTALL);
    static final Pattern REP_RE = Pattern.compile("(?<!\\\\)\\\\i");
    static final Pattern WS = Pattern.compile("[ \\t]+");

    /** A failure of a line (of the file itself or of the engine's result). */
    static final class ScenarioError extends Exception {
        private static final long serialVersionUID = 1L;

        ScenarioError(String msg) {
            super(msg);
        }
    }

    /** An operation to run, prepared (arguments decoded and targets resolved) before the call. */
    @FunctionalInterface
    interface Call {
        Object run() throws IOException, ScenarioError;
    }

    /** One listed entry. */
    record Entry(byte[] name, int type, Attr attr) {}

    private final Path path;
    private final String name;
    private final List<String> failures = new ArrayList<>();
    private final Map<String, CallerContext> users = new HashMap<>();
    private CallerContext current = CallerContext.ROOT;
    private final Map<String, Long> options = new HashMap<>();
    private FsMeta fs;
    private final Map<String, Long> vars = new HashMap<>();
    private long opno;

    private ScenarioRunner(Path path) {
        this.path = path;
        this.name = path.getFileName().toString();
        users.put("root", CallerContext.ROOT);
    }

    /** Runs one scenario file; returns its failures ("FILE:LINE: message", then the line's text). */
    static List<String> runFile(Path path) throws IOException {
        return new ScenarioRunner(path).run();
    }

    // ---- numbers and strings

    /** C strtoull(s, NULL, 0) with an optional leading '-': 0x hex, a leading 0 octal, else decimal. */
    static long parseInt(String s) throws ScenarioError {
        boolean neg = s.startsWith("-");
        String t = neg ? s.substring(1) : s;
        if (t.isEmpty() || t.startsWith("+") || t.startsWith("-")) throw new ScenarioError("bad number '" + s + "'");
        long v;
        try {
            if (t.length() > 2 && (t.startsWith("0x") || t.startsWith("0X"))) {
                v = Long.parseUnsignedLong(t.substring(2), 16);
            } else if (t.length() > 1 && t.charAt(0) == '0') {
                v = Long.parseUnsignedLong(t.substring(1), 8);
            } else {
                v = Long.parseUnsignedLong(t, 10);
            }
        } catch (NumberFormatException e) {
            throw new ScenarioError("bad number '" + s + "'");
        }
        return neg ? -v : v;
    }

    /** Decodes the escapes of a string token (\xHH, \\, \e, \{TEXT*N}); \i was substituted before. */
    static byte[] decode(String tok) throws ScenarioError {
        byte[] raw = tok.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        int i = 0;
        while (i < raw.length) {
            byte c = raw[i];
            if (c != '\\') {
                out.write(c);
                i++;
                continue;
            }
            if (i + 1 >= raw.length) throw new ScenarioError("dangling backslash in '" + tok + "'");
            byte e = raw[i + 1];
            if (e == 'x') {
                if (i + 4 > raw.length || hex(raw[i + 2]) < 0 || hex(raw[i + 3]) < 0) {
                    throw new ScenarioError("bad \\x escape in '" + tok + "'");
                }
                out.write(hex(raw[i + 2]) * 16 + hex(raw[i + 3]));
                i += 4;
            } else if (e == '\\') {
                out.write('\\');
                i += 2;
            } else if (e == 'e') {
                i += 2;
            } else if (e == '{') {
                int end = -1;
                for (int j = i + 2; j < raw.length; j++) {
                    if (raw[j] == '}') {
                        end = j;
                        break;
                    }
                }
                if (end < 0) throw new ScenarioError("unterminated \\{ in '" + tok + "'");
                int star = -1;
                for (int j = end - 1; j >= i + 2; j--) {
                    if (raw[j] == '*') {
                        star = j;
                        break;
                    }
                }
                if (star < 0) throw new ScenarioError("\\{ without * in '" + tok + "'");
                byte[] text = decode(new String(raw, i + 2, star - (i + 2), StandardCharsets.UTF_8));
                long n = parseInt(new String(raw, star + 1, end - (star + 1), StandardCharsets.UTF_8));
                for (long k = 0; k < n; k++) out.write(text, 0, text.length);
                i = end + 1;
            } else {
                throw new ScenarioError("unknown escape \\" + (char) e + " in '" + tok + "'");
            }
        }
        return out.toByteArray();
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') return b - '0';
        if (b >= 'a' && b <= 'f') return b - 'a' + 10;
        if (b >= 'A' && b <= 'F') return b - 'A' + 10;
        return -1;
    }

    /** Splits at raw commas and decodes each item; "" is the empty list. */
    static List<byte[]> decodeList(String value) throws ScenarioError {
        List<byte[]> out = new ArrayList<>();
        if (value.isEmpty()) return out;
        for (String x : value.split(",", -1)) out.add(decode(x));
        return out;
    }

    static String show(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            int u = x & 0xff;
            if (u >= 0x21 && u < 0x7f && u != '\\' && u != ',') s.append((char) u);
            else s.append(String.format("\\x%02x", u));
        }
        return s.toString();
    }

    // ---- engine and values

    private FsMeta engine() throws ScenarioError {
        if (fs == null) {
            try {
                fs = FsMeta.open(FsMetaOptions.builder().inMemory().capacity(options.getOrDefault("capacity", 0L))
                        .maxInodes(options.getOrDefault("maxinodes", 0L)).build());
                fs.setTestTime(T0);
            } catch (IOException | IllegalArgumentException e) {
                throw new ScenarioError("open: " + e.getMessage());
            }
        }
        return fs;
    }

    private long subVars(String s) throws ScenarioError {
        if (s.startsWith("$")) {
            Long v = vars.get(s.substring(1));
            if (v == null) throw new ScenarioError("unbound variable " + s);
            return v;
        }
        return parseInt(s);
    }

    private static long words(String s, Map<String, Long> table) throws ScenarioError {
        long v = 0;
        for (String part : s.split("\\|", -1)) {
            Long w = table.get(part);
            v |= w != null ? w : parseInt(part);
        }
        return v;
    }

    private long accessMask(String s) throws ScenarioError {
        if (s.equals("f")) return 0;
        if (s.matches("[rwx]+")) {
            long m = 0;
            if (s.indexOf('r') >= 0) m |= 4;
            if (s.indexOf('w') >= 0) m |= 2;
            if (s.indexOf('x') >= 0) m |= 1;
            return m;
        }
        return subVars(s);
    }

    private Slice slice(String s) throws ScenarioError {
        String[] p = s.split(":", -1);
        long[] f = new long[p.length];
        for (int i = 0; i < p.length; i++) f[i] = subVars(p[i]);
        if (f.length == 3) return new Slice(f[0], (int) f[1], (int) f[2], 0, (int) f[2]);
        if (f.length == 5) return new Slice(f[0], (int) f[1], (int) f[4], (int) f[3], (int) f[2]);
        throw new ScenarioError("bad slice '" + s + "'");
    }

    private List<Slice> sliceList(String value) throws ScenarioError {
        List<Slice> out = new ArrayList<>();
        if (value.isEmpty()) return out;
        for (String x : value.split(",", -1)) out.add(slice(x));
        return out;
    }

    /** An inode: /a/b, $var/a/b or #N/a/b, resolved by lookups as root (symlinks not followed). */
    private long target(String tok) throws ScenarioError {
        String[] parts = tok.split("/", -1);
        String first = parts[0];
        long ino;
        if (first.isEmpty()) {
            ino = FsMeta.ROOT_INO;
        } else if (first.startsWith("$")) {
            ino = subVars(first);
        } else if (first.startsWith("#")) {
            ino = parseInt(first.substring(1));
        } else {
            throw new ScenarioError("bad target '" + tok + "'");
        }
        FsMeta root = engine();
        for (int i = 1; i < parts.length; i++) {
            byte[] n = decode(parts[i]);
            if (n.length == 0) continue;
            try {
                ino = root.lookup(CallerContext.ROOT, ino, n).ino();
            } catch (IOException e) {
                throw new ScenarioError("target " + tok + ": lookup '" + show(n) + "': " + e.getMessage());
            }
        }
        return ino;
    }

    /** A parent/name argument, split at its last raw '/'. */
    private Object[] parentName(String tok) throws ScenarioError {
        int slash = tok.lastIndexOf('/');
        if (slash < 0) return new Object[] {FsMeta.ROOT_INO, decode(tok)};
        String head = tok.substring(0, slash);
        long parent = head.isEmpty() ? FsMeta.ROOT_INO : target(head);
        return new Object[] {parent, decode(tok.substring(slash + 1))};
    }

    // ---- running

    private List<String> run() throws IOException {
        String text = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            String trimmed = line.strip();
            if (trimmed.isEmpty()) continue;
            String[] toks = WS.split(trimmed);
            if (toks[0].startsWith("#")) continue;
            try {
                line(toks);
            } catch (ScenarioError e) {
                fail(n + 1, e.getMessage(), line);
            } catch (RuntimeException e) {
                fail(n + 1, "exception: " + e, line);
            }
        }
        if (fs != null) {
            try {
                fs.fsck();
            } catch (IOException e) {
                fail(lines.length, "fsck after the file: " + e.getMessage(), "(end of file)");
            } finally {
                fs.close();
            }
        }
        return failures;
    }

    private void fail(int lineno, String msg, String text) {
        failures.add(name + ":" + lineno + ": " + msg + "\n    | " + text.strip());
    }

    private static CallerContext callerFrom(String[] toks, int from) throws ScenarioError {
        Map<String, String> kv = new HashMap<>();
        for (int i = from; i < toks.length; i++) {
            String t = toks[i];
            int eq = t.indexOf('=');
            String k = eq < 0 ? "" : t.substring(0, eq);
            if (!Set.of("uid", "gid", "groups", "umask").contains(k)) {
                throw new ScenarioError("bad caller field '" + t + "'");
            }
            kv.put(k, t.substring(eq + 1));
        }
        List<Integer> groups = new ArrayList<>();
        if (kv.containsKey("groups")) {
            for (String g : kv.get("groups").split(",")) {
                if (!g.isEmpty()) groups.add((int) parseInt(g));
            }
        }
        int uid = (int) parseInt(kv.getOrDefault("uid", "0"));
        int gid = (int) parseInt(kv.getOrDefault("gid", "0"));
        int umask = (int) parseInt(kv.getOrDefault("umask", "0"));
        if (uid == 0 && gid == 0 && umask == 0 && groups.isEmpty()) return CallerContext.ROOT;
        int[] g = groups.stream().mapToInt(Integer::intValue).toArray();
        try {
            return CallerContext.of(uid, gid, umask, g);
        } catch (IllegalArgumentException e) {
            throw new ScenarioError("bad caller: " + e.getMessage());
        }
    }

    private void line(String[] toks) throws ScenarioError {
        String kw = toks[0];
        if (kw.equals("user")) {
            if (toks.length < 2) throw new ScenarioError("user without a name");
            users.put(toks[1], callerFrom(toks, 2));
            return;
        }
        if (kw.equals("as")) {
            if (toks.length == 2 && toks[1].indexOf('=') < 0) {
                CallerContext c = users.get(toks[1]);
                if (c == null) throw new ScenarioError("unknown user " + toks[1]);
                current = c;
            } else {
                current = callerFrom(toks, 1);
            }
            return;
        }
        if (kw.equals("option")) {
            if (fs != null) throw new ScenarioError("option after the first operation");
            for (int i = 1; i < toks.length; i++) {
                int eq = toks[i].indexOf('=');
                String k = eq < 0 ? toks[i] : toks[i].substring(0, eq);
                if (eq < 0 || !(k.equals("maxinodes") || k.equals("capacity"))) {
                    throw new ScenarioError("unknown option " + toks[i]);
                }
                options.put(k, parseInt(toks[i].substring(eq + 1)));
            }
            return;
        }
        CallerContext caller = current;
        int i = 0;
        if (toks[0].startsWith("@")) {
            caller = users.get(toks[0].substring(1));
            if (caller == null) throw new ScenarioError("unknown user " + toks[0]);
            i = 1;
        }
        if (i >= toks.length) throw new ScenarioError("no operation");
        int repeat = -1;
        if (toks[i].equals("repeat")) {
            if (i + 1 >= toks.length) throw new ScenarioError("repeat without a count");
            repeat = (int) parseInt(toks[i + 1]);
            i += 2;
        }
        if (i >= toks.length) throw new ScenarioError("no operation");
        String op = toks[i];
        if (!OP_KIND.containsKey(op)) throw new ScenarioError("unknown operation '" + op + "'");
        int arrow = -1;
        for (int j = i + 1; j < toks.length; j++) {
            if (toks[j].equals("=>")) {
                arrow = j;
                break;
            }
        }
        if (arrow < 0) throw new ScenarioError("no =>");
        if (arrow + 1 >= toks.length) throw new ScenarioError("nothing after =>");
        List<String> args = Arrays.asList(toks).subList(i + 1, arrow);
        String expect = toks[arrow + 1];
        List<String> checks = Arrays.asList(toks).subList(arrow + 2, toks.length);
        if (!expect.equals("ok") && !checks.isEmpty()) throw new ScenarioError("checks after an errno");
        opno++;
        if (!expect.equals("ok") && Status.of(-errnoGuard(expect)) == Status.UNKNOWN) {
            throw new ScenarioError("unknown errno " + expect);
        }
        FsMeta db = engine();
        try {
            db.setTestTime(T0 + opno * SEC);
        } catch (IOException e) {
            throw new ScenarioError("setTestTime: " + e.getMessage());
        }
        int n = repeat < 0 ? 1 : repeat;
        for (int rep = 0; rep < n; rep++) {
            List<String> a = args, c = checks;
            if (repeat >= 0) {
                a = substitute(args, rep);
                c = substitute(checks, rep);
            }
            one(caller, op, a, expect, c, repeat < 0 ? "" : " (repetition " + rep + ")");
        }
    }

    /** The errno value of a name (via Status), or a value no Status has. */
    private static int errnoGuard(String name) {
        try {
            Status s = Status.valueOf(name);
            return s.errno() > 0 ? s.errno() : 100000;
        } catch (IllegalArgumentException e) {
            return 100000;
        }
    }

    private static List<String> substitute(List<String> toks, int rep) {
        List<String> out = new ArrayList<>(toks.size());
        String r = Matcher.quoteReplacement(Integer.toString(rep));
        for (String t : toks) out.add(REP_RE.matcher(t).replaceAll(r));
        return out;
    }

    private void one(CallerContext caller, String op, List<String> args, String expect, List<String> checks,
            String where) throws ScenarioError {
        Call call = prepare(op, args, caller);
        Object result = null;
        String got;
        IOException err = null;
        try {
            result = call.run();
            got = "ok";
        } catch (IOException e) {
            Status s = FsMetaException.statusOf(e);
            if (s == Status.UNKNOWN || s.errno() == 0) {
                throw new ScenarioError(op + where + ": library failure: " + e.getMessage());
            }
            got = s.name();
            err = e;
        } catch (IllegalStateException | IllegalArgumentException | NullPointerException e) {
            throw new ScenarioError(op + where + ": library failure: " + e);
        }
        if (!got.equals(expect)) {
            throw new ScenarioError(op + " " + String.join(" ", args) + where + ": got " + got + ", want " + expect
                    + (err != null ? ": " + err.getMessage() : ""));
        }
        if (got.equals("ok")) {
            for (String chk : checks) check(OP_KIND.get(op), result, chk, op, where);
        }
    }

    // ---- operations

    private void need(String op, List<String> a, int lo, int hi) throws ScenarioError {
        if (a.size() < lo || a.size() > hi) {
            throw new ScenarioError(op + ": " + a.size() + " arguments, want " + lo + ".." + hi);
        }
    }

    private Call prepare(String op, List<String> a, CallerContext c) throws ScenarioError {
        FsMeta db = engine();
        switch (op) {
            case "lookup": {
                need(op, a, 1, 1);
                Object[] pn = parentName(a.get(0));
                return () -> db.lookup(c, (Long) pn[0], (byte[]) pn[1]);
            }
            case "getattr": {
                need(op, a, 1, 1);
                long t = target(a.get(0));
                return () -> db.getattr(c, t);
            }
            case "access": {
                need(op, a, 2, 2);
                long t = target(a.get(0));
                int m = (int) accessMask(a.get(1));
                return () -> {
                    db.access(c, t, m);
                    return null;
                };
            }
            case "setattr": {
                need(op, a, 1, Integer.MAX_VALUE);
                long t = target(a.get(0));
                SetAttr.Builder b = SetAttr.builder();
                for (String item : a.subList(1, a.size())) {
                    int eq = item.indexOf('=');
                    String k = eq < 0 ? item : item.substring(0, eq);
                    String v = eq < 0 ? "" : item.substring(eq + 1);
                    switch (eq < 0 ? "" : k) {
                        case "mode" -> b.mode((int) words(v, MODE_WORDS));
                        case "uid" -> b.uid((int) subVars(v));
                        case "gid" -> b.gid((int) subVars(v));
                        case "size" -> b.size(subVars(v));
                        case "atime" -> {
                            if (v.equals("now")) b.atimeNow();
                            else b.atime(subVars(v));
                        }
                        case "mtime" -> {
                            if (v.equals("now")) b.mtimeNow();
                            else b.mtime(subVars(v));
                        }
                        case "ctime" -> b.ctime(subVars(v));
                        case "flags" -> b.flags((int) words(v, NODE_FLAGS));
                        case "mask" -> b.rawMask((int) subVars(v));
                        default -> throw new ScenarioError("unknown setattr key '" + item + "'");
                    }
                }
                SetAttr s = b.build();
                return () -> db.setattr(c, t, s);
            }
            case "chmod": {
                need(op, a, 2, 2);
                long t = target(a.get(0));
                int m = (int) words(a.get(1), MODE_WORDS);
                return () -> db.chmod(c, t, m);
            }
            case "chown": {
                need(op, a, 3, 3);
                long t = target(a.get(0));
                int u = (int) subVars(a.get(1)), g = (int) subVars(a.get(2));
                return () -> db.chown(c, t, u, g);
            }
            case "truncate": {
                need(op, a, 2, 2);
                long t = target(a.get(0));
                long sz = subVars(a.get(1));
                return () -> db.truncate(c, t, sz);
            }
            case "mknod": {
                need(op, a, 2, 3);
                Object[] pn = parentName(a.get(0));
                int m = (int) words(a.get(1), MODE_WORDS);
                int rdev = a.size() > 2 ? (int) subVars(a.get(2)) : 0;
                return () -> db.mknod(c, (Long) pn[0], (byte[]) pn[1], m, rdev);
            }
            case "create": {
                need(op, a, 2, 2);
                Object[] pn = parentName(a.get(0));
                int m = Attr.S_IFREG | ((int) words(a.get(1), MODE_WORDS) & 07777);
                return () -> db.create(c, (Long) pn[0], (byte[]) pn[1], m);
            }
            case "mkdir": {
                need(op, a, 2, 2);
                Object[] pn = parentName(a.get(0));
                int m = (int) words(a.get(1), MODE_WORDS);
                return () -> db.mkdir(c, (Long) pn[0], (byte[]) pn[1], m);
            }
            case "symlink": {
                need(op, a, 2, 2);
                Object[] pn = parentName(a.get(0));
                byte[] tg = decode(a.get(1));
                return () -> db.symlink(c, (Long) pn[0], (byte[]) pn[1], tg);
            }
            case "readlink": {
                need(op, a, 1, 1);
                long t = target(a.get(0));
                return () -> db.readlinkBytes(c, t);
            }
            case "link": {
                need(op, a, 2, 2);
                long t = target(a.get(0));
                Object[] pn = parentName(a.get(1));
                return () -> db.link(c, t, (Long) pn[0], (byte[]) pn[1]);
            }
            case "unlink":
            case "rmdir": {
                need(op, a, 1, 1);
                Object[] pn = parentName(a.get(0));
                boolean un = op.equals("unlink");
                return () -> {
                    if (un) db.unlink(c, (Long) pn[0], (byte[]) pn[1]);
                    else db.rmdir(c, (Long) pn[0], (byte[]) pn[1]);
                    return null;
                };
            }
            case "rename": {
                need(op, a, 2, 3);
                Object[] p1 = parentName(a.get(0));
                Object[] p2 = parentName(a.get(1));
                int fl = a.size() > 2 ? (int) words(a.get(2), RENAME_FLAGS) : 0;
                return () -> {
                    db.rename(c, (Long) p1[0], (byte[]) p1[1], (Long) p2[0], (byte[]) p2[1], fl);
                    return null;
                };
            }
            case "readdir": {
                need(op, a, 1, 3);
                long t = target(a.get(0));
                boolean plus = false;
                for (String x : a.subList(1, a.size())) {
                    if (x.equals("plus")) plus = true;
                    else if (x.startsWith("max=")) parseInt(x.substring(4)); // a stream: no batch size to give
                    else throw new ScenarioError("bad readdir argument '" + x + "'");
                }
                boolean pl = plus;
                return () -> readdir(db, c, t, pl);
            }
            case "statfs": {
                need(op, a, 0, 0);
                return () -> db.statfs(c);
            }
            case "getxattr": {
                need(op, a, 2, 2);
                long t = target(a.get(0));
                byte[] n = decode(a.get(1));
                return () -> db.getxattr(c, t, n);
            }
            case "setxattr": {
                need(op, a, 3, 4);
                long t = target(a.get(0));
                byte[] n = decode(a.get(1)), v = decode(a.get(2));
                int fl = a.size() > 3 ? (int) words(a.get(3), XATTR_FLAGS) : 0;
                return () -> {
                    db.setxattr(c, t, n, v, fl);
                    return null;
                };
            }
            case "listxattr": {
                need(op, a, 1, 1);
                long t = target(a.get(0));
                return () -> db.listxattrBytes(c, t);
            }
            case "removexattr": {
                need(op, a, 2, 2);
                long t = target(a.get(0));
                byte[] n = decode(a.get(1));
                return () -> {
                    db.removexattr(c, t, n);
                    return null;
                };
            }
            case "fallocate": {
                need(op, a, 4, 4);
                long t = target(a.get(0));
                int m = (int) words(a.get(1), FALLOC_MODES);
                long off = subVars(a.get(2)), len = subVars(a.get(3));
                return () -> db.fallocate(c, t, m, off, len);
            }
            case "open": {
                need(op, a, 2, 2);
                long t = target(a.get(0));
                int fl = (int) words(a.get(1), OPEN_FLAGS);
                return () -> db.openFile(c, t, fl);
            }
            case "close": {
                need(op, a, 1, 1);
                long t = target(a.get(0));
                return () -> {
                    db.closeFile(c, t);
                    return null;
                };
            }
            case "newslice": {
                need(op, a, 1, 1);
                int n = (int) subVars(a.get(0));
                return () -> db.newSliceId(c, n);
            }
            case "write": {
                need(op, a, 3, 3);
                long t = target(a.get(0));
                int ch = (int) subVars(a.get(1));
                Slice s = slice(a.get(2));
                return () -> db.writeSlice(c, t, ch, s);
            }
            case "readchunk": {
                need(op, a, 2, 2);
                long t = target(a.get(0));
                int ch = (int) subVars(a.get(1));
                return () -> db.readChunk(c, t, ch);
            }
            case "compact": {
                need(op, a, 2, 4);
                long t = target(a.get(0));
                int ch = (int) subVars(a.get(1));
                List<Slice> replaced = new ArrayList<>();
                Slice with = null;
                for (String x : a.subList(2, a.size())) {
                    if (x.startsWith("replaced=")) replaced = sliceList(x.substring("replaced=".length()));
                    else if (x.startsWith("with=")) with = slice(x.substring("with=".length()));
                    else throw new ScenarioError("bad compact argument '" + x + "'");
                }
                List<Slice> r = replaced;
                Slice w = with; // null with replaced given: the API passes a zero slice
                return () -> db.compactChunk(c, t, ch, r, w);
            }
            case "resolve": {
                need(op, a, 1, 2);
                byte[] p = decode(a.get(0));
                if (a.size() > 1 && !a.get(1).equals("follow") && !a.get(1).equals("nofollow")) {
                    throw new ScenarioError("bad resolve flag '" + a.get(1) + "'");
                }
                boolean follow = a.size() > 1 && a.get(1).equals("follow");
                return () -> db.resolve(c, p, follow);
            }
            case "mkdirall": {
                need(op, a, 2, 2);
                byte[] p = decode(a.get(0));
                int m = (int) words(a.get(1), MODE_WORDS);
                return () -> db.mkdirAll(c, p, m);
            }
            case "fsck": {
                need(op, a, 0, 0);
                return () -> {
                    db.fsck();
                    return null;
                };
            }
            default:
                throw new ScenarioError("unknown operation '" + op + "'");
        }
    }

    private List<Entry> readdir(FsMeta db, CallerContext c, long ino, boolean plus)
            throws IOException, ScenarioError {
        List<DirEntry> list = db.readDir(c, ino, plus);
        Set<String> seen = new HashSet<>();
        List<Entry> out = new ArrayList<>();
        for (DirEntry e : list) {
            byte[] n = e.nameBytes();
            if (!seen.add(show(n))) throw new ScenarioError("readdir: name '" + show(n) + "' came twice");
            Attr got;
            try {
                got = db.getattr(CallerContext.ROOT, e.ino());
            } catch (IOException x) {
                throw new ScenarioError("readdir: entry '" + show(n) + "': getattr " + e.ino() + ": " + x.getMessage());
            }
            if (got.type() != e.type()) {
                throw new ScenarioError("readdir: entry '" + show(n) + "': type 0" + Integer.toOctalString(e.type())
                        + ", getattr says 0" + Integer.toOctalString(got.type()));
            }
            if (plus && !got.equals(e.attr())) {
                throw new ScenarioError("readdir plus: entry '" + show(n) + "': " + e.attr() + " != getattr " + got);
            }
            out.add(new Entry(n, e.type(), e.attr()));
        }
        return out;
    }

    // ---- checks

    private static String slicesShow(List<Slice> l) {
        List<String> s = new ArrayList<>();
        for (Slice x : l) s.add(x.id() + ":" + Integer.toUnsignedString(x.pos()) + ":" + Integer.toUnsignedString(x.len())
                + ":" + Integer.toUnsignedString(x.off()) + ":" + Integer.toUnsignedString(x.size()));
        return String.join(",", s);
    }

    private static List<String> sortedShows(List<byte[]> l) {
        List<String> s = new ArrayList<>();
        for (byte[] b : l) s.add(show(b));
        s.sort(null);
        return s;
    }

    @SuppressWarnings("unchecked")
    private void check(String kind, Object result, String chk, String op, String where) throws ScenarioError {
        if (chk.startsWith("$")) {
            String v = chk.substring(1);
            if (kind.equals("attr")) vars.put(v, ((Attr) result).ino());
            else if (kind.equals("id")) vars.put(v, (Long) result);
            else throw new ScenarioError(op + ": cannot bind a " + kind + " result");
            return;
        }
        Matcher m = CHECK_RE.matcher(chk);
        if (!m.matches()) throw new ScenarioError("bad check '" + chk + "'");
        String key = m.group(1), cmp = m.group(2), value = m.group(3);
        if (!KIND_KEYS.get(kind).contains(key)) {
            throw new ScenarioError(op + ": unknown check key '" + key + "' for a " + kind + " result");
        }
        Object got, want;
        switch (kind) {
            case "attr": {
                Attr a = (Attr) result;
                got = attrField(a, key);
                Long w = attrValue(a, key, value);
                if (w == null) return; // a check of the root's open-time stamp
                want = w;
                break;
            }
            case "readlink":
                got = show((byte[]) result);
                want = show(decode(value));
                break;
            case "xattr":
                if (key.equals("value")) {
                    got = show((byte[]) result);
                    want = show(decode(value));
                } else {
                    got = (long) ((byte[]) result).length;
                    want = subVars(value);
                }
                break;
            case "list": {
                List<byte[]> l = (List<byte[]>) result;
                if (key.equals("names")) {
                    List<String> g = new ArrayList<>(), w = new ArrayList<>();
                    for (byte[] b : l) g.add(show(b));
                    for (byte[] b : decodeList(value)) w.add(show(b));
                    got = g;
                    want = w;
                } else {
                    got = (long) l.size();
                    want = subVars(value);
                }
                break;
            }
            case "readdir": {
                List<Entry> l = (List<Entry>) result;
                if (key.equals("names")) {
                    List<byte[]> names = new ArrayList<>();
                    for (Entry e : l) names.add(e.name());
                    got = sortedShows(names);
                    want = sortedShows(decodeList(value));
                } else if (key.equals("entries")) {
                    List<String> g = new ArrayList<>(), w = new ArrayList<>();
                    for (Entry e : l) g.add(show(e.name()) + ":0" + Integer.toOctalString(e.type()));
                    if (!value.isEmpty()) {
                        for (String item : value.split(",", -1)) {
                            int colon = item.lastIndexOf(':');
                            if (colon < 0) throw new ScenarioError("bad entry '" + item + "'");
                            String tw = item.substring(colon + 1);
                            Long t = TYPE_WORDS.get(tw);
                            long tv = t != null ? t : parseInt(tw);
                            w.add(show(decode(item.substring(0, colon))) + ":0" + Long.toOctalString(tv));
                        }
                    }
                    g.sort(null);
                    w.sort(null);
                    got = g;
                    want = w;
                } else {
                    got = (long) l.size();
                    want = subVars(value);
                }
                break;
            }
            case "id":
                got = (Long) result;
                want = subVars(value);
                break;
            case "slices":
            case "dropped": {
                List<Slice> l = (List<Slice>) result;
                if (key.equals("count")) {
                    got = (long) l.size();
                    want = subVars(value);
                } else if (kind.equals("slices")) {
                    got = slicesShow(l);
                    want = slicesShow(sliceList(value));
                } else {
                    List<String> g = new ArrayList<>(Arrays.asList(slicesShow(l).split(",", -1)));
                    List<String> w = new ArrayList<>(Arrays.asList(slicesShow(sliceList(value)).split(",", -1)));
                    g.sort(null);
                    w.sort(null);
                    got = g;
                    want = w;
                }
                break;
            }
            case "statfs": {
                StatFs s = (StatFs) result;
                got = switch (key) {
                    case "total" -> s.totalSpace();
                    case "avail" -> s.availSpace();
                    case "used" -> s.usedSpace();
                    case "inodes" -> s.inodes();
                    default -> s.availInodes();
                };
                want = subVars(value);
                break;
            }
            default:
                throw new ScenarioError("no checks for " + kind);
        }
        boolean ok;
        switch (cmp) {
            case "=" -> ok = got.equals(want);
            case "!=" -> ok = !got.equals(want);
            default -> {
                if (!(got instanceof Long) || !(want instanceof Long)) {
                    throw new ScenarioError(op + ": " + key + cmp + " on a non-number");
                }
                int r = Long.compare((Long) got, (Long) want);
                ok = switch (cmp) {
                    case "<" -> r < 0;
                    case ">" -> r > 0;
                    case "<=" -> r <= 0;
                    default -> r >= 0;
                };
            }
        }
        if (!ok) {
            String g = got instanceof Long && (Long) got > 0777 && (Long) got < 01000000
                    ? got + " (0" + Long.toOctalString((Long) got) + ")" : String.valueOf(got);
            throw new ScenarioError(op + where + ": check " + chk + " failed: got " + g + ", want " + cmp + want);
        }
    }

    private static long u(int v) {
        return Integer.toUnsignedLong(v);
    }

    static long attrField(Attr a, String key) {
        return switch (key) {
            case "ino" -> a.ino();
            case "mode" -> u(a.mode());
            case "perm" -> a.mode() & 07777;
            case "type" -> a.mode() & Attr.S_IFMT;
            case "nlink" -> u(a.nlink());
            case "uid" -> u(a.uid());
            case "gid" -> u(a.gid());
            case "rdev" -> u(a.rdev());
            case "flags" -> u(a.flags());
            case "size" -> a.size();
            case "blocks" -> a.blocks();
            case "atime" -> a.atimeNs();
            case "mtime" -> a.mtimeNs();
            case "ctime" -> a.ctimeNs();
            default -> throw new IllegalArgumentException(key);
        };
    }

    /** The wanted value of an attr check; null to skip (the root's time from the real clock at open). */
    private Long attrValue(Attr a, String key, String value) throws ScenarioError {
        if (TIME_KEYS.contains(key)) {
            if (TIME_KEYS.contains(value)) return attrField(a, value);
            if (a.ino() == FsMeta.ROOT_INO && stampedAtOpen(attrField(a, key))) return null;
            if (value.equals("now")) return T0 + opno * SEC;
            if (value.startsWith("now-")) return T0 + (opno - parseInt(value.substring(4))) * SEC;
            return subVars(value);
        }
        switch (key) {
            case "mode":
            case "perm":
                return words(value, MODE_WORDS);
            case "type": {
                Long t = TYPE_WORDS.get(value);
                return t != null ? t : parseInt(value);
            }
            case "flags":
                return words(value, NODE_FLAGS);
            default:
                return subVars(value);
        }
    }

    /** Whether a time is outside the scenario clock's range (so from the real clock, at open). */
    private static boolean stampedAtOpen(long t) {
        return t < T0 || t > T0 + 1_000_000L * SEC;
    }
}
