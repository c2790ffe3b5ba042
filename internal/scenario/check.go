package scenario

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/fsmeta/fsmeta/core/meta"
)

// check evaluates one expectation against res; it returns "" when it holds,
// else a message.
func (r *runner) check(ln *Line, res *result, ck Check, idx int) string {
	k := ops[ln.Op].kind
	if ck.Bind != "" {
		if k == kSlice {
			r.vars[ck.Bind] = res.id
		} else {
			r.vars[ck.Bind] = uint64(res.attr.Ino)
		}
		return ""
	}
	switch ck.Key {
	case "target", "value":
		want, err := decode(ck.Val, idx)
		if err != nil {
			return err.Error()
		}
		if res.str != want {
			return fmt.Sprintf("%s: got %q, want %q", ck.Key, short(res.str), short(want))
		}
		return ""
	case "names":
		want, err := splitList(ck.Val, idx)
		if err != nil {
			return err.Error()
		}
		got := res.names
		if k == kReaddir {
			got = nil
			for _, e := range res.entries {
				got = append(got, e.Name)
			}
			sort.Strings(got)
			sort.Strings(want)
		}
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") || len(got) != len(want) {
			return fmt.Sprintf("names: got %q, want %q", got, want)
		}
		return ""
	case "entries":
		var got, want []string
		for _, e := range res.entries {
			got = append(got, e.Name+":"+typeName(e.Type))
		}
		for _, item := range strings.Split(ck.Val, ",") {
			if item == "" {
				continue
			}
			j := strings.LastIndexByte(item, ':')
			if j < 0 {
				return fmt.Sprintf("entries: %q is not NAME:TYPE", item)
			}
			name, err := decode(item[:j], idx)
			if err != nil {
				return err.Error()
			}
			want = append(want, name+item[j:])
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			return fmt.Sprintf("entries: got %q, want %q", got, want)
		}
		return ""
	case "slices", "dropped":
		var want []string
		a := args{r: r, idx: idx}
		if ck.Val != "" {
			for _, s := range strings.Split(ck.Val, ",") {
				want = append(want, fmtSlice(a.parseSlice(s)))
			}
		}
		if a.err != nil {
			return a.err.Error()
		}
		var got []string
		for _, s := range res.slices {
			got = append(got, fmtSlice(s))
		}
		if ck.Key == "dropped" {
			sort.Strings(got)
			sort.Strings(want)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			return fmt.Sprintf("%s: got [%s], want [%s]", ck.Key, strings.Join(got, ","), strings.Join(want, ","))
		}
		return ""
	}
	got, ok := r.numField(k, res, ck.Key)
	if !ok {
		return fmt.Sprintf("check %q does not apply to %s", ck.Key, ln.Op)
	}
	want, err := r.numValue(k, res, ck.Key, ck.Val)
	if err != nil {
		return err.Error()
	}
	var holds bool
	switch ck.Cmp {
	case "=":
		holds = got == want
	case "!=":
		holds = got != want
	case "<":
		holds = got < want
	case ">":
		holds = got > want
	case "<=":
		holds = got <= want
	case ">=":
		holds = got >= want
	}
	if !holds {
		return fmt.Sprintf("%s: got %s, want %s %s (%s)", ck.Key, r.fmtNum(ck.Key, got), ck.Cmp, r.fmtNum(ck.Key, want), ck.Val)
	}
	return ""
}

func short(s string) string {
	if len(s) > 80 {
		return s[:40] + fmt.Sprintf("...(%d bytes)...", len(s)) + s[len(s)-20:]
	}
	return s
}

func fmtSlice(s meta.Slice) string {
	return fmt.Sprintf("%d:%d:%d:%d:%d", s.ID, s.Pos, s.Len, s.Off, s.Size)
}

func (r *runner) fmtNum(key string, v int64) string {
	switch key {
	case "mode", "perm", "type":
		return "0" + strconv.FormatInt(v, 8)
	case "atime", "mtime", "ctime":
		if v >= T0 && (v-T0)%Tick == 0 {
			return fmt.Sprintf("%d (T0+%ds)", v, (v-T0)/Tick)
		}
	}
	return strconv.FormatInt(v, 10)
}

// numField returns the numeric field key of res.
func (r *runner) numField(k kind, res *result, key string) (int64, bool) {
	a := &res.attr
	switch k {
	case kAttr:
		m := map[string]int64{
			"ino": int64(a.Ino), "mode": int64(a.Mode), "perm": int64(a.Mode & meta.ModePerm),
			"type": int64(a.Mode & meta.S_IFMT), "nlink": int64(a.Nlink), "uid": int64(a.Uid),
			"gid": int64(a.Gid), "rdev": int64(a.Rdev), "flags": int64(a.Flags), "size": int64(a.Size),
			"atime": a.Atime, "mtime": a.Mtime, "ctime": a.Ctime, "blocks": int64(a.Blocks()),
		}
		v, ok := m[key]
		return v, ok
	case kXattr:
		return int64(len(res.str)), key == "len"
	case kList:
		return int64(len(res.names)), key == "count"
	case kReaddir:
		return int64(len(res.entries)), key == "count"
	case kSlices, kDropped:
		return int64(len(res.slices)), key == "count"
	case kSlice:
		return int64(res.id), key == "id"
	case kStatfs:
		s := &res.statfs
		m := map[string]int64{"total": int64(s.TotalSpace), "avail": int64(s.AvailSpace),
			"used": int64(s.UsedSpace), "inodes": int64(s.Inodes), "availinodes": int64(s.AvailInodes)}
		v, ok := m[key]
		return v, ok
	}
	return 0, false
}

// numValue reads the expected value of a numeric check: a number, a
// $variable, "now", another time field of the result, or a word.
func (r *runner) numValue(k kind, res *result, key, val string) (int64, error) {
	switch {
	case strings.HasPrefix(val, "$"):
		v, ok := r.vars[val[1:]]
		if !ok {
			return 0, fmt.Errorf("unknown variable %s", val)
		}
		return int64(v), nil
	case val == "now":
		return r.now, nil
	case strings.HasPrefix(val, "now-"):
		n, err := parseUint(val[4:])
		if err != nil {
			return 0, fmt.Errorf("%s: bad time %q", key, val)
		}
		return r.now - int64(n)*Tick, nil
	case k == kAttr && (val == "atime" || val == "mtime" || val == "ctime"):
		v, _ := r.numField(k, res, val)
		return v, nil
	}
	var table map[string]uint64
	switch key {
	case "mode", "perm":
		table = modeWords
	case "type":
		table = typeWords
	case "flags":
		table = flagWords
	default:
		v, err := parseInt(val)
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not a number", key, val)
		}
		return v, nil
	}
	v, err := parseWords(val, table)
	return int64(v), err
}
