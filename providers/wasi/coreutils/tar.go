package coreutils

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wsbx/wsbx/providers"
)

// tarRun is one tar invocation.
type tarRun struct {
	ctx                      context.Context
	env                      *Env
	cmd                      string
	verbose                  int
	status                   int
	dir                      string // -C, absolute
	strip                    int
	exclude                  []string
	toStdout, keepOld, deref bool
	log                      io.Writer // where -v goes
	// dirTimes are the directories extracted, whose times are set once
	// their contents are in place.
	dirTimes []tarDirTime
}

// tarDirTime is a directory's modification time from the archive.
type tarDirTime struct {
	path string
	t    time.Time
}

// cmdTar is tar: create (-c), extract (-x) and list (-t) archives, with -f
// FILE ("-" for stdin/stdout), -C DIR, -z (gzip; detected on reading), -j
// (bzip2, reading), -v, -O, -k, -h, --strip-components=N and
// --exclude=PATTERN. The first argument may be a bundle without a dash
// ("czf"). Members that would land outside the extraction directory (with
// ".." components, or through a symlink) are refused.
func cmdTar(ctx context.Context, env *Env, args []string) int {
	rest := append([]string{}, args[1:]...)
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") && rest[0] != "" {
		rest[0] = "-" + rest[0]
	}
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "cxtvzjJOkhpoPmaU", withArg: "fCT",
		long: map[string]string{"create": "c", "extract": "x", "get": "x", "list": "t", "verbose": "v", "gzip": "z", "gunzip": "z",
			"file=": "f", "directory=": "C", "to-stdout": "O", "keep-old-files": "k", "dereference": "h", "bzip2": "j",
			"strip-components=": "strip", "exclude=": "exclude", "preserve-permissions": "p", "no-same-owner": "o",
			"absolute-names": "P", "touch": "m", "auto-compress": "a", "xz": "J", "owner=": "owner", "group=": "group",
			"numeric-owner": "numeric", "overwrite": "overwrite", "same-owner": "same-owner", "no-same-permissions": "nsp",
			"wildcards": "wildcards", "anchored": "anchored", "files-from=": "T", "unlink-first": "U"},
	}, append([]string{args[0]}, rest...))
	if !ok {
		return 2
	}
	t := &tarRun{ctx: ctx, env: env, cmd: args[0], verbose: f.count("v"), dir: env.Dir,
		toStdout: f.has("O"), keepOld: f.has("k"), deref: f.has("h"), exclude: f.values("exclude"), log: env.Stdout}
	if c, ok := f.value("C"); ok {
		t.dir = env.Abs(c)
	}
	if s, ok := f.value("strip"); ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			env.Errorf(args[0], "Invalid number of elements: %s", fileQuote(s))
			return 2
		}
		t.strip = n
	}
	var mode string
	for _, fl := range f.list {
		if fl.key == "c" || fl.key == "x" || fl.key == "t" {
			if mode != "" && mode != fl.key {
				env.Errorf(args[0], "You may not specify more than one '-Acdtrux', '--delete' or  '--test-label' option")
				fmt.Fprintf(env.Stderr, "Try '%s --help' or '%s --usage' for more information.\n", args[0], args[0])
				return 2
			}
			mode = fl.key
		}
	}
	if f.has("J") {
		env.Errorf(args[0], "xz compression is not supported")
		return 2
	}
	archive, _ := f.value("f")
	if archive == "" {
		archive = "-"
	}
	names := f.operands
	if from, ok := f.value("T"); ok {
		r, closeFn, err := fileOpenInput(env, from)
		if err != nil {
			env.Errorf(args[0], "%s: Cannot open: %s", from, errText(err))
			return 2
		}
		data, _ := io.ReadAll(fileCtxReader{ctx, r})
		closeFn()
		for _, l := range strings.Split(string(data), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				names = append(names, l)
			}
		}
	}
	switch mode {
	case "c":
		if len(names) == 0 {
			env.Errorf(args[0], "Cowardly refusing to create an empty archive")
			fmt.Fprintf(env.Stderr, "Try '%s --help' or '%s --usage' for more information.\n", args[0], args[0])
			return 2
		}
		gz := f.has("z") || f.has("a") && (strings.HasSuffix(archive, ".tgz") || strings.HasSuffix(archive, ".gz"))
		if f.has("j") {
			env.Errorf(args[0], "bzip2 compression is not supported for writing")
			return 2
		}
		return t.create(archive, names, gz)
	case "x", "t":
		return t.read(archive, names, mode == "x", f.has("j"))
	}
	env.Errorf(args[0], "You must specify one of the '-Acdtrux', '--delete' or '--test-label' options")
	fmt.Fprintf(env.Stderr, "Try '%s --help' or '%s --usage' for more information.\n", args[0], args[0])
	return 2
}

