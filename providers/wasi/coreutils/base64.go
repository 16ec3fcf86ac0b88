package coreutils

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
)

// cmdBase64 is base64: encode (wrapping at -w COLS, 76 by default, 0 for
// none) or decode (-d, ignoring newlines; -i ignores other garbage).
func cmdBase64(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "di", withArg: "w",
		long: map[string]string{"decode": "d", "ignore-garbage": "i", "wrap=": "w"},
	}, args)
	if !ok {
		return 1
	}
	wrap := 76
	if v, ok := f.value("w"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			env.Errorf(args[0], "invalid wrap size: %s", fileQuote(v))
			return 1
		}
		wrap = n
	}
	if len(f.operands) > 1 {
		env.Errorf(args[0], "extra operand %s", fileQuote(f.operands[1]))
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	name := "-"
	if len(f.operands) == 1 {
		name = f.operands[0]
	}
	r, closeFn, err := fileOpenInput(env, name)
	if err != nil {
		env.Errorf(args[0], "%s: %s", name, errText(err))
		return 1
	}
	defer closeFn()
	data, err := io.ReadAll(fileCtxReader{ctx, r})
	if err != nil {
		if ctx.Err() == nil {
			env.Errorf(args[0], "%s: %s", name, errText(err))
		}
		return 1
	}
	w := bufio.NewWriterSize(env.Stdout, fileChunk)
	defer w.Flush()
	if f.has("d") {
		clean := make([]byte, 0, len(data))
		for _, c := range data {
			switch {
			case c == '\n' || c == '\r':
			case f.has("i") && !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='):
			default:
				clean = append(clean, c)
			}
		}
		out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean))+3)
		n, err := base64.StdEncoding.Decode(out, clean)
		if err != nil {
			// Write what decodes before the bad spot, as GNU does.
			prefix := clean
			if off, ok := err.(base64.CorruptInputError); ok && off > 0 && int(off) <= len(clean) {
				prefix = clean[:off]
			}
			for len(prefix) > 0 && prefix[len(prefix)-1] == '=' {
				prefix = prefix[:len(prefix)-1]
			}
			if len(prefix)%4 == 1 {
				prefix = prefix[:len(prefix)-1]
			}
			n, _ = base64.RawStdEncoding.Decode(out, prefix)
		}
		w.Write(out[:n])
		if err != nil {
			w.Flush()
			env.Errorf(args[0], "invalid input")
			return 1
		}
		return 0
	}
	enc := base64.StdEncoding.EncodeToString(data)
	if wrap == 0 {
		w.WriteString(enc)
		if w.Flush() != nil {
			return 1
		}
		return 0
	}
	for len(enc) > wrap {
		w.WriteString(enc[:wrap])
		w.WriteByte('\n')
		enc = enc[wrap:]
	}
	if len(enc) > 0 {
		w.WriteString(enc)
		w.WriteByte('\n')
	}
	if w.Flush() != nil {
		return 1
	}
	return 0
}
