package coreutils

import (
	"fmt"
	"strings"
)

// fileFlagSpec describes the options of one utility for fileParseFlags, in
// the manner of GNU getopt_long: short options may be combined ("-rf"), an
// option's argument may be attached ("-n5") or follow ("-n 5"), long options
// take "--name=value" or "--name value" and may be abbreviated, "--" ends the
// options, and options may follow operands unless stopAtOperand is set.
type fileFlagSpec struct {
	// bools lists the short options that take no argument.
	bools string
	// withArg lists the short options that take an argument.
	withArg string
	// long maps a long option name to its key (usually a short option
	// letter). A name ending in "=" takes an argument; one ending in "?"
	// takes an optional argument (only in the "--name=value" form).
	long map[string]string
	// stopAtOperand ends option parsing at the first operand.
	stopAtOperand bool
	// number accepts "-NUM" (as in "head -5") and stores it under key "#".
	number bool
}

// fileFlag is one parsed option, in command-line order.
type fileFlag struct {
	key   string
	value string
}

// fileFlags is the result of fileParseFlags.
type fileFlags struct {
	list     []fileFlag
	operands []string
}

// has reports whether the option with this key was given.
func (f *fileFlags) has(key string) bool {
	for _, o := range f.list {
		if o.key == key {
			return true
		}
	}
	return false
}

// count reports how many times the option with this key was given.
func (f *fileFlags) count(key string) int {
	n := 0
	for _, o := range f.list {
		if o.key == key {
			n++
		}
	}
	return n
}

// value returns the last value given for key.
func (f *fileFlags) value(key string) (string, bool) {
	v, ok := "", false
	for _, o := range f.list {
		if o.key == key {
			v, ok = o.value, true
		}
	}
	return v, ok
}

// values returns every value given for key, in order.
func (f *fileFlags) values(key string) []string {
	var vs []string
	for _, o := range f.list {
		if o.key == key {
			vs = append(vs, o.value)
		}
	}
	return vs
}

// last returns whichever of keys was given last, or "".
func (f *fileFlags) last(keys ...string) string {
	k := ""
	for _, o := range f.list {
		for _, want := range keys {
			if o.key == want {
				k = o.key
			}
		}
	}
	return k
}

// fileUsageError is an option error, worded as GNU getopt words it.
type fileUsageError struct{ msg string }

func (e *fileUsageError) Error() string { return e.msg }

// fileParseFlags parses args (without the command name) against spec.
func fileParseFlags(spec fileFlagSpec, args []string) (*fileFlags, error) {
	out := &fileFlags{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			out.operands = append(out.operands, args[i+1:]...)
			return out, nil
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			full, kind, err := spec.lookupLong(name)
			if err != nil {
				return nil, err
			}
			key := spec.long[full+kind]
			switch kind {
			case "=":
				if !hasVal {
					if i+1 >= len(args) {
						return nil, &fileUsageError{fmt.Sprintf("option '--%s' requires an argument", full)}
					}
					i++
					val = args[i]
				}
			case "?":
			default:
				if hasVal {
					return nil, &fileUsageError{fmt.Sprintf("option '--%s' doesn't allow an argument", full)}
				}
			}
			out.list = append(out.list, fileFlag{key: key, value: val})
		case len(a) > 1 && a[0] == '-':
			if spec.number && isDigits(a[1:]) {
				out.list = append(out.list, fileFlag{key: "#", value: a[1:]})
				continue
			}
			for j := 1; j < len(a); j++ {
				c := a[j]
				switch {
				case strings.IndexByte(spec.bools, c) >= 0:
					out.list = append(out.list, fileFlag{key: string(c)})
				case strings.IndexByte(spec.withArg, c) >= 0:
					val := a[j+1:]
					if val == "" {
						if i+1 >= len(args) {
							return nil, &fileUsageError{fmt.Sprintf("option requires an argument -- '%c'", c)}
						}
						i++
						val = args[i]
					}
					out.list = append(out.list, fileFlag{key: string(c), value: val})
					j = len(a)
				default:
					return nil, &fileUsageError{fmt.Sprintf("invalid option -- '%c'", c)}
				}
			}
		default:
			if spec.stopAtOperand {
				out.operands = append(out.operands, args[i:]...)
				return out, nil
			}
			out.operands = append(out.operands, a)
		}
	}
	return out, nil
}

// lookupLong finds a long option by its full name or an unambiguous prefix,
// returning the full name and its kind suffix ("", "=" or "?").
func (spec fileFlagSpec) lookupLong(name string) (string, string, error) {
	var found []string
	for k := range spec.long {
		full := strings.TrimRight(k, "=?")
		if full == name {
			return full, k[len(full):], nil
		}
		if strings.HasPrefix(full, name) {
			found = append(found, k)
		}
	}
	switch len(found) {
	case 1:
		full := strings.TrimRight(found[0], "=?")
		return full, found[0][len(full):], nil
	case 0:
		return "", "", &fileUsageError{fmt.Sprintf("unrecognized option '--%s'", name)}
	}
	return "", "", &fileUsageError{fmt.Sprintf("option '--%s' is ambiguous", name)}
}

// fileFlagsOrUsage parses args[1:] and on error prints the GNU usage error
// for args[0]; ok is false when the utility should exit with its usage status.
func fileFlagsOrUsage(env *Env, spec fileFlagSpec, args []string) (*fileFlags, bool) {
	f, err := fileParseFlags(spec, args[1:])
	if err != nil {
		env.Errorf(args[0], "%s", err)
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return nil, false
	}
	return f, true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
