package coreutils

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// cmdEnv is env: print the environment, or run a command with a changed
// one (-i empty, -u NAME unset, NAME=VALUE set, -C DIR, -0). The command
// runs through the session with the changed variables visible to it.
func cmdEnv(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "i0", withArg: "uCS", stopAtOperand: true,
		long: map[string]string{"ignore-environment": "i", "unset=": "u", "chdir=": "C", "null": "0", "split-string=": "S"},
	}, args)
	if !ok {
		return 125
	}
	ops := f.operands
	// A lone "-" means -i.
	clearEnv := f.has("i")
	if len(ops) > 0 && ops[0] == "-" {
		clearEnv, ops = true, ops[1:]
	}
	vars := map[string]string{}
	var order []string
	if !clearEnv {
		for _, kv := range envList(env) {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = v
			order = append(order, k)
		}
	}
	for _, u := range f.values("u") {
		delete(vars, u)
	}
	for len(ops) > 0 && strings.Contains(ops[0], "=") && !strings.HasPrefix(ops[0], "=") {
		k, v, _ := strings.Cut(ops[0], "=")
		if _, seen := vars[k]; !seen {
			order = append(order, k)
		}
		vars[k] = v
		ops = ops[1:]
	}
	if s, ok := f.value("S"); ok {
		ops = append(strings.Fields(s), ops...)
	}
	var list []string
	for _, k := range order {
		if v, ok := vars[k]; ok {
			list = append(list, k+"="+v)
			delete(vars, k)
		}
	}
	sort.Strings(list)
	if len(ops) == 0 {
		end := "\n"
		if f.has("0") {
			end = "\x00"
		}
		for _, kv := range list {
			fmt.Fprint(env.Stdout, kv+end)
		}
		return 0
	}
	if env.Exec == nil {
		env.Errorf(args[0], "%s: %s", fileQuote(ops[0]), "No such file or directory")
		return 127
	}
	lookup := make(map[string]string, len(list))
	for _, kv := range list {
		k, v, _ := strings.Cut(kv, "=")
		lookup[k] = v
	}
	// Exec reads the Env's fields when it is called: run the command with
	// the changed environment and directory, then put them back.
	oldGetenv, oldEnviron, oldDir := env.Getenv, env.Environ, env.Dir
	env.Getenv = func(name string) string { return lookup[name] }
	env.Environ = func() []string { return append([]string(nil), list...) }
	if d, ok := f.value("C"); ok {
		dir := env.Abs(d)
		if fi, err := env.FS.Stat(dir); err != nil || !fi.IsDir() {
			if err == nil {
				err = errNotDir
			}
			env.Getenv, env.Environ = oldGetenv, oldEnviron
			env.Errorf(args[0], "cannot change directory to %s: %s", fileQuote(d), errText(err))
			return 125
		}
		env.Dir = dir
	}
	defer func() { env.Getenv, env.Environ, env.Dir = oldGetenv, oldEnviron, oldDir }()
	if env.LookPath != nil && env.LookPath(ops[0]) == "" {
		env.Errorf(args[0], "%s: No such file or directory", fileQuote(ops[0]))
		return 127
	}
	return env.Exec(ctx, ops)
}
