package coreutils

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path"
	"strings"
)

// mktempChars are the characters that replace the template's Xs.
const mktempChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// cmdMktemp is mktemp: create a unique temporary file or directory (-d) from
// TEMPLATE (default tmp.XXXXXXXXXX) in -p DIR, $TMPDIR or /tmp (-t), and
// print its name (-u only prints, -q quiet, --suffix).
func cmdMktemp(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "dqtu", withArg: "p",
		long: map[string]string{"directory": "d", "quiet": "q", "dry-run": "u", "tmpdir?": "p", "suffix=": "suffix"},
	}, args)
	if !ok {
		return 1
	}
	if len(f.operands) > 1 {
		env.Errorf(args[0], "too many templates")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	template := "tmp.XXXXXXXXXX"
	explicit := len(f.operands) == 1
	if explicit {
		template = f.operands[0]
	}
	suffix, _ := f.value("suffix")
	if !strings.HasSuffix(template, "X") && suffix == "" {
		if i := strings.LastIndex(template, "XXX"); i >= 0 {
			j := i + 3
			for j < len(template) && template[j] == 'X' {
				j++
			}
			suffix, template = template[j:], template[:j]
		}
	}
	n := len(template) - len(strings.TrimRight(template, "X"))
	if n < 3 {
		env.Errorf(args[0], "too few X's in template %s", fileQuote(template+suffix))
		return 1
	}
	dir := ""
	p, hasP := f.value("p")
	switch {
	case hasP && p != "":
		dir = p
	case !explicit || f.has("t") || hasP:
		dir = "/tmp"
		if env.Getenv != nil {
			if t := env.Getenv("TMPDIR"); t != "" {
				dir = t
			}
		}
	}
	if strings.Contains(template, "/") && (f.has("t") || hasP) && explicit {
		env.Errorf(args[0], "invalid template, %s, contains directory separator", fileQuote(template))
		return 1
	}
	base := template[:len(template)-n]
	for attempt := 0; attempt < 100; attempt++ {
		if ctx.Err() != nil {
			return 1
		}
		buf := make([]byte, n)
		rand.Read(buf)
		for i := range buf {
			buf[i] = mktempChars[int(buf[i])%len(mktempChars)]
		}
		name := base + string(buf) + suffix
		if dir != "" {
			name = path.Join(dir, name)
		}
		p := env.Abs(name)
		if fileExists(env.FS, p) {
			continue
		}
		if !f.has("u") {
			var err error
			if f.has("d") {
				err = mkdirOne(env.FS, p, 0o700)
			} else {
				var fh interface{ Close() error }
				fh, err = fileOpenWrite(env.FS, p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
				if err == nil {
					fh.Close()
				}
			}
			if err != nil {
				if !f.has("q") {
					what := "file"
					if f.has("d") {
						what = "directory"
					}
					env.Errorf(args[0], "failed to create %s via template %s: %s", what, fileQuote(path.Join(dir, template+suffix)), errText(err))
				}
				return 1
			}
		}
		fmt.Fprintln(env.Stdout, name)
		return 0
	}
	env.Errorf(args[0], "failed to create file via template %s: File exists", fileQuote(template))
	return 1
}
