package coreutils

import (
	"context"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/wsbx/wsbx/providers"
)

// statFile is what stat knows about one file.
type statFile struct {
	name   string
	path   string
	fi     fs.FileInfo
	target string
	loc    *time.Location
}

// cmdStat is stat: display file status, in GNU's default layout or with -c
// FORMAT / --printf FORMAT (%n %N %s %a %A %F %y %Y %x %X %z %Z %w %W %u
// %U %g %G %h %i %b %B %o %f %d %D %m %t %T).
func cmdStat(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "Ltf", withArg: "c",
		long: map[string]string{"dereference": "L", "format=": "c", "printf=": "printf", "terse": "t", "file-system": "f"},
	}, args)
	if !ok {
		return 1
	}
	if len(f.operands) == 0 {
		env.Errorf(args[0], "missing operand")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	format, hasFormat := "", false
	switch f.last("c", "printf") {
	case "c":
		v, _ := f.value("c")
		format, hasFormat = v+"\n", true
	case "printf":
		v, _ := f.value("printf")
		format, hasFormat = fileUnescape(v), true
	}
	status := 0
	loc := fileLocation(env)
	for _, op := range f.operands {
		if ctx.Err() != nil {
			return 1
		}
		p := env.Abs(op)
		var fi fs.FileInfo
		var err error
		if f.has("L") {
			fi, err = env.FS.Stat(p)
		} else {
			fi, err = fileLstat(env.FS, p)
		}
		if err != nil {
			env.Errorf(args[0], "cannot statx %s: %s", fileQuote(op), errText(err))
			status = 1
			continue
		}
		sf := statFile{name: op, path: p, fi: fi, loc: loc}
		if fileIsLink(fi) {
			sf.target, _ = fileReadlink(env.FS, p)
		}
		switch {
		case hasFormat:
			fmt.Fprint(env.Stdout, statFormat(format, sf))
		case f.has("t"):
			fmt.Fprint(env.Stdout, statFormat("%n %s %b %f %u %g %D %i %h %t %T %X %Y %Z %W %o\n", sf))
		default:
			fmt.Fprint(env.Stdout, statDefault(sf))
		}
	}
	return status
}

// statDefault is GNU stat's default layout.
func statDefault(s statFile) string {
	name := s.name
	if s.target != "" {
		name += " -> " + s.target
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  File: %s\n", name)
	fmt.Fprintf(&b, "  Size: %-10d\tBlocks: %-10d IO Block: 4096   %s\n", s.fi.Size(), statBlocks(s.fi), statType(s.fi))
	fmt.Fprintf(&b, "Device: %s\tInode: %-11d Links: %d\n", "0,0", statInode(s.fi), lsLinks(s.fi))
	fmt.Fprintf(&b, "Access: (%04o/%s)  Uid: (%5d/%8s)   Gid: (%5d/%8s)\n", providers.UnixMode(s.fi.Mode()), fileModeString(s.fi.Mode()),
		fileUID, fileUserName, fileGID, fileGroupName)
	t := statTime(s.fi.ModTime(), s.loc)
	fmt.Fprintf(&b, "Access: %s\nModify: %s\nChange: %s\n Birth: -\n", t, t, t)
	return b.String()
}

func statBlocks(fi fs.FileInfo) int64 {
	if b, ok := fileSysInt(fi, "Blocks"); ok {
		return b
	}
	return lsBlocks(fi) * 2
}

func statInode(fi fs.FileInfo) int64 {
	n, _ := fileSysInt(fi, "Ino")
	return n
}

// statTime formats a time as stat's %y does.
func statTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04:05.000000000 -0700")
}

// statType is stat's %F.
func statType(fi fs.FileInfo) string {
	switch findTypeChar(fi) {
	case 'd':
		return "directory"
	case 'l':
		return "symbolic link"
	case 'p':
		return "fifo"
	case 's':
		return "socket"
	case 'c':
		return "character special file"
	case 'b':
		return "block special file"
	}
	if fi.Size() == 0 {
		return "regular empty file"
	}
	return "regular file"
}