func (t *tarRun) errorf(format string, a ...any) {
	t.env.Errorf(t.cmd, format, a...)
	t.status = 2
}

// finish returns the exit status, with GNU's closing message on failure.
func (t *tarRun) finish() int {
	if t.ctx.Err() != nil {
		return 2
	}
	if t.status != 0 {
		t.env.Errorf(t.cmd, "Exiting with failure status due to previous errors")
	}
	return t.status
}

func (t *tarRun) excluded(name string) bool {
	base := path.Base(name)
	for _, pat := range t.exclude {
		if fileGlob(pat, base) || fileGlob(pat, name) || fileGlob(pat, strings.TrimSuffix(name, "/")) {
			return true
		}
	}
	return false
}

// create writes an archive of names (relative to -C) to archive.
func (t *tarRun) create(archive string, names []string, gz bool) int {
	var out io.Writer
	var file tarOutFile
	if archive == "-" {
		out = t.env.Stdout
		t.log = t.env.Stderr
	} else {
		fh, err := fileOpenWrite(t.env.FS, t.env.Abs(archive), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			t.env.Errorf(t.cmd, "%s: Cannot open: %s", archive, errText(err))
			t.env.Errorf(t.cmd, "Error is not recoverable: exiting now")
			return 2
		}
		file, out = fh, fh
	}
	bw := bufio.NewWriterSize(out, fileChunk)
	var zw *gzip.Writer
	var w io.Writer = bw
	if gz {
		zw = gzip.NewWriter(bw)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, name := range names {
		if t.ctx.Err() != nil {
			break
		}
		member := name
		if strings.HasPrefix(member, "/") {
			t.env.Errorf(t.cmd, "Removing leading `/' from member names")
			member = strings.TrimLeft(member, "/")
		}
		p := path.Join(t.dir, name)
		if path.IsAbs(name) {
			p = path.Clean(name)
		}
		var fi fs.FileInfo
		var err error
		if t.deref {
			fi, err = t.env.FS.Stat(p)
		} else {
			fi, err = fileLstat(t.env.FS, p)
		}
		if err != nil {
			t.errorf("%s: Cannot stat: %s", name, errText(err))
			continue
		}
		if member == "" {
			member = "."
		}
		t.add(tw, p, member, fi, archive)
	}
	err := tw.Close()
	if zw != nil && err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil && t.ctx.Err() == nil {
		t.errorf("%s: Cannot write: %s", archive, errText(err))
	}
	return t.finish()
}

// tarOutFile is the file type of the session filesystem.
type tarOutFile = interface {
	io.Writer
	io.Closer
}

// add writes one file (and, for a directory, its contents) to tw.
func (t *tarRun) add(tw *tar.Writer, p, member string, fi fs.FileInfo, archive string) {
	if t.ctx.Err() != nil {
		return
	}
	if t.excluded(member) {
		return
	}
	if archive != "-" && t.env.Abs(archive) == p {
		t.env.Errorf(t.cmd, "%s: file is the archive; not dumped", member)
		return
	}
	link := ""
	if fileIsLink(fi) {
		link, _ = fileReadlink(t.env.FS, p)
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		t.errorf("%s: Cannot add: %s", member, errText(err))
		return
	}
	hdr.Name = member
	if fi.IsDir() && !strings.HasSuffix(hdr.Name, "/") {
		hdr.Name += "/"
	}
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = fileUID, fileGID, fileUserName, fileGroupName
	hdr.Mode = int64(providers.UnixMode(fi.Mode()))
	hdr.ModTime = fi.ModTime().Truncate(time.Second)
	hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}
	hdr.Format = tar.FormatGNU
	if fi.IsDir() {
		hdr.Size = 0
	}
	if t.verbose > 0 {
		t.listLine(t.log, hdr, t.verbose > 1)
	}
	if err := tw.WriteHeader(hdr); err != nil {
		t.errorf("%s: Cannot write: %s", member, errText(err))
		return
	}
	switch {
	case fi.Mode().IsRegular():
		in, err := t.env.FS.Open(p)
		if err != nil {
			t.errorf("%s: Cannot open: %s", member, errText(err))
			// Keep the archive well formed.
			io.CopyN(tw, zeroReader{}, hdr.Size)
			return
		}
		n, err := fileCopy(t.ctx, tw, io.LimitReader(in, hdr.Size))
		in.Close()
		if err == nil && n < hdr.Size {
			t.errorf("%s: File shrank by %d bytes; padding with zeros", member, hdr.Size-n)
			io.CopyN(tw, zeroReader{}, hdr.Size-n)
		} else if err != nil && t.ctx.Err() == nil {
			t.errorf("%s: Read error: %s", member, errText(err))
		}
	case fi.IsDir():
		entries, err := fileReadDir(t.env.FS, p)
		if err != nil {
			t.errorf("%s: Cannot open: %s", member, errText(err))
			return
		}
		for _, e := range entries {
			cp := path.Join(p, e.Name())
			efi := e
			if t.deref && fileIsLink(e) {
				if s, err := t.env.FS.Stat(cp); err == nil {
					efi = s
				}
			}
			t.add(tw, cp, strings.TrimSuffix(member, "/")+"/"+e.Name(), efi, archive)
		}
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// listLine prints one member's name, or its long listing as tar -tv does.
func (t *tarRun) listLine(w io.Writer, h *tar.Header, long bool) {
	if !long {
		fmt.Fprintln(w, h.Name)
		return
	}
	mode := providers.ModeFromUnix(uint32(h.Mode) & 0o7777)
	switch h.Typeflag {
	case tar.TypeDir:
		mode |= fs.ModeDir
	case tar.TypeSymlink:
		mode |= fs.ModeSymlink
	case tar.TypeFifo:
		mode |= fs.ModeNamedPipe
	case tar.TypeChar:
		mode |= fs.ModeCharDevice | fs.ModeDevice
	case tar.TypeBlock:
		mode |= fs.ModeDevice
	}
	ms := fileModeString(mode)
	if h.Typeflag == tar.TypeLink {
		ms = "h" + ms[1:]
	}
	owner := h.Uname
	if owner == "" {
		owner = strconv.Itoa(h.Uid)
	}
	group := h.Gname
	if group == "" {
		group = strconv.Itoa(h.Gid)
	}
	ug := owner + "/" + group
	size := strconv.FormatInt(h.Size, 10)
	pad := 19 - len(ug) - len(size)
	if pad < 1 {
		pad = 1
	}
	name := h.Name
	switch h.Typeflag {
	case tar.TypeSymlink:
		name += " -> " + h.Linkname
	case tar.TypeLink:
		name += " link to " + h.Linkname
	}
	fmt.Fprintf(w, "%s %s%s%s %s %s\n", ms, ug, strings.Repeat(" ", pad), size,
		h.ModTime.In(fileLocation(t.env)).Format("2006-01-02 15:04"), name)
}

// read lists or extracts archive.
func (t *tarRun) read(archive string, names []string, extract, bz bool) int {
	var in io.Reader
	if archive == "-" {
		in = t.env.Stdin
	} else {
		fh, err := t.env.FS.Open(t.env.Abs(archive))
		if err == nil {
			if fi, serr := fh.Stat(); serr == nil && fi.IsDir() {
				fh.Close()
				err = &fs.PathError{Op: "read", Path: archive, Err: syscall.EISDIR}
			}
		}
		if err != nil {
			t.env.Errorf(t.cmd, "%s: Cannot open: %s", archive, errText(err))
			t.env.Errorf(t.cmd, "Error is not recoverable: exiting now")
			return 2
		}
		defer fh.Close()
		in = fh
	}
	if extract && !t.toStdout {
		if fi, err := t.env.FS.Stat(t.dir); err != nil || !fi.IsDir() {
			if err == nil {
				err = syscall.ENOTDIR
			}
			t.env.Errorf(t.cmd, "%s: Cannot open: %s", t.dir, errText(err))
			t.env.Errorf(t.cmd, "Error is not recoverable: exiting now")
			return 2
		}
	}
	br := bufio.NewReaderSize(fileCtxReader{t.ctx, in}, fileChunk)
	magic, _ := br.Peek(3)
	var r io.Reader = br
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			t.env.Errorf(t.cmd, "Child returned status 1")
			t.env.Errorf(t.cmd, "Error is not recoverable: exiting now")
			return 2
		}
		defer zr.Close()
		r = zr
	case bz || bytes.HasPrefix(magic, []byte("BZh")):
		r = bzip2.NewReader(br)
	}
	tr := tar.NewReader(r)
	found := make([]bool, len(names))
	hardlinks := map[string]string{}
	for {
		if t.ctx.Err() != nil {
			return 2
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, tar.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) {
				t.env.Errorf(t.cmd, "This does not look like a tar archive")
			} else {
				t.env.Errorf(t.cmd, "%s", errText(err))
			}
			t.env.Errorf(t.cmd, "Exiting with failure status due to previous errors")
			return 2
		}
		if len(names) > 0 {
			match := false
			for i, n := range names {
				n = strings.TrimSuffix(n, "/")
				hn := strings.TrimSuffix(h.Name, "/")
				if hn == n || strings.HasPrefix(hn, n+"/") || fileGlob(n, hn) {
					found[i], match = true, true
				}
			}
			if !match {
				continue
			}
		}
		if t.excluded(h.Name) {
			continue
		}
		if !extract {
			t.listLine(t.env.Stdout, h, t.verbose > 0)
			continue
		}
		t.extractOne(tr, h, hardlinks)
	}
	for i := len(t.dirTimes) - 1; i >= 0; i-- {
		t.env.FS.Chtimes(t.dirTimes[i].path, t.dirTimes[i].t, t.dirTimes[i].t)
	}
	for i, ok := range found {
		if !ok {
			t.errorf("%s: Not found in archive", names[i])
		}
	}
	return t.finish()
}

