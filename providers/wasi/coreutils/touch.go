package coreutils

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"
)

// cmdTouch is touch: update file times, creating missing files (-c no
// create, -a/-m access or modification only, -d DATE, -t STAMP, -r FILE).
func cmdTouch(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "acmfh", withArg: "dtr",
		long: map[string]string{"no-create": "c", "date=": "d", "reference=": "r", "no-dereference": "h", "time=": "time"},
	}, args)
	if !ok {
		return 1
	}
	if len(f.operands) == 0 {
		env.Errorf(args[0], "missing file operand")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	loc := fileLocation(env)
	when := time.Now()
	var atime, mtime time.Time
	if d, ok := f.value("d"); ok {
		t, err := fileParseDate(d, when, loc)
		if err != nil {
			env.Errorf(args[0], "invalid date format %s", fileQuote(d))
			return 1
		}
		when = t
	}
	if st, ok := f.value("t"); ok {
		t, err := touchStamp(st, when, loc)
		if err != nil {
			env.Errorf(args[0], "invalid date format %s", fileQuote(st))
			return 1
		}
		when = t
	}
	atime, mtime = when, when
	if r, ok := f.value("r"); ok {
		fi, err := env.FS.Stat(env.Abs(r))
		if err != nil {
			env.Errorf(args[0], "failed to get attributes of %s: %s", fileQuote(r), errText(err))
			return 1
		}
		atime, mtime = fi.ModTime(), fi.ModTime()
	}
	onlyA, onlyM := f.has("a"), f.has("m")
	if tv, ok := f.value("time"); ok {
		switch tv {
		case "atime", "access", "use":
			onlyA = true
		case "mtime", "modify":
			onlyM = true
		}
	}
	status := 0
	for _, op := range f.operands {
		if ctx.Err() != nil {
			return 1
		}
		p := env.Abs(op)
		fi, err := env.FS.Stat(p)
		if err != nil {
			if f.has("c") {
				continue
			}
			fh, cerr := fileOpenWrite(env.FS, p, os.O_CREATE|os.O_WRONLY, 0o644)
			if cerr != nil {
				env.Errorf(args[0], "cannot touch %s: %s", fileQuote(op), errText(cerr))
				status = 1
				continue
			}
			fh.Close()
			fi, err = env.FS.Stat(p)
			if err != nil {
				continue
			}
		}
		a, m := atime, mtime
		if onlyA && !onlyM {
			m = fi.ModTime()
		}
		if onlyM && !onlyA {
			a = fileAtime(fi)
		}
		if err := env.FS.Chtimes(p, a, m); err != nil {
			env.Errorf(args[0], "setting times of %s: %s", fileQuote(op), errText(err))
			status = 1
		}
	}
	return status
}

// fileAtime returns the access time a FileInfo's stat structure carries,
// or the modification time.
func fileAtime(fi os.FileInfo) time.Time {
	return fi.ModTime()
}

// touchStamp parses touch -t's [[CC]YY]MMDDhhmm[.ss].
func touchStamp(s string, now time.Time, loc *time.Location) (time.Time, error) {
	sec := 0
	if i := len(s) - 3; i > 0 && s[i] == '.' {
		v, err := strconv.Atoi(s[i+1:])
		if err != nil {
			return time.Time{}, errFileBadDate
		}
		sec, s = v, s[:i]
	}
	if !isDigits(s) {
		return time.Time{}, errFileBadDate
	}
	year := now.Year()
	switch len(s) {
	case 8:
	case 10:
		yy, _ := strconv.Atoi(s[:2])
		if yy < 69 {
			year = 2000 + yy
		} else {
			year = 1900 + yy
		}
		s = s[2:]
	case 12:
		year, _ = strconv.Atoi(s[:4])
		s = s[4:]
	default:
		return time.Time{}, errFileBadDate
	}
	mo, _ := strconv.Atoi(s[0:2])
	d, _ := strconv.Atoi(s[2:4])
	h, _ := strconv.Atoi(s[4:6])
	mi, _ := strconv.Atoi(s[6:8])
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, errFileBadDate
	}
	return time.Date(year, time.Month(mo), d, h, mi, sec, 0, loc), nil
}