// statRawMode is the st_mode value (type and permission bits).
func statRawMode(fi fs.FileInfo) uint32 {
	m := fi.Mode()
	t := uint32(0o100000)
	switch {
	case m.IsDir():
		t = 0o040000
	case m&fs.ModeSymlink != 0:
		t = 0o120000
	case m&fs.ModeNamedPipe != 0:
		t = 0o010000
	case m&fs.ModeSocket != 0:
		t = 0o140000
	case m&fs.ModeCharDevice != 0:
		t = 0o020000
	case m&fs.ModeDevice != 0:
		t = 0o060000
	}
	return t | providers.UnixMode(m)
}

// statFormat expands a stat format string for one file.
func statFormat(format string, s statFile) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 >= len(format) {
			b.WriteByte(c)
			continue
		}
		spec, j, ok := fmtDirective(format, i)
		if !ok {
			b.WriteString(format[i:])
			break
		}
		verb := format[j]
		i = j
		val, numeric := statField(verb, s)
		if verb == '%' {
			b.WriteByte('%')
			continue
		}
		fmtPad(&b, spec, val, numeric)
	}
	return b.String()
}

// statField returns the value of one %-directive and whether it is a number.
func statField(verb byte, s statFile) (string, bool) {
	fi := s.fi
	mt := fi.ModTime()
	switch verb {
	case 'n':
		return s.name, false
	case 'N':
		q := fileQuote(s.name)
		if s.target != "" {
			q += " -> " + fileQuote(s.target)
		}
		return q, false
	case 's':
		return strconv.FormatInt(fi.Size(), 10), true
	case 'a':
		return strconv.FormatUint(uint64(providers.UnixMode(fi.Mode())), 8), false
	case 'A':
		return fileModeString(fi.Mode()), false
	case 'F':
		return statType(fi), false
	case 'f':
		return strconv.FormatUint(uint64(statRawMode(fi)), 16), false
	case 'y', 'x', 'z':
		return statTime(mt, s.loc), false
	case 'Y', 'X', 'Z':
		return strconv.FormatInt(mt.Unix(), 10), true
	case 'w':
		return "-", false
	case 'W':
		return "0", true
	case 'u':
		return strconv.Itoa(fileUID), true
	case 'U':
		return fileUserName, false
	case 'g':
		return strconv.Itoa(fileGID), true
	case 'G':
		return fileGroupName, false
	case 'h':
		return strconv.Itoa(lsLinks(fi)), true
	case 'i':
		return strconv.FormatInt(statInode(fi), 10), true
	case 'b':
		return strconv.FormatInt(statBlocks(fi), 10), true
	case 'B':
		return "512", true
	case 'o':
		return "4096", true
	case 'd', 't', 'T':
		return "0", true
	case 'D':
		return "0", false
	case 'm':
		return "/", false
	case '%':
		return "%", false
	}
	return "?", false
}

// fileUnescape expands backslash escapes (\n \t \\ \0 \a \b \f \r \v \NNN
// octal, \xHH) as printf-like options do.
func fileUnescape(s string) string { return unescape(s, true) }

// fmtDirective scans the printf-style flags and width of the %-directive
// that starts at format[i]: spec is the text between the '%' and the verb,
// and j is the index of the verb. ok is false when format ends before a
// verb.
func fmtDirective(format string, i int) (spec string, j int, ok bool) {
	j = i + 1
	for j < len(format) && strings.IndexByte("-+ #0", format[j]) >= 0 {
		j++
	}
	for j < len(format) && (format[j] >= '0' && format[j] <= '9' || format[j] == '.') {
		j++
	}
	if j >= len(format) {
		return "", j, false
	}
	return format[i+1 : j], j, true
}

// fmtPad writes val to b as the flags and width in spec say: as an integer
// when numeric is set and val is one, else as a string.
func fmtPad(b *strings.Builder, spec, val string, numeric bool) {
	if spec == "" {
		b.WriteString(val)
		return
	}
	if numeric {
		if n, err := strconv.ParseInt(val, 10, 64); err == nil {
			b.WriteString(fmt.Sprintf("%"+spec+"d", n))
			return
		}
	}
	b.WriteString(fmt.Sprintf("%"+spec+"s", val))
}