// memberPath turns a member name into a path under the extraction
// directory, refusing names that leave it.
func (t *tarRun) memberPath(name string) (string, bool, error) {
	clean := strings.TrimLeft(name, "/")
	if clean != name {
		t.env.Errorf(t.cmd, "Removing leading `/' from member names")
	}
	parts := strings.Split(clean, "/")
	for _, p := range parts {
		if p == ".." {
			return "", false, errTarDotDot
		}
	}
	var kept []string
	for _, p := range parts {
		if p != "" && p != "." {
			kept = append(kept, p)
		}
	}
	if t.strip > 0 {
		if len(kept) <= t.strip {
			return "", false, nil
		}
		kept = kept[t.strip:]
	}
	if len(kept) == 0 {
		return t.dir, true, nil
	}
	return path.Join(t.dir, strings.Join(kept, "/")), true, nil
}

var errTarDotDot = errors.New("Member name contains '..'")

// throughSymlink reports whether a parent of p below the extraction
// directory is a symlink (writing through it could leave the directory).
func (t *tarRun) throughSymlink(p string) bool {
	rel := strings.TrimPrefix(p, strings.TrimSuffix(t.dir, "/")+"/")
	cur := t.dir
	parts := strings.Split(rel, "/")
	for _, part := range parts[:len(parts)-1] {
		cur = path.Join(cur, part)
		fi, err := fileLstat(t.env.FS, cur)
		if err != nil {
			return false
		}
		if fileIsLink(fi) {
			return true
		}
	}
	return false
}

