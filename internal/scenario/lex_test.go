package scenario

import (
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"abc", "abc"},
		{`\e`, ""},
		{`a\x2fb`, "a/b"},
		{`\x00\xff\xFE`, "\x00\xff\xfe"},
		{`a\\b`, `a\b`},
		{`\{ab*3}`, "ababab"},
		{`x\{\x41*2}y`, "xAAy"},
		{`\{a*b*2}`, "a*ba*b"},
		{`\{z*0}`, ""},
		{`n\i`, "n7"},
		{"é", "é"},
	} {
		got, err := decode(tc.in, 7)
		if err != nil || got != tc.out {
			t.Errorf("decode(%q) = %q, %v; want %q", tc.in, got, err, tc.out)
		}
	}
	if s, _ := decode(`\{a*256}`, -1); len(s) != 256 {
		t.Errorf("repeat: len %d", len(s))
	}
	for _, bad := range []string{`\`, `a\`, `\q`, `\x1`, `\xzz`, `\{ab}`, `\{a*x}`, `\{a*3`, `\i`, `\{a*-1}`} {
		if _, err := decode(bad, -1); err == nil {
			t.Errorf("decode(%q): no error", bad)
		}
	}
}

func TestParseUint(t *testing.T) {
	for in, want := range map[string]uint64{"0": 0, "10": 10, "010": 8, "0755": 0o755, "0x1F": 31, "18446744073709551615": 1<<64 - 1} {
		if got, err := parseUint(in); err != nil || got != want {
			t.Errorf("parseUint(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if v, err := parseWords("dir|sticky|0755", modeWords); err != nil || v != 0o41755 {
		t.Errorf("parseWords: %o, %v", v, err)
	}
	if v, err := parseAccess("rx"); err != nil || v != 5 {
		t.Errorf("parseAccess: %d, %v", v, err)
	}
}

func TestParse(t *testing.T) {
	src := `# comment
user alice uid=1000 gid=1000 groups=1,2 umask=022
option maxinodes=10

as alice
@root repeat 3 create /d/n\i 0644 => ok $x mode=reg|0644 mtime=now
lookup /d/x => ENOENT
`
	f, err := Parse("t.scn", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if f.Options["maxinodes"] != 10 || len(f.Lines) != 4 {
		t.Fatalf("options %v, %d lines", f.Options, len(f.Lines))
	}
	ln := f.Lines[2]
	if ln.Caller != "root" || ln.Repeat != 3 || ln.Op != "create" || ln.Want != "ok" || len(ln.Checks) != 3 || ln.Checks[0].Bind != "x" {
		t.Fatalf("line %+v", ln)
	}
	for _, bad := range []string{
		"frobnicate /x => ok",
		"lookup /x",
		"lookup /x =>",
		"lookup /x => ENOPE",
		"lookup /x => ENOENT ino=1",
		"lookup => ok",
		"lookup /x => ok colour=red",
		"unlink /x => ok $x",
		"lookup /x => ok ino",
		"lookup /\\q => ok",
		"create /a 0644 => ok\noption maxinodes=3",
		"user bob uid=x",
		"repeat 0 lookup /x => ok",
	} {
		if _, err := Parse("bad.scn", strings.NewReader(bad)); err == nil {
			t.Errorf("Parse(%q): no error", bad)
		}
	}
}

// FuzzDecode checks that decoding never panics and that plain text decodes
// to itself.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`a\x2fb`, `\{a*3}`, `\e`, `\\`, `\i`, `\{x`, `é`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 64 {
			return
		}
		out, err := decode(s, 1)
		if !strings.Contains(s, `\`) && (err != nil || out != s) {
			t.Fatalf("decode(%q) = %q, %v", s, out, err)
		}
		if _, err := Parse("fuzz.scn", strings.NewReader(s)); err != nil {
			return
		}
	})
}
