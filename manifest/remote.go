package manifest

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/wsbx/wsbx/providers"
)

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// errTooLarge marks content past its size limit.
var errTooLarge = errors.New("size limit exceeded")

// fetch downloads the entry's URL into a file (the caller closes it and,
// for a temporary file, removes it via the returned cleanup) and verifies
// its sha256. With a cache, content known by digest, or still valid by its
// ETag or Last-Modified, is not downloaded again.
func (j *job) fetch(ctx context.Context, limit int64, tooLarge providers.Code) (*os.File, func(), error) {
	c := j.mt.opts.cache
	want := strings.ToLower(j.e.SHA256)
	nop := func() {}
	if c != nil && want != "" {
		if f := c.openBlob(want); f != nil {
			return f, nop, nil
		}
	}
	var secrets []string
	headers := map[string]string{}
	for k, v := range j.e.Headers {
		headers[k] = os.Expand(v, func(name string) string {
			val, _ := j.mt.opts.lookupEnv(name)
			secrets = append(secrets, val)
			return val
		})
	}
	shown := redactURL(j.e.URL)
	fetchErr := func(err error) error {
		return j.fail(scrub(fmt.Errorf("GET %s: %w", shown, err), secrets), CodeRemoteFetch)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.e.URL, nil)
	if err != nil {
		return nil, nop, fetchErr(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	var key string
	var rec urlRecord
	cached := false
	if c != nil {
		unlock := c.lock("url/" + j.e.URL)
		defer unlock()
		key = urlKey(j.e.URL, headers)
		if rec, cached = c.getURL(key); cached && (want == "" || rec.SHA256 == want) {
			if rec.ETag != "" {
				req.Header.Set("If-None-Match", rec.ETag)
			}
			if rec.LastModified != "" {
				req.Header.Set("If-Modified-Since", rec.LastModified)
			}
		} else {
			cached = false
		}
	}
	resp, err := j.mt.opts.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL, query and all
		}
		return nil, nop, fetchErr(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified && cached {
		if f := c.openBlob(rec.SHA256); f != nil {
			return f, nop, nil
		}
	}
	if resp.StatusCode != http.StatusOK {
		e := j.fail(scrub(fmt.Errorf("GET %s: %s", shown, resp.Status), secrets), CodeRemoteFetch).(*providers.Error)
		e.Retryable = resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
		return nil, nop, e
	}
	if resp.ContentLength > limit {
		return nil, nop, j.failf(tooLarge, fmt.Sprintf("GET %s: %d bytes is over the limit of %d", shown, resp.ContentLength, limit))
	}
	if resp.ContentLength > 0 {
		j.setTotal(resp.ContentLength)
	}
	tmp, err := tempFile(c)
	if err != nil {
		return nil, nop, j.fail(err, CodeRemoteFetch)
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h, progressWriter{j}), io.LimitReader(resp.Body, limit+1))
	if err != nil {
		cleanup()
		return nil, nop, fetchErr(err)
	}
	if n > limit {
		cleanup()
		return nil, nop, j.failf(tooLarge, fmt.Sprintf("GET %s: over the limit of %d bytes", shown, limit))
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if want != "" && sum != want {
		cleanup()
		return nil, nop, j.failf(CodeChecksum, fmt.Sprintf("GET %s: sha256 is %s, want %s", shown, sum, want))
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		cleanup()
		return nil, nop, j.fail(err, CodeRemoteFetch)
	}
	if c != nil {
		if c.putBlob(sum, tmp.Name()) == nil || c.hasBlob(sum) {
			_ = c.putURL(key, urlRecord{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), SHA256: sum})
		}
	}
	return tmp, cleanup, nil
}

// progressWriter reports download progress.
type progressWriter struct{ j *job }

func (p progressWriter) Write(b []byte) (int, error) {
	p.j.addDone(int64(len(b)))
	return len(b), nil
}

// remoteFile downloads one file (at most DefaultMaxOutputBytes) and
// writes it once verified.
func (j *job) remoteFile(ctx context.Context) error {
	f, cleanup, err := j.fetch(ctx, DefaultMaxOutputBytes, CodeRemoteFetch)
	if err != nil {
		return err
	}
	defer cleanup()
	defer f.Close()
	j.noCount = true
	return j.write(ctx, "", f, j.mode(0o644), CodeRemoteFetch)
}

// archive limits of one remote_dir entry.
type archiveLimits struct {
	in, out, members int64
}

func (j *job) remoteDir(ctx context.Context) error {
	lim := archiveLimits{in: DefaultMaxInputBytes, out: DefaultMaxOutputBytes, members: DefaultMaxMembers}
	if j.e.MaxInputBytes > 0 {
		lim.in = j.e.MaxInputBytes
	}
	if j.e.MaxOutputBytes > 0 {
		lim.out = j.e.MaxOutputBytes
	}
	if j.e.MaxMembers > 0 {
		lim.members = j.e.MaxMembers
	}
	f, cleanup, err := j.fetch(ctx, lim.in, CodeArchive)
	if err != nil {
		return err
	}
	defer cleanup()
	defer f.Close()
	j.noCount = true
	fi, err := f.Stat()
	if err != nil {
		return j.fail(err, CodeArchive)
	}
	if err := j.mt.s.Mkdir(ctx, j.dest, true); err != nil {
		return j.fail(err, providers.CodeWriteError)
	}
	u := &unpacker{j: j, lim: lim}
	switch j.archiveFormat(f) {
	case "zip":
		err = u.zip(ctx, f, fi.Size())
	case "tar.gz":
		zr, gerr := gzip.NewReader(bufio.NewReader(f))
		if gerr != nil {
			return j.fail(fmt.Errorf("gzip: %w", gerr), CodeArchive)
		}
		err = u.tar(ctx, zr)
	default:
		err = u.tar(ctx, bufio.NewReader(f))
	}
	if err != nil {
		return err
	}
	return u.copyLinks(ctx)
}

// archiveFormat is the entry's format, else the URL's suffix, else the
// content's magic number.
func (j *job) archiveFormat(f *os.File) string {
	switch j.e.Format {
	case "zip", "tar":
		return j.e.Format
	case "tar.gz", "tgz":
		return "tar.gz"
	}
	p := j.e.URL
	if u, err := url.Parse(j.e.URL); err == nil {
		p = u.Path
	}
	switch {
	case strings.HasSuffix(p, ".zip"):
		return "zip"
	case strings.HasSuffix(p, ".tar.gz"), strings.HasSuffix(p, ".tgz"):
		return "tar.gz"
	case strings.HasSuffix(p, ".tar"):
		return "tar"
	}
	magic := make([]byte, 4)
	n, _ := f.ReadAt(magic, 0)
	switch {
	case n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		return "tar.gz"
	case n == 4 && bytes.Equal(magic, []byte("PK\x03\x04")):
		return "zip"
	}
	return "tar"
}

// unpacker writes archive members under a destination, refusing members
// and links that leave it and enforcing the limits.
type unpacker struct {
	j       *job
	lim     archiveLimits
	members int64
	out     int64
	// links are (member, target) pairs, both relative to the destination,
	// copied after the regular files.
	links [][2]string
}

func (u *unpacker) failf(format string, args ...any) error {
	return u.j.failf(CodeArchive, fmt.Sprintf(format, args...))
}

// member checks a member name and returns it relative to the destination
// ("" for the destination itself).
func (u *unpacker) member(name string) (string, error) {
	if u.members++; u.members > u.lim.members {
		return "", u.failf("more than %d members", u.lim.members)
	}
	n := strings.TrimPrefix(strings.TrimSuffix(name, "/"), "./")
	if n == "" || n == "." {
		return "", nil
	}
	c, err := cleanRel(n)
	if err != nil {
		return "", u.failf("member %q escapes the destination", name)
	}
	return c, nil
}

// linkTarget resolves a symlink target relative to the member's directory.
func (u *unpacker) linkTarget(rel, target string) (string, error) {
	if target == "" || path.IsAbs(target) || strings.ContainsRune(target, '\\') {
		return "", u.failf("link %q -> %q escapes the destination", rel, target)
	}
	t := path.Join(path.Dir(rel), target)
	if t == ".." || strings.HasPrefix(t, "../") || t == "." {
		return "", u.failf("link %q -> %q escapes the destination", rel, target)
	}
	return t, nil
}

// budgetReader fails once more than the remaining output budget is read.
type budgetReader struct {
	r io.Reader
	u *unpacker
}

func (b budgetReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.u.out += int64(n)
	if b.u.out > b.u.lim.out {
		return n, errTooLarge
	}
	return n, err
}

func (u *unpacker) file(ctx context.Context, rel string, r io.Reader, mode fs.FileMode) error {
	err := u.j.write(ctx, rel, budgetReader{r: r, u: u}, u.j.mode(mode.Perm()), CodeArchive)
	if err != nil && u.out > u.lim.out {
		return u.failf("unpacks to more than %d bytes", u.lim.out)
	}
	return err
}

func (u *unpacker) tar(ctx context.Context, r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return u.j.fail(err, CodeArchive)
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return u.j.fail(fmt.Errorf("tar: %w", err), CodeArchive)
		}
		rel, err := u.member(hdr.Name)
		if err != nil {
			return err
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if rel != "" {
				if err := u.j.mt.s.Mkdir(ctx, u.j.dest+"/"+rel, true); err != nil {
					return u.j.fail(err, providers.CodeWriteError)
				}
			}
		case tar.TypeReg, tar.TypeRegA:
			if rel == "" {
				return u.failf("regular member %q names the destination", hdr.Name)
			}
			if hdr.Size > u.lim.out-u.out {
				return u.failf("unpacks to more than %d bytes", u.lim.out)
			}
			if err := u.file(ctx, rel, tr, fs.FileMode(hdr.Mode)); err != nil {
				return err
			}
		case tar.TypeSymlink:
			t, err := u.linkTarget(rel, hdr.Linkname)
			if err != nil {
				return err
			}
			u.links = append(u.links, [2]string{rel, t})
		case tar.TypeLink:
			t, err := cleanRel(strings.TrimPrefix(hdr.Linkname, "./"))
			if err != nil || rel == "" {
				return u.failf("link %q -> %q escapes the destination", hdr.Name, hdr.Linkname)
			}
			u.links = append(u.links, [2]string{rel, t})
		default:
			// Devices and pipes are not unpacked; global and extended
			// headers are consumed by archive/tar.
		}
	}
}

