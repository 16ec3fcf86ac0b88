package coreutils

import (
	"context"
	"fmt"
	"strconv"
)

// cmdWhoami is whoami: print the sandbox user's name.
func cmdWhoami(ctx context.Context, env *Env, args []string) int {
	if len(args) > 1 {
		env.Errorf(args[0], "extra operand %s", fileQuote(args[1]))
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	fmt.Fprintln(env.Stdout, fileUserName)
	return 0
}

// cmdId is id: print the sandbox user's identity (-u -g -G, -n names, -r).
func cmdId(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "ugGnrz",
		long:  map[string]string{"user": "u", "group": "g", "groups": "G", "name": "n", "real": "r", "zero": "z"},
	}, args)
	if !ok {
		return 1
	}
	if len(f.operands) > 0 && f.operands[0] != fileUserName {
		env.Errorf(args[0], "%s: no such user", fileQuote(f.operands[0]))
		return 1
	}
	name := f.has("n")
	pick := func(num int, n string) string {
		if name {
			return n
		}
		return strconv.Itoa(num)
	}
	switch {
	case f.has("u"):
		fmt.Fprintln(env.Stdout, pick(fileUID, fileUserName))
	case f.has("g"), f.has("G"):
		fmt.Fprintln(env.Stdout, pick(fileGID, fileGroupName))
	default:
		if name {
			env.Errorf(args[0], "cannot print only names or real IDs in default format")
			return 1
		}
		fmt.Fprintf(env.Stdout, "uid=%d(%s) gid=%d(%s) groups=%d(%s)\n", fileUID, fileUserName, fileGID, fileGroupName, fileGID, fileGroupName)
	}
	return 0
}
