// Command fsmeta is the command-line tool of the fsmeta metadata engine.
//
//	fsmeta bench     build a namespace (synthetic or from a listing), measure memory and timed operations
//	fsmeta load      build a namespace from a listing (or a dump), report counts, time and memory, check it
//	fsmeta dump      write a namespace as a dump (line-oriented JSON, docs/dump-format.md)
//	fsmeta snapshot  snapshot a durable data directory now and truncate its log
//	fsmeta check     verify a durable data directory's files and repair what can be repaired
//	fsmeta fsck      check a namespace (built from a listing, synthesized, or a data directory)
//	fsmeta demo      a short tour of the API on a small tree
//	fsmeta version   print the version
//	fsmeta help      help on a command
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
)

// version is set at build time (-ldflags "-X main.version=v1.2.3").
var version = "dev"

type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
	usage   string // synopsis line(s) after "fsmeta NAME"
}

var commands map[string]*command

func init() {
	commands = map[string]*command{
		"bench": {name: "bench", summary: "build a namespace and measure memory and timed metadata operations",
			run: runBench, usage: "[-files N | -paths FILE] [-mode memory|durable -dir DIR] [-threads T] [-ops N] [-phases LIST] [-json] ..."},
		"load": {name: "load", summary: "build a namespace from a listing or a dump; report counts, time and memory; run fsck",
			run: runLoad, usage: "-paths FILE [-on-error stop|skip] [-json] ... | -dump FILE [-fsck=false] [-json]"},
		"dump": {name: "dump", summary: "write a namespace as a dump (line-oriented JSON) that load -dump reads back",
			run: runDump, usage: "[-o FILE] -paths FILE | -files N | -dir DIR"},
		"snapshot": {name: "snapshot", summary: "snapshot a durable data directory now and truncate its log",
			run: runSnapshot, usage: "-dir DIR"},
		"check": {name: "check", summary: "verify a durable data directory's files (checksums, log, snapshots); -repair what can be",
			run: runCheck, usage: "-dir DIR [-repair]"},
		"fsck": {name: "fsck", summary: "check every invariant of a namespace",
			run: runFsck, usage: "-paths FILE | -files N | -dir DIR"},
		"serve": {name: "serve", summary: "serve a durable data directory to remote clients over TCP (one node)",
			run: runServe, usage: "-dir DIR [-init] -token-file FILE [-listen HOST:PORT]"},
		"demo": {name: "demo", summary: "a short tour: build a small tree, list it, print stat lines",
			run: runDemo, usage: ""},
		"version": {name: "version", summary: "print the version", run: runVersion, usage: ""},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage marks an error caused by the command line (exit status 2).
var errUsage = errors.New("usage")

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }
func (e *usageError) Is(t error) bool {
	return t == errUsage
}

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// run executes a command line and returns the exit status: 0, 1 (failure)
// or 2 (bad usage).
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		mainUsage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			c, ok := commands[args[1]]
			if !ok {
				fmt.Fprintf(stderr, "fsmeta help: unknown command %q\n", args[1])
				return 2
			}
			commandHelp(c, stdout)
			return 0
		}
		mainUsage(stdout)
		return 0
	case "-version", "--version":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "fsmeta: unknown command %q\n\n", name)
		mainUsage(stderr)
		return 2
	}
	err := c.run(args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "fsmeta %s: %v\nUsage: fsmeta %s\n(run 'fsmeta help %s' for the flags)\n",
			c.name, err, strings.TrimSpace(c.name+" "+c.usage), c.name)
		return 2
	default:
		// the SDK's errors begin with "fsmeta: ", which the line has already
		fmt.Fprintf(stderr, "fsmeta %s: %s\n", c.name, strings.TrimPrefix(err.Error(), "fsmeta: "))
		return 1
	}
}

func mainUsage(w io.Writer) {
	fmt.Fprintf(w, "fsmeta: an in-memory file-system metadata engine.\n\nUsage: fsmeta COMMAND [flags]\n\nCommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "  %-8s %s\n\nRun 'fsmeta help COMMAND' for a command's flags.\n", "help", "help on a command")
}

// commandHelp prints a command's synopsis, what it does and its flags (by
// running it with -h).
func commandHelp(c *command, w io.Writer) {
	c.run([]string{"-h"}, w, w)
}

// newFlags returns the flag set of command c; -h prints its help (synopsis,
// about, flags) on w.
func newFlags(c string, w io.Writer, about string) *flag.FlagSet {
	fs := flag.NewFlagSet("fsmeta "+c, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintf(w, "Usage: fsmeta %s\n\n%s\n", strings.TrimSpace(c+" "+commands[c].usage), about)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintf(w, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args. -h prints the help and gives flag.ErrHelp; a bad
// flag is a usage error, which run prints once, with the synopsis (the flag
// package's own message and flag list are not printed).
func parseFlags(fs *flag.FlagSet, args []string) error {
	help, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = help
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		help()
		return err
	}
	if err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func versionString() string {
	v := version
	rev := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	return fmt.Sprintf("fsmeta %s%s (%s %s/%s)", v, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", stdout, "Prints the version of fsmeta, the commit it was built from, and Go's version,\noperating system and architecture.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, versionString())
	return nil
}
