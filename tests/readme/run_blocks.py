#!/usr/bin/env python3
"""Run every code block of the READMEs as written, so that an example that breaks fails the build.

Usage: run_blocks.py --root REPO --out DIR [--only LANG,...] [FILE.md ...]

A fenced block's language says what happens to it:

  go       a whole program: a module in DIR/go-N with a replace directive to REPO (as README.md tells a user to
           write), then `go run .`
  c, cpp   a whole program: compiled with `pkg-config --cflags --libs fsmeta` against the library installed with
           `cmake --install build/c --prefix DIR/prefix`, run with LD_LIBRARY_PATH=DIR/prefix/lib (README.md's steps)
  java     a whole source file: `java -cp java/target/fsmeta-1.0.0.jar File.java`
  python   a whole script: build/venv/bin/python (which has the wheel installed: ./build.sh test installs it first)
  sh       checked with `bash -n` (syntax only: these are the build commands themselves)

Blocks without a language (grammars, sample output, scenario text) are not code and are left alone. A block may
opt out only with an HTML comment on the line before it: <!-- readme-blocks: skip (the reason) -->, and the reason
is printed. Each program must exit 0 within 120 s; its output is printed.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

DEFAULT_FILES = ["README.md", "python/README.md", "java/README.md", "capi/README.md", "testdata/README.md"]
FENCE = re.compile(r"^```(\S*)\s*$")
SKIP = re.compile(r"<!--\s*readme-blocks:\s*skip\s*\((.+)\)\s*-->")


def blocks(path):
    """Yield (line, lang, text, skip_reason) for every fenced block of path."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang, start = m.group(1), i
        j = i + 1
        while j < len(lines) and lines[j].rstrip() != "```":
            j += 1
        if j == len(lines):
            raise SystemExit("%s:%d: unterminated code block" % (path, start + 1))
        reason = None
        if start > 0:
            s = SKIP.search(lines[start - 1])
            if s:
                reason = s.group(1)
        yield start + 1, lang, "\n".join(lines[i + 1:j]) + "\n", reason
        i = j + 1


def run(cmd, cwd=None, env=None, timeout=120):
    t0 = time.time()
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    out = p.stdout.decode(errors="replace")
    if p.returncode != 0:
        raise RuntimeError("%s exited %d after %.1f s:\n%s" % (" ".join(cmd), p.returncode, time.time() - t0, out))
    return out


class Runner:
    def __init__(self, root, out):
        self.root, self.out = root, out
        self.prefix = None
        self.n = 0

    def workdir(self, lang):
        self.n += 1
        d = os.path.join(self.out, "%s-%d" % (lang, self.n))
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return d

    def go(self, text):
        d = self.workdir("go")
        with open(os.path.join(d, "main.go"), "w") as f:
            f.write(text)
        run(["go", "mod", "init", "example.com/readme"], cwd=d)
        run(["go", "mod", "edit", "-require", "github.com/fsmeta/fsmeta@v0.0.0",
             "-replace", "github.com/fsmeta/fsmeta=" + self.root], cwd=d)
        # The checkout's go.sum has every sum the SDK's dependencies need; `go mod tidy` would work too, but may
        # ask the proxy for modules only tests of dependencies use.
        shutil.copy(os.path.join(self.root, "go.sum"), os.path.join(d, "go.sum"))
        env = dict(os.environ, GOFLAGS="-mod=mod")
        return run(["go", "run", "."], cwd=d, env=env, timeout=300)

    def install(self):
        if self.prefix is None:
            prefix = os.path.join(self.out, "prefix")
            shutil.rmtree(prefix, ignore_errors=True)
            run(["cmake", "--install", os.path.join(self.root, "build", "c"), "--prefix", prefix])
            self.prefix = prefix
        return self.prefix

    def native(self, text, lang):
        prefix = self.install()
        d = self.workdir(lang)
        src = os.path.join(d, "hello." + ("c" if lang == "c" else "cpp"))
        with open(src, "w") as f:
            f.write(text)
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(prefix, "lib", "pkgconfig"))
        flags = run(["pkg-config", "--cflags", "--libs", "fsmeta"], env=env).split()
        cc = ["cc", "-std=c11"] if lang == "c" else ["c++", "-std=c++17"]
        run(cc + ["-Wall", "-Werror", src] + flags + ["-o", os.path.join(d, "hello")])
        env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(prefix, "lib"))
        return run([os.path.join(d, "hello")], env=env)

    def java(self, text):
        m = re.search(r"public\s+(?:final\s+)?class\s+(\w+)", text)
        if not m:
            raise RuntimeError("a java block needs a public class")
        d = self.workdir("java")
        src = os.path.join(d, m.group(1) + ".java")
        with open(src, "w") as f:
            f.write(text)
        jar = os.path.join(self.root, "java", "target", "fsmeta-1.0.0.jar")
        return run(["java", "-cp", jar, src], cwd=d)

    def python(self, text):
        d = self.workdir("python")
        src = os.path.join(d, "example.py")
        with open(src, "w") as f:
            f.write(text)
        py = os.path.join(self.root, "build", "venv", "bin", "python")
        env = {k: v for k, v in os.environ.items() if k not in ("FSMETA_LIBRARY", "PYTHONPATH")}
        return run([py, src], cwd=d, env=env)

    def sh(self, text):
        return run(["bash", "-n", "-c", text])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", default="", help="comma-separated languages to run (default: all)")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    os.makedirs(args.out, exist_ok=True)
    r = Runner(root, os.path.abspath(args.out))
    only = set(filter(None, args.only.split(",")))
    handlers = {"go": r.go, "c": lambda t: r.native(t, "c"), "cpp": lambda t: r.native(t, "cpp"),
                "java": r.java, "python": r.python, "sh": r.sh}
    ran = failed = 0
    for name in args.files or DEFAULT_FILES:
        path = os.path.join(root, name)
        for line, lang, text, reason in blocks(path):
            where = "%s:%d (%s)" % (name, line, lang or "no language")
            if not lang:
                continue
            if lang not in handlers:
                print("%s: unknown block language; give it one of %s, or none" % (where, ", ".join(handlers)))
                failed += 1
                continue
            if only and lang not in only:
                continue
            if reason is not None:
                print("%s: skipped: %s" % (where, reason))
                continue
            t0 = time.time()
            try:
                out = handlers[lang](text)
            except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
                print("%s: FAILED\n%s" % (where, e))
                failed += 1
                continue
            ran += 1
            print("%s: ok in %.1f s" % (where, time.time() - t0))
            for l in out.strip().split("\n")[-8:]:
                if l:
                    print("    " + l)
    print("readme blocks: %d ran, %d failed" % (ran, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
