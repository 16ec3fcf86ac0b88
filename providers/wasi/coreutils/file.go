package coreutils

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode/utf8"
)

// cmdFile is file: a minimal file(1) that tells directories, symlinks,
// empty files, common binary formats (by magic number), UTF-8 and ASCII
// text, scripts and data apart (-b brief, -L follow symlinks).
func cmdFile(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "bLhi",
		long:  map[string]string{"brief": "b", "dereference": "L", "no-dereference": "h", "mime": "i", "mime-type": "i"},
	}, args)
	if !ok {
		return 1
	}
	if len(f.operands) == 0 {
		env.Errorf(args[0], "Usage: file [-bLhi] file ...")
		return 1
	}
	width := 0
	for _, op := range f.operands {
		width = max(width, len(op)+1)
	}
	for _, op := range f.operands {
		if ctx.Err() != nil {
			return 1
		}
		desc := fileDescribe(env, op, f.has("L"), f.has("i"))
		if f.has("b") {
			fmt.Fprintln(env.Stdout, desc)
		} else {
			fmt.Fprintf(env.Stdout, "%-*s %s\n", width, op+":", desc)
		}
	}
	return 0
}

// fileMagic maps leading bytes to descriptions.
var fileMagic = []struct {
	magic, desc, mime string
}{
	{"\x7fELF", "ELF executable", "application/x-executable"},
	{"\x00asm", "WebAssembly (wasm) binary module", "application/wasm"},
	{"\x1f\x8b", "gzip compressed data", "application/gzip"},
	{"BZh", "bzip2 compressed data", "application/x-bzip2"},
	{"\xfd7zXZ\x00", "XZ compressed data", "application/x-xz"},
	{"PK\x03\x04", "Zip archive data", "application/zip"},
	{"%PDF-", "PDF document", "application/pdf"},
	{"\x89PNG\r\n\x1a\n", "PNG image data", "image/png"},
	{"\xff\xd8\xff", "JPEG image data", "image/jpeg"},
	{"GIF8", "GIF image data", "image/gif"},
	{"SQLite format 3\x00", "SQLite 3.x database", "application/vnd.sqlite3"},
	{"\xca\xfe\xba\xbe", "compiled Java class data", "application/x-java-applet"},
}

// fileDescribe returns file(1)'s description of one operand.
func fileDescribe(env *Env, name string, follow, mime bool) string {
	p := env.Abs(name)
	var fi fs.FileInfo
	var err error
	if follow {
		fi, err = env.FS.Stat(p)
	} else {
		fi, err = fileLstat(env.FS, p)
	}
	if err != nil {
		return fmt.Sprintf("cannot open `%s' (%s)", name, errText(err))
	}
	m := fi.Mode()
	switch {
	case m.IsDir():
		if mime {
			return "inode/directory; charset=binary"
		}
		return "directory"
	case m&fs.ModeSymlink != 0:
		if mime {
			return "inode/symlink; charset=binary"
		}
		t, _ := fileReadlink(env.FS, p)
		if _, err := env.FS.Stat(p); err != nil {
			return "broken symbolic link to " + t
		}
		return "symbolic link to " + t
	case m&fs.ModeNamedPipe != 0:
		return "fifo (named pipe)"
	case m&fs.ModeCharDevice != 0:
		return "character special"
	case m&fs.ModeDevice != 0:
		return "block special"
	case m&fs.ModeSocket != 0:
		return "socket"
	case fi.Size() == 0:
		if mime {
			return "inode/x-empty; charset=binary"
		}
		return "empty"
	}
	fh, err := env.FS.Open(p)
	if err != nil {
		return fmt.Sprintf("cannot open `%s' (%s)", name, errText(err))
	}
	head := make([]byte, 8192)
	n, _ := io.ReadFull(fh, head)
	fh.Close()
	head = head[:n]
	for _, mg := range fileMagic {
		if bytes.HasPrefix(head, []byte(mg.magic)) {
			if mime {
				return mg.mime + "; charset=binary"
			}
			if mg.magic == "PK\x03\x04" && bytes.Contains(head, []byte("META-INF/")) {
				return "Java archive data (JAR)"
			}
			return mg.desc
		}
	}
	if len(head) > 262 && string(head[257:262]) == "ustar" {
		if mime {
			return "application/x-tar; charset=binary"
		}
		return "POSIX tar archive"
	}
	if bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(trimPartialRune(head)) {
		if mime {
			return "application/octet-stream; charset=binary"
		}
		return "data"
	}
	ascii := true
	for _, c := range head {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	kind := "ASCII text"
	charset := "us-ascii"
	if !ascii {
		kind, charset = "Unicode text, UTF-8 text", "utf-8"
	}
	if bytes.HasPrefix(head, []byte("#!")) {
		line, _, _ := strings.Cut(string(head[2:]), "\n")
		interp := strings.Fields(line)
		prog := ""
		if len(interp) > 0 {
			prog = interp[0]
			if fileBase(prog) == "env" && len(interp) > 1 {
				prog = interp[1]
			}
		}
		if mime {
			return "text/x-shellscript; charset=" + charset
		}
		return fmt.Sprintf("%s script, %s executable", fileScriptKind(fileBase(prog)), kind)
	}
	if mime {
		return "text/plain; charset=" + charset
	}
	if bytes.Contains(head, []byte("\r\n")) {
		kind += ", with CRLF line terminators"
	}
	return kind
}

// trimPartialRune drops an incomplete UTF-8 sequence cut off at the end.
func trimPartialRune(b []byte) []byte {
	for i := 1; i <= 3 && i <= len(b); i++ {
		if utf8.RuneStart(b[len(b)-i]) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			break
		}
	}
	return b
}

// fileScriptKind names the script kind file(1) reports for an interpreter.
func fileScriptKind(prog string) string {
	switch {
	case prog == "sh" || prog == "dash" || prog == "ash":
		return "POSIX shell"
	case prog == "bash":
		return "Bourne-Again shell"
	case prog == "zsh":
		return "Paul Falstad's zsh"
	case strings.HasPrefix(prog, "python"):
		return "Python"
	case strings.HasPrefix(prog, "perl"):
		return "Perl"
	case prog == "node" || prog == "nodejs":
		return "Node.js"
	case strings.HasPrefix(prog, "ruby"):
		return "Ruby"
	case prog == "awk" || prog == "gawk":
		return "awk"
	}
	return prog
}