func (u *unpacker) zip(ctx context.Context, f io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return u.j.fail(fmt.Errorf("zip: %w", err), CodeArchive)
	}
	if int64(len(zr.File)) > u.lim.members {
		return u.failf("more than %d members", u.lim.members)
	}
	var declared uint64
	for _, zf := range zr.File {
		declared += zf.UncompressedSize64
	}
	if declared > uint64(u.lim.out) {
		return u.failf("unpacks to more than %d bytes", u.lim.out)
	}
	for _, zf := range zr.File {
		if err := ctx.Err(); err != nil {
			return u.j.fail(err, CodeArchive)
		}
		rel, err := u.member(zf.Name)
		if err != nil {
			return err
		}
		mode := zf.Mode()
		switch {
		case mode.IsDir():
			if rel != "" {
				if err := u.j.mt.s.Mkdir(ctx, u.j.dest+"/"+rel, true); err != nil {
					return u.j.fail(err, providers.CodeWriteError)
				}
			}
		case mode&fs.ModeSymlink != 0:
			rc, err := zf.Open()
			if err != nil {
				return u.j.fail(fmt.Errorf("zip: %w", err), CodeArchive)
			}
			target, err := io.ReadAll(io.LimitReader(rc, 4096))
			rc.Close()
			if err != nil {
				return u.j.fail(fmt.Errorf("zip: %w", err), CodeArchive)
			}
			t, err := u.linkTarget(rel, string(target))
			if err != nil {
				return err
			}
			u.links = append(u.links, [2]string{rel, t})
		case mode.IsRegular():
			if rel == "" {
				return u.failf("regular member %q names the destination", zf.Name)
			}
			rc, err := zf.Open()
			if err != nil {
				return u.j.fail(fmt.Errorf("zip: %w", err), CodeArchive)
			}
			err = u.file(ctx, rel, rc, mode)
			rc.Close()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// copyLinks writes each link inside the destination as a copy of the file it
// points to (the contract has no symlinks). Links to directories or to
// missing members are left out.
func (u *unpacker) copyLinks(ctx context.Context) error {
	byName := map[string]string{}
	for _, l := range u.links {
		byName[l[0]] = l[1]
	}
	s := u.j.mt.s
	for _, l := range u.links {
		t := l[1]
		for i := 0; i < 40; i++ {
			next, ok := byName[t]
			if !ok {
				break
			}
			t = next
		}
		fi, err := s.Stat(ctx, u.j.dest+"/"+t)
		if err != nil || !fi.Mode.IsRegular() {
			continue
		}
		rc, err := s.ReadFile(ctx, u.j.dest+"/"+t)
		if err != nil {
			return u.j.fail(err, CodeArchive)
		}
		err = u.file(ctx, l[0], rc, fi.Mode)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
