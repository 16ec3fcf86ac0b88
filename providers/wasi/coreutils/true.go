package coreutils

import "context"

// cmdTrue is true: exit with status 0.
func cmdTrue(context.Context, *Env, []string) int { return 0 }

// cmdFalse is false: exit with status 1.
func cmdFalse(context.Context, *Env, []string) int { return 1 }
