package coreutils

import (
	"bufio"
	"context"
	"math/rand"
	"strconv"
	"strings"
	"time"
)

var shufSpec = optSpec{
	withArg: "nio",
	noArg:   "erz",
	long: map[string]string{"head-count=": "n", "input-range=": "i", "echo": "e",
		"repeat": "r", "output=": "o", "random-source=": "random-source", "zero-terminated": "z"},
}

// shuf prints a random permutation of its input lines.
func shuf(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], shufSpec)
	if err != nil {
		return usageErr(env, "shuf", err, 1)
	}
	count := -1
	echo, repeat := false, false
	rangeSpec, output := "", ""
	for _, o := range opts {
		switch o.name {
		case "n":
			n, err := strconv.Atoi(o.val)
			if err != nil || n < 0 {
				env.Errorf("shuf", "invalid line count: '%s'", o.val)
				return 1
			}
			count = n
		case "e":
			echo = true
		case "r":
			repeat = true
		case "i":
			rangeSpec = o.val
		case "o":
			output = o.val
		}
	}
	var lines []string
	switch {
	case rangeSpec != "":
		lo, hi, ok := strings.Cut(rangeSpec, "-")
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if !ok || err1 != nil || err2 != nil || b < a-1 {
			env.Errorf("shuf", "invalid input range: '%s'", rangeSpec)
			return 1
		}
		if b-a > 10_000_000 {
			env.Errorf("shuf", "input range too large")
			return 1
		}
		for i := a; i <= b; i++ {
			lines = append(lines, strconv.Itoa(i))
		}
	case echo:
		lines = ops
	default:
		in := "-"
		if len(ops) > 0 {
			in = ops[0]
		}
		data, err := readAllInput(ctx, env, in)
		if err != nil {
			env.Errorf("shuf", "%s: %s", in, textErrText(err))
			return 1
		}
		lines = splitLines(string(data))
	}
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	w := env.Stdout
	if output != "" {
		f, err := env.FS.Create(env.Abs(output))
		if err != nil {
			env.Errorf("shuf", "%s: %s", output, textErrText(err))
			return 1
		}
		defer f.Close()
		w = f
	}
	out := bufio.NewWriter(w)
	defer out.Flush()
	if repeat {
		if len(lines) == 0 {
			if count != 0 {
				env.Errorf("shuf", "no lines to repeat")
				return 1
			}
			return 0
		}
		for i := 0; count < 0 || i < count; i++ {
			if ctx.Err() != nil || outFailed(out) {
				return 1
			}
			out.WriteString(lines[rng.Intn(len(lines))])
			out.WriteByte('\n')
		}
		return 0
	}
	rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	if count >= 0 && count < len(lines) {
		lines = lines[:count]
	}
	for _, l := range lines {
		out.WriteString(l)
		out.WriteByte('\n')
	}
	return 0
}
