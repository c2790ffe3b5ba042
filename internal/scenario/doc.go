// Package scenario parses and runs the language-neutral scenario files of
// testdata/ (*.scn) against an fsmeta DB. testdata/README.md is the
// reference of the format, for this runner and for the C, Java and Python
// ones: one operation per line, with its caller, its arguments, and the
// expected result ("ok" plus checks, or an errno name).
//
//	user alice uid=1000 gid=1000 umask=022
//	mkdir /tmp sticky|0777 => ok $tmp nlink=2
//	@alice create /tmp/a 0666 => ok perm=0644 uid=1000 mtime=now
//	@bob unlink /tmp/a => EPERM
//
// Run opens a fresh in-memory DB with a deterministic clock for every file,
// runs its lines in order and reports every failure as file:line.
package scenario
