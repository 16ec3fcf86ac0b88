package coreutils

import (
	"context"
	"fmt"
)

// cmdPwd is pwd: print the current directory (-P resolves symlinks).
func cmdPwd(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{bools: "LP", long: map[string]string{"logical": "L", "physical": "P"}}, args)
	if !ok {
		return 1
	}
	dir := env.Dir
	if f.last("L", "P") == "P" {
		if r, err := fileRealpath(env.FS, dir, true, false); err == nil {
			dir = r
		}
	}
	if _, err := fmt.Fprintln(env.Stdout, dir); err != nil {
		return 1
	}
	return 0
}
