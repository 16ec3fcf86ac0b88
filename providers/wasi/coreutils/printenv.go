package coreutils

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// cmdPrintenv is printenv: print all or some environment variables (-0 NUL
// separated).
func cmdPrintenv(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{bools: "0", long: map[string]string{"null": "0"}}, args)
	if !ok {
		return 2
	}
	end := "\n"
	if f.has("0") {
		end = "\x00"
	}
	vars := envList(env)
	if len(f.operands) == 0 {
		for _, kv := range vars {
			fmt.Fprint(env.Stdout, kv+end)
		}
		return 0
	}
	status := 0
	for _, name := range f.operands {
		found := false
		for _, kv := range vars {
			if k, v, _ := strings.Cut(kv, "="); k == name && !strings.Contains(name, "=") {
				fmt.Fprint(env.Stdout, v+end)
				found = true
				break
			}
		}
		if !found {
			status = 1
		}
	}
	return status
}

// envList returns the environment as sorted "K=V" pairs.
func envList(env *Env) []string {
	if env.Environ == nil {
		return nil
	}
	vars := append([]string(nil), env.Environ()...)
	sort.Strings(vars)
	return vars
}
