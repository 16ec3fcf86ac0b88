package coreutils

import (
	"bufio"
	"context"
	"strings"
)

var tacSpec = optSpec{
	withArg: "s",
	noArg:   "br",
	long:    map[string]string{"separator=": "s", "before": "b", "regex": "r"},
}

// tac prints files with their lines in reverse order.
func tac(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], tacSpec)
	if err != nil {
		return usageErr(env, "tac", err, 1)
	}
	sep := "\n"
	for _, o := range opts {
		if o.name == "s" {
			sep = o.val
		}
	}
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	status := 0
	for _, op := range ops {
		data, err := readAllInput(ctx, env, op)
		if err != nil {
			out.Flush()
			env.Errorf("tac", "failed to open '%s' for reading: %s", op, textErrText(err))
			status = 1
			continue
		}
		s := string(data)
		if s == "" {
			continue
		}
		parts := strings.SplitAfter(s, sep)
		if parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		for i := len(parts) - 1; i >= 0; i-- {
			out.WriteString(parts[i])
		}
	}
	return status
}
