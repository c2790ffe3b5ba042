package scenario

import (
	"fmt"
	"strconv"
	"strings"
)

// fields splits a line into tokens at runs of spaces and tabs.
func fields(line string) []string {
	return strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' })
}

// decode turns the text of a token (or a part of one) into the bytes it
// stands for: \\ is a backslash, \xHH a byte, \e nothing, \{TEXT*N} TEXT
// repeated N times, \i the index of the current repetition (idx < 0: not in
// a repeat line, an error). Every other byte stands for itself.
// maxRepeat bounds what one \{TEXT*N} may produce (scenarios need up to an
// xattr value of 64 KiB + 1; the bound keeps a hostile line cheap).
const maxRepeat = 1 << 20

func decode(s string, idx int) (string, error) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) {
			return "", fmt.Errorf("%q: lone backslash at the end", s)
		}
		i++
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'e':
		case 'i':
			if idx < 0 {
				return "", fmt.Errorf("%q: \\i outside a repeat line", s)
			}
			b.WriteString(strconv.Itoa(idx))
		case 'x':
			if i+2 >= len(s) {
				return "", fmt.Errorf("%q: \\x needs two hex digits", s)
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", fmt.Errorf("%q: bad \\x escape", s)
			}
			b.WriteByte(byte(v))
			i += 2
		case '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("%q: \\{ without }", s)
			}
			body := s[i+1 : i+end]
			star := strings.LastIndexByte(body, '*')
			if star < 0 {
				return "", fmt.Errorf("%q: \\{TEXT*N} needs a *N", s)
			}
			n, err := strconv.Atoi(body[star+1:])
			if err != nil || n < 0 || n > maxRepeat {
				return "", fmt.Errorf("%q: bad repeat count %q", s, body[star+1:])
			}
			text, err := decode(body[:star], idx)
			if err != nil {
				return "", err
			}
			if len(text)*n > maxRepeat || b.Len()+len(text)*n > maxRepeat {
				return "", fmt.Errorf("%q: repeat longer than %d bytes", s, maxRepeat)
			}
			b.WriteString(strings.Repeat(text, n))
			i += end
		default:
			return "", fmt.Errorf("%q: unknown escape \\%c", s, s[i])
		}
	}
	return b.String(), nil
}

// splitList splits a list value at raw commas and decodes each item. An
// empty value is the empty list.
func splitList(s string, idx int) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		d, err := decode(p, idx)
		if err != nil {
			return nil, err
		}
		parts[i] = d
	}
	return parts, nil
}

// parseUint reads an integer the way C's strtoull(s, NULL, 0) does: 0x
// hexadecimal, a leading 0 octal, else decimal.
func parseUint(s string) (uint64, error) {
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		return strconv.ParseUint(s[2:], 16, 64)
	case len(s) > 1 && s[0] == '0':
		return strconv.ParseUint(s[1:], 8, 64)
	}
	return strconv.ParseUint(s, 10, 64)
}

// parseInt is parseUint with an optional leading minus sign.
func parseInt(s string) (int64, error) {
	if strings.HasPrefix(s, "-") {
		v, err := parseUint(s[1:])
		return -int64(v), err
	}
	v, err := parseUint(s)
	return int64(v), err
}

// Symbol tables of the words that may stand for numbers, joined with '|'.
var (
	modeWords = map[string]uint64{
		"reg": 0o100000, "dir": 0o40000, "lnk": 0o120000, "fifo": 0o10000, "sock": 0o140000,
		"chr": 0o20000, "blk": 0o60000, "suid": 0o4000, "sgid": 0o2000, "sticky": 0o1000,
	}
	typeWords   = map[string]uint64{"reg": 0o100000, "dir": 0o40000, "lnk": 0o120000, "fifo": 0o10000, "sock": 0o140000, "chr": 0o20000, "blk": 0o60000}
	flagWords   = map[string]uint64{"none": 0, "immutable": 1, "append": 2}
	openWords   = map[string]uint64{"rdonly": 0, "wronly": 1, "rdwr": 2, "trunc": 0o1000, "append": 0o2000}
	renameWords = map[string]uint64{"none": 0, "noreplace": 1, "exchange": 2}
	xattrWords  = map[string]uint64{"none": 0, "create": 1, "replace": 2}
	fallocWords = map[string]uint64{"none": 0, "keepsize": 0x01, "punchhole": 0x02, "zerorange": 0x10}
)

// parseWords reads an '|'-joined union of words of table and integers.
func parseWords(s string, table map[string]uint64) (uint64, error) {
	var v uint64
	for _, p := range strings.Split(s, "|") {
		if w, ok := table[p]; ok {
			v |= w
			continue
		}
		n, err := parseUint(p)
		if err != nil {
			return 0, fmt.Errorf("%q: not a number or a known word", p)
		}
		v |= n
	}
	return v, nil
}

// parseAccess reads an access mask: "f" (F_OK), letters of "rwx", or a number.
func parseAccess(s string) (uint64, error) {
	if s == "f" {
		return 0, nil
	}
	if strings.Trim(s, "rwx") == "" && s != "" {
		var v uint64
		for _, c := range s {
			v |= map[rune]uint64{'r': 4, 'w': 2, 'x': 1}[c]
		}
		return v, nil
	}
	return parseUint(s)
}

// typeName is the word for the S_IFMT bits of mode.
func typeName(mode uint32) string {
	for w, v := range typeWords {
		if uint64(mode&0o170000) == v {
			return w
		}
	}
	return fmt.Sprintf("0%o", mode&0o170000)
}
