package coreutils

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/itchyny/timefmt-go"
)

// cmdDate is date: print the time (+FORMAT strftime formats with GNU
// flags, -u UTC, -d STRING, -r FILE, -I[FMT], -R, --rfc-3339=FMT). Setting
// the clock is not possible in a sandbox.
func cmdDate(ctx context.Context, env *Env, args []string) int {
	// -I takes an optional attached argument: rewrite it before parsing.
	rest := make([]string, 0, len(args))
	rest = append(rest, args[0])
	iso := ""
	for i, a := range args[1:] {
		if a == "--" {
			rest = append(rest, args[1+i:]...)
			break
		}
		if strings.HasPrefix(a, "-I") && !strings.HasPrefix(a, "--") {
			iso = strings.TrimPrefix(a, "-I")
			if iso == "" {
				iso = "date"
			}
			continue
		}
		if strings.HasPrefix(a, "--iso-8601") {
			_, v, _ := strings.Cut(a, "=")
			if v == "" {
				v = "date"
			}
			iso = v
			continue
		}
		rest = append(rest, a)
	}
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "uR", withArg: "dr",
		long: map[string]string{"utc": "u", "universal": "u", "date=": "d", "reference=": "r", "rfc-email": "R",
			"rfc-2822": "R", "rfc-3339=": "rfc3339"},
	}, rest)
	if !ok {
		return 1
	}
	loc := fileLocation(env)
	if f.has("u") {
		loc = time.UTC
	}
	now := time.Now().In(loc)
	t := now
	if v, ok := f.value("d"); ok {
		parsed, err := fileParseDate(v, now, loc)
		if err != nil {
			env.Errorf(args[0], "invalid date %s", fileQuote(v))
			return 1
		}
		t = parsed.In(loc)
	}
	if v, ok := f.value("r"); ok {
		fi, err := env.FS.Stat(env.Abs(v))
		if err != nil {
			env.Errorf(args[0], "%s: %s", v, errText(err))
			return 1
		}
		t = fi.ModTime().In(loc)
	}
	format := "%a %b %e %H:%M:%S %Z %Y"
	var plus []string
	for _, op := range f.operands {
		if strings.HasPrefix(op, "+") {
			plus = append(plus, op)
			continue
		}
		env.Errorf(args[0], "invalid date %s", fileQuote(op))
		return 1
	}
	if len(plus) > 1 {
		env.Errorf(args[0], "extra operand %s", fileQuote(plus[1]))
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	switch {
	case len(plus) == 1:
		format = plus[0][1:]
	case iso != "":
		switch iso {
		case "date", "d":
			format = "%Y-%m-%d"
		case "hours", "h":
			format = "%Y-%m-%dT%H%:z"
		case "minutes", "m":
			format = "%Y-%m-%dT%H:%M%:z"
		case "seconds", "s":
			format = "%Y-%m-%dT%H:%M:%S%:z"
		case "ns":
			format = "%Y-%m-%dT%H:%M:%S,%N%:z"
		default:
			env.Errorf(args[0], "invalid argument %s for '--iso-8601'", fileQuote(iso))
			return 1
		}
	case f.has("R"):
		format = "%a, %d %b %Y %H:%M:%S %z"
	case f.has("rfc3339"):
		v, _ := f.value("rfc3339")
		switch v {
		case "date":
			format = "%Y-%m-%d"
		case "seconds":
			format = "%Y-%m-%d %H:%M:%S%:z"
		case "ns":
			format = "%Y-%m-%d %H:%M:%S.%N%:z"
		default:
			env.Errorf(args[0], "invalid argument %s for '--rfc-3339'", fileQuote(v))
			return 1
		}
	}
	if _, err := fmt.Fprintln(env.Stdout, dateFormat(t, format)); err != nil {
		return 1
	}
	return 0
}

// dateFormat formats t with a strftime format, adding GNU's %N
// (nanoseconds, "%3N" for milliseconds) to what timefmt provides.
func dateFormat(t time.Time, format string) string {
	if strings.Contains(format, "N") {
		var b strings.Builder
		for i := 0; i < len(format); i++ {
			if format[i] != '%' || i+1 >= len(format) {
				b.WriteByte(format[i])
				continue
			}
			j := i + 1
			for j < len(format) && strings.IndexByte("-_0^#", format[j]) >= 0 {
				j++
			}
			k := j
			for k < len(format) && format[k] >= '0' && format[k] <= '9' {
				k++
			}
			if k < len(format) && format[k] == 'N' {
				ns := fmt.Sprintf("%09d", t.Nanosecond())
				if w, err := strconv.Atoi(format[j:k]); err == nil && w > 0 && w < 9 {
					ns = ns[:w]
				}
				b.WriteString(strings.ReplaceAll(ns, "%", "%%"))
				i = k
				continue
			}
			b.WriteString(format[i:min(k+1, len(format))])
			i = k
		}
		format = b.String()
	}
	return timefmt.Format(t, format)
}