// extractOne extracts one member.
func (t *tarRun) extractOne(tr *tar.Reader, h *tar.Header, hardlinks map[string]string) {
	if t.toStdout {
		if h.Typeflag == tar.TypeReg || h.Typeflag == tar.TypeRegA {
			if _, err := fileCopy(t.ctx, t.env.Stdout, tr); err != nil && t.ctx.Err() == nil {
				t.errorf("%s: %s", h.Name, errText(err))
			}
		}
		return
	}
	p, ok, err := t.memberPath(h.Name)
	if err != nil {
		t.errorf("%s: %s", h.Name, err)
		return
	}
	if !ok {
		return
	}
	if t.verbose > 0 {
		t.listLine(t.env.Stdout, h, t.verbose > 1)
	}
	if p != t.dir && t.throughSymlink(p) {
		t.errorf("%s: Cannot open: member would be written through a symbolic link", h.Name)
		return
	}
	if p == t.dir {
		return
	}
	if err := t.env.FS.MkdirAll(path.Dir(p), 0o755); err != nil {
		t.errorf("%s: Cannot mkdir: %s", h.Name, errText(err))
		return
	}
	existing, lerr := fileLstat(t.env.FS, p)
	if lerr == nil && h.Typeflag != tar.TypeDir {
		if t.keepOld {
			t.errorf("%s: Cannot open: File exists", h.Name)
			return
		}
		if existing.IsDir() {
			if err := rmdirOne(t.env.FS, p); err != nil {
				t.errorf("%s: Cannot open: %s", h.Name, errText(err))
				return
			}
		} else {
			t.env.FS.Remove(p)
		}
	}
	mode := providers.ModeFromUnix(uint32(h.Mode) & 0o7777)
	switch h.Typeflag {
	case tar.TypeDir:
		if lerr == nil && !existing.IsDir() {
			t.env.FS.Remove(p)
			lerr = errors.New("replaced")
		}
		if lerr != nil {
			if err := t.env.FS.Mkdir(p, mode|0o700); err != nil {
				t.errorf("%s: Cannot mkdir: %s", h.Name, errText(err))
				return
			}
		}
		t.env.FS.Chmod(p, mode|fs.ModeDir)
		if !h.ModTime.IsZero() {
			t.dirTimes = append(t.dirTimes, tarDirTime{p, h.ModTime})
		}
		return
	case tar.TypeReg, tar.TypeRegA:
		out, err := fileOpenWrite(t.env.FS, p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode&fs.ModePerm|0o200)
		if err != nil {
			t.errorf("%s: Cannot open: %s", h.Name, errText(err))
			return
		}
		_, err = fileCopy(t.ctx, out, tr)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			if t.ctx.Err() == nil {
				t.errorf("%s: Cannot write: %s", h.Name, errText(err))
			}
			return
		}
		t.env.FS.Chmod(p, mode)
		hardlinks[h.Name] = p
	case tar.TypeSymlink:
		if err := fileSymlink(t.env.FS, h.Linkname, p); err != nil {
			t.errorf("%s: Cannot create symlink to %s: %s", h.Name, fileQuote(h.Linkname), errText(err))
			return
		}
		return
	case tar.TypeLink:
		src, ok := hardlinks[h.Linkname]
		if !ok {
			sp, ok2, err := t.memberPath(h.Linkname)
			if err != nil || !ok2 {
				t.errorf("%s: Cannot hard link to %s: %s", h.Name, fileQuote(h.Linkname), "No such file or directory")
				return
			}
			src = sp
		}
		c := &cpRun{ctx: t.ctx, env: t.env, cmd: t.cmd, preserve: true}
		fi, err := t.env.FS.Stat(src)
		if err != nil || !fi.Mode().IsRegular() {
			t.errorf("%s: Cannot hard link to %s: %s", h.Name, fileQuote(h.Linkname), "No such file or directory")
			return
		}
		if err := c.copyFile(src, fi, p, false); err != nil {
			t.errorf("%s: Cannot hard link to %s: %s", h.Name, fileQuote(h.Linkname), errText(err))
		}
		return
	default:
		// Devices and FIFOs cannot be made in the sandbox.
		t.env.Errorf(t.cmd, "%s: Cannot mknod: Operation not permitted", h.Name)
		t.status = 2
		return
	}
	if !h.ModTime.IsZero() {
		t.env.FS.Chtimes(p, h.ModTime, h.ModTime)
	}
}
