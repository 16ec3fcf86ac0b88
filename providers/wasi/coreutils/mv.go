package coreutils

import (
	"context"
	"fmt"
	"path"
	"strings"
)

// cmdMv is mv: move (rename) files (-f, -n, -u, -v, -T, -t DIR; -i is
// accepted and ignored). A rename the filesystem refuses is done as a copy
// followed by a removal.
func cmdMv(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "finuvT", withArg: "t",
		long: map[string]string{"force": "f", "interactive": "i", "no-clobber": "n", "update?": "u", "verbose": "v",
			"no-target-directory": "T", "target-directory=": "t"},
	}, args)
	if !ok {
		return 1
	}
	srcs, dst, intoDir, ok := fileTargets(env, args[0], f)
	if !ok {
		return 1
	}
	status := 0
	fail := func(format string, a ...any) {
		env.Errorf(args[0], format, a...)
		status = 1
	}
	for _, srcName := range srcs {
		if ctx.Err() != nil {
			return 1
		}
		dstName := dst
		if intoDir {
			dstName = strings.TrimRight(dst, "/") + "/" + path.Base(strings.TrimRight(srcName, "/"))
		}
		src, d := env.Abs(srcName), env.Abs(dstName)
		fi, err := fileLstat(env.FS, src)
		if err != nil {
			fail("cannot stat %s: %s", fileQuote(srcName), errText(err))
			continue
		}
		if src == d {
			fail("%s and %s are the same file", fileQuote(srcName), fileQuote(dstName))
			continue
		}
		if fi.IsDir() && strings.HasPrefix(d, src+"/") {
			fail("cannot move %s to a subdirectory of itself, %s", fileQuote(srcName), fileQuote(dstName))
			continue
		}
		if dfi, err := fileLstat(env.FS, d); err == nil {
			if f.last("n", "f", "i") == "n" {
				continue
			}
			if f.has("u") && !fi.ModTime().After(dfi.ModTime()) {
				continue
			}
			switch {
			case dfi.IsDir() && !fi.IsDir():
				fail("cannot overwrite directory %s with non-directory", fileQuote(dstName))
				continue
			case !dfi.IsDir() && fi.IsDir():
				fail("cannot overwrite non-directory %s with directory %s", fileQuote(dstName), fileQuote(srcName))
				continue
			case dfi.IsDir():
				if err := rmdirOne(env.FS, d); err != nil {
					fail("cannot move %s to %s: %s", fileQuote(srcName), fileQuote(dstName), errText(err))
					continue
				}
			}
		}
		if err := env.FS.Rename(src, d); err != nil {
			// Copy and remove, as across filesystems.
			c := &cpRun{ctx: ctx, env: env, cmd: args[0], recursive: true, preserve: true, force: true}
			c.copy(srcName, src, fi, dstName, d)
			if c.status != 0 {
				status = 1
				continue
			}
			r := &rmRun{ctx: ctx, env: env, cmd: args[0]}
			r.remove(srcName, src, fi)
			if r.status != 0 {
				status = 1
				continue
			}
		}
		if f.has("v") {
			fmt.Fprintf(env.Stdout, "renamed %s -> %s\n", fileQuote(srcName), fileQuote(dstName))
		}
	}
	return status
}
