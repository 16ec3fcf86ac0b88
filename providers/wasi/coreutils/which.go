package coreutils

import (
	"context"
	"fmt"
	"strings"
)

// cmdWhich is which: print where each command would be found (built-in
// utilities are reported under /usr/bin, as "type" does; -a is accepted).
// Shell builtins that are not also utilities are not found, as with GNU
// which.
func cmdWhich(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{bools: "as", long: map[string]string{"all": "a", "skip-alias": "s"}}, args)
	if !ok {
		return 1
	}
	if len(f.operands) == 0 {
		return 1
	}
	status := 0
	for _, name := range f.operands {
		where := ""
		if env.LookPath != nil {
			where = env.LookPath(name)
		}
		switch {
		case where == "builtin" && whichStandalone[name]:
			// These builtins are also programs on a GNU system.
			fmt.Fprintln(env.Stdout, "/usr/bin/"+name)
		case where == "" || where == "builtin":
			status = 1
		case where == "utility":
			fmt.Fprintln(env.Stdout, "/usr/bin/"+name)
		case strings.HasPrefix(where, "/"):
			fmt.Fprintln(env.Stdout, where)
		default:
			status = 1
		}
	}
	return status
}

// whichStandalone are shell builtins that also exist as programs in
// /usr/bin on a GNU system, so which finds them there.
var whichStandalone = map[string]bool{
	"echo": true, "printf": true, "test": true, "[": true, "kill": true, "true": true, "false": true, "pwd": true,
}
