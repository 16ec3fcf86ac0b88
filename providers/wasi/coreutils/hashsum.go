package coreutils

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// hashAlgo is one checksum utility's algorithm.
type hashAlgo struct {
	tag  string // BSD tag name
	new  func() hash.Hash
	size int // hex digits
}

var hashAlgos = map[string]hashAlgo{
	"md5sum":    {"MD5", md5.New, 32},
	"sha1sum":   {"SHA1", sha1.New, 40},
	"sha224sum": {"SHA224", sha256.New224, 56},
	"sha256sum": {"SHA256", sha256.New, 64},
	"sha384sum": {"SHA384", sha512.New384, 96},
	"sha512sum": {"SHA512", sha512.New, 128},
}

// cmdHashsum is md5sum, sha1sum, sha224sum, sha256sum, sha384sum and
// sha512sum: print checksums ("HASH  NAME", -b "HASH *NAME", --tag BSD
// style) or check them (-c, with --quiet, --status, --ignore-missing,
// --strict, -w).
func cmdHashsum(ctx context.Context, env *Env, args []string) int {
	algo, ok := hashAlgos[args[0]]
	if !ok {
		algo = hashAlgos["sha256sum"]
	}
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "bctwz",
		long: map[string]string{"binary": "b", "check": "c", "text": "t", "tag": "tag", "quiet": "quiet", "status": "status",
			"ignore-missing": "ignore-missing", "strict": "strict", "warn": "w", "zero": "z"},
	}, args)
	if !ok {
		return 1
	}
	files := f.operands
	if len(files) == 0 {
		files = []string{"-"}
	}
	w := bufio.NewWriter(env.Stdout)
	defer w.Flush()
	if f.has("c") {
		return hashCheck(ctx, env, w, args[0], algo, files, f)
	}
	status := 0
	for _, name := range files {
		if ctx.Err() != nil {
			return 1
		}
		sum, err := hashFile(ctx, env, algo, name)
		if err != nil {
			if ctx.Err() != nil {
				return 1
			}
			w.Flush()
			env.Errorf(args[0], "%s: %s", name, errText(err))
			status = 1
			continue
		}
		shown, esc := hashEscape(name)
		switch {
		case f.has("tag"):
			fmt.Fprintf(w, "%s%s (%s) = %s\n", esc, algo.tag, shown, sum)
		case f.has("b"):
			fmt.Fprintf(w, "%s%s *%s\n", esc, sum, shown)
		default:
			fmt.Fprintf(w, "%s%s  %s\n", esc, sum, shown)
		}
	}
	if w.Flush() != nil {
		return 1
	}
	return status
}

// hashEscape escapes a file name as GNU does for names with a backslash
// or newline, returning the name and the "\" line prefix.
func hashEscape(name string) (string, string) {
	if !strings.ContainsAny(name, "\\\n\r") {
		return name, ""
	}
	r := strings.NewReplacer("\\", "\\\\", "\n", "\\n", "\r", "\\r")
	return r.Replace(name), "\\"
}

func hashUnescape(name string) string {
	r := strings.NewReplacer("\\\\", "\\", "\\n", "\n", "\\r", "\r")
	return r.Replace(name)
}

// hashFile returns the hex checksum of one operand.
func hashFile(ctx context.Context, env *Env, algo hashAlgo, name string) (string, error) {
	r, closeFn, err := fileOpenInput(env, name)
	if err != nil {
		return "", err
	}
	defer closeFn()
	h := algo.new()
	if _, err := fileCopy(ctx, h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashCheck verifies the checksum lists in files.
func hashCheck(ctx context.Context, env *Env, w *bufio.Writer, cmd string, algo hashAlgo, files []string, f *fileFlags) int {
	quiet, statusOnly, ignoreMissing := f.has("quiet"), f.has("status"), f.has("ignore-missing")
	var bad, unreadable, mismatched, okCount int
	status := 0
	for _, list := range files {
		r, closeFn, err := fileOpenInput(env, list)
		if err != nil {
			w.Flush()
			env.Errorf(cmd, "%s: %s", list, errText(err))
			status = 1
			continue
		}
		sc := bufio.NewScanner(fileCtxReader{ctx, r})
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		lineNo := 0
		for sc.Scan() {
			lineNo++
			line := strings.TrimSuffix(sc.Text(), "\r")
			want, name, ok := hashParseLine(line, algo)
			if !ok {
				bad++
				if f.has("w") {
					w.Flush()
					env.Errorf(cmd, "%s: %d: improperly formatted %s checksum line", list, lineNo, algo.tag)
				}
				continue
			}
			got, err := hashFile(ctx, env, algo, name)
			if err != nil {
				if ctx.Err() != nil {
					closeFn()
					return 1
				}
				if ignoreMissing && errText(err) == "No such file or directory" {
					continue
				}
				unreadable++
				w.Flush()
				env.Errorf(cmd, "%s: %s", name, errText(err))
				if !statusOnly {
					fmt.Fprintf(w, "%s: FAILED open or read\n", name)
				}
				continue
			}
			if strings.EqualFold(got, want) {
				okCount++
				if !quiet && !statusOnly {
					fmt.Fprintf(w, "%s: OK\n", name)
				}
			} else {
				mismatched++
				if !statusOnly {
					fmt.Fprintf(w, "%s: FAILED\n", name)
				}
			}
		}
		closeFn()
		if okCount+mismatched+unreadable == 0 && bad > 0 {
			w.Flush()
			env.Errorf(cmd, "%s: no properly formatted checksum lines found", list)
			status = 1
		}
	}
	w.Flush()
	plural := func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	}
	if !statusOnly {
		if bad > 0 && okCount+mismatched+unreadable > 0 {
			env.Errorf(cmd, "WARNING: %d %s improperly formatted", bad, plural(bad, "line is", "lines are"))
		}
		if unreadable > 0 {
			env.Errorf(cmd, "WARNING: %d listed %s could not be read", unreadable, plural(unreadable, "file", "files"))
		}
		if mismatched > 0 {
			env.Errorf(cmd, "WARNING: %d computed %s did NOT match", mismatched, plural(mismatched, "checksum", "checksums"))
		}
	}
	if mismatched > 0 || unreadable > 0 || f.has("strict") && bad > 0 {
		status = 1
	}
	return status
}

// hashParseLine parses "HASH  NAME", "HASH *NAME" or "TAG (NAME) = HASH".
func hashParseLine(line string, algo hashAlgo) (sum, name string, ok bool) {
	escaped := strings.HasPrefix(line, "\\")
	if escaped {
		line = line[1:]
	}
	if strings.HasPrefix(line, algo.tag+" (") {
		i := strings.LastIndex(line, ") = ")
		if i < 0 {
			return "", "", false
		}
		sum, name = line[i+4:], line[len(algo.tag)+2:i]
	} else {
		if len(line) < algo.size+2 {
			return "", "", false
		}
		sum = line[:algo.size]
		sep := line[algo.size : algo.size+2]
		if sep != "  " && sep != " *" {
			return "", "", false
		}
		name = line[algo.size+2:]
	}
	if len(sum) != algo.size || name == "" {
		return "", "", false
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return "", "", false
	}
	if escaped {
		name = hashUnescape(name)
	}
	return sum, name, true
}
