package coreutils

import (
	"context"
	"fmt"
	"strings"
)

// The fixed identity the sandbox reports.
const (
	unameSystem  = "Linux"
	unameNode    = "sandbox"
	unameRelease = "6.1.0-wsbx"
	unameVersion = "#1 SMP wsbx"
	unameMachine = "x86_64"
	unameOS      = "GNU/Linux"
	sandboxCPUs  = 1
)

// cmdUname is uname: print system information (-a -s -n -r -v -m -p -i
// -o). The sandbox reports a fixed virtual identity, not the host's.
func cmdUname(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "asnrvmpio",
		long: map[string]string{"all": "a", "kernel-name": "s", "nodename": "n", "kernel-release": "r", "kernel-version": "v",
			"machine": "m", "processor": "p", "hardware-platform": "i", "operating-system": "o"},
	}, args)
	if !ok {
		return 1
	}
	if len(f.operands) > 0 {
		env.Errorf(args[0], "extra operand %s", fileQuote(f.operands[0]))
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	all := f.has("a")
	var parts []string
	add := func(k, v string) {
		if all || f.has(k) {
			parts = append(parts, v)
		}
	}
	add("s", unameSystem)
	add("n", unameNode)
	add("r", unameRelease)
	add("v", unameVersion)
	add("m", unameMachine)
	if !all {
		add("p", unameMachine)
		add("i", unameMachine)
	}
	add("o", unameOS)
	if len(parts) == 0 {
		parts = []string{unameSystem}
	}
	fmt.Fprintln(env.Stdout, strings.Join(parts, " "))
	return 0
}

// cmdHostname is hostname: print the sandbox's fixed host name.
func cmdHostname(ctx context.Context, env *Env, args []string) int {
	if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
		env.Errorf(args[0], "you must be root to change the host name")
		return 1
	}
	fmt.Fprintln(env.Stdout, unameNode)
	return 0
}

// cmdNproc is nproc: print the number of processing units of the sandbox.
func cmdNproc(ctx context.Context, env *Env, args []string) int {
	fmt.Fprintln(env.Stdout, sandboxCPUs)
	return 0
}
