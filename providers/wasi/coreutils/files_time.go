package coreutils

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

var errFileBadDate = errors.New("invalid date")

// fileDateLayouts are the absolute date forms date -d and touch -d accept.
var fileDateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 Z07:00",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05.999999999 MST",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02",
	"01/02/2006 15:04:05",
	"01/02/2006",
	time.RFC1123Z,
	time.RFC1123,
	time.RFC850,
	time.RFC822Z,
	time.RFC822,
	time.UnixDate,
	time.ANSIC,
	"Mon Jan _2 15:04:05 MST 2006",
	"Mon Jan _2 15:04:05 2006",
	"Jan _2 2006 15:04:05",
	"Jan _2 2006",
	"_2 Jan 2006 15:04:05",
	"_2 Jan 2006",
	"January _2 2006",
	"January _2, 2006",
	"Jan _2, 2006",
	"15:04:05",
	"15:04",
}

// fileParseDate parses the date strings GNU date -d and touch -d take in
// common use: "@EPOCH", ISO 8601 and RFC forms, "now", "today",
// "yesterday", "tomorrow", and relative offsets such as "2 days ago",
// "+3 hours" or "2024-01-01 +1 week", interpreted in loc.
func fileParseDate(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	now = now.In(loc)
	if strings.HasPrefix(s, "@") {
		whole, frac, _ := strings.Cut(s[1:], ".")
		sec, err := strconv.ParseInt(whole, 10, 64)
		if err != nil || !isDigits(frac) && frac != "" {
			return time.Time{}, errFileBadDate
		}
		frac = (frac + "000000000")[:9]
		ns, _ := strconv.ParseInt(frac, 10, 64)
		if strings.HasPrefix(whole, "-") && ns > 0 {
			sec, ns = sec-1, 1e9-ns
		}
		return time.Unix(sec, ns).In(loc), nil
	}
	if s == "" {
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc), nil
	}
	// Try the longest prefix that parses as an absolute date, then read
	// the rest as relative items.
	words := strings.Fields(s)
	base, rest := now, words
	found := false
	for n := len(words); n > 0 && !found; n-- {
		cand := strings.Join(words[:n], " ")
		for _, layout := range fileDateLayouts {
			t, err := time.ParseInLocation(layout, cand, loc)
			if err != nil {
				continue
			}
			if layout == "15:04:05" || layout == "15:04" {
				t = time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
			}
			base, rest, found = t, words[n:], true
			break
		}
	}
	return fileRelative(base, rest, loc)
}

// fileRelative applies relative items ("now", "yesterday", "3 days ago",
// "-2 hours", "next week") to base.
func fileRelative(base time.Time, words []string, loc *time.Location) (time.Time, error) {
	t := base
	for i := 0; i < len(words); i++ {
		w := strings.ToLower(words[i])
		switch w {
		case "now":
			continue
		case "today":
			continue
		case "yesterday":
			t = t.AddDate(0, 0, -1)
			continue
		case "tomorrow":
			t = t.AddDate(0, 0, 1)
			continue
		case "utc", "gmt", "z":
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
			continue
		}
		n := 1
		unit := w
		if w == "next" || w == "last" {
			if w == "last" {
				n = -1
			}
			if i+1 >= len(words) {
				return time.Time{}, errFileBadDate
			}
			i++
			unit = strings.ToLower(words[i])
		} else if v, err := strconv.Atoi(strings.TrimPrefix(w, "+")); err == nil {
			n = v
			if i+1 >= len(words) {
				return time.Time{}, errFileBadDate
			}
			i++
			unit = strings.ToLower(words[i])
		} else {
			// "+3days", "-2hours"
			j := 0
			for j < len(w) && (w[j] == '+' || w[j] == '-' || w[j] >= '0' && w[j] <= '9') {
				j++
			}
			if j > 0 {
				v, err := strconv.Atoi(strings.TrimPrefix(w[:j], "+"))
				if err != nil {
					return time.Time{}, errFileBadDate
				}
				n, unit = v, w[j:]
			}
		}
		if i+1 < len(words) && strings.ToLower(words[i+1]) == "ago" {
			n = -n
			i++
		}
		unit = strings.TrimSuffix(unit, "s")
		switch unit {
		case "sec", "second":
			t = t.Add(time.Duration(n) * time.Second)
		case "min", "minute":
			t = t.Add(time.Duration(n) * time.Minute)
		case "hour":
			t = t.Add(time.Duration(n) * time.Hour)
		case "day":
			t = t.AddDate(0, 0, n)
		case "week":
			t = t.AddDate(0, 0, 7*n)
		case "fortnight":
			t = t.AddDate(0, 0, 14*n)
		case "month":
			t = t.AddDate(0, n, 0)
		case "year":
			t = t.AddDate(n, 0, 0)
		default:
			return time.Time{}, errFileBadDate
		}
	}
	return t.In(loc), nil
}
