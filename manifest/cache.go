package manifest

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/wsbx/wsbx/providers"
)

// Cache keeps git trees and downloads in a directory so that later
// materializations reuse them instead of cloning or downloading again:
//
//   - git/<key>.tar: the files of one commit (and subpath and sparse
//     paths), keyed by the resolved commit;
//   - blobs/<sha256>: downloaded content, by its digest;
//   - urls/<key>.json: for a URL (and its headers) the ETag and
//     Last-Modified validators and the digest of its last content.
//
// Files are written to a temporary name and renamed, so several processes
// may share a directory. A Cache is safe for concurrent use; concurrent
// materializations of the same commit or URL in one process wait for the
// first instead of repeating its work.
type Cache struct {
	dir string

	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

// NewCache returns a Cache in dir, creating it if needed.
//
// # Errors
//
// The error of creating dir.
func NewCache(dir string) (*Cache, error) {
	for _, sub := range []string{"git", "blobs", "urls", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	return &Cache{dir: dir, locks: map[string]*keyLock{}}, nil
}

// Dir returns the cache directory.
func (c *Cache) Dir() string { return c.dir }

// lock serializes work on one key within this process.
func (c *Cache) lock(key string) (unlock func()) {
	c.mu.Lock()
	l := c.locks[key]
	if l == nil {
		l = &keyLock{}
		c.locks[key] = l
	}
	l.refs++
	c.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		c.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(c.locks, key)
		}
		c.mu.Unlock()
	}
}

// writeAtomic writes a cache file through a temporary file and a rename.
func (c *Cache) writeAtomic(rel string, fill func(w io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Join(c.dir, "tmp"), "put-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	bw := bufio.NewWriterSize(f, 1<<20)
	err = fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), filepath.Join(c.dir, filepath.FromSlash(rel)))
}

// putTree stores the files of a git tree under key.
func (c *Cache) putTree(key string, files []treeFile) error {
	return c.writeAtomic("git/"+key+".tar", func(w io.Writer) error {
		tw := tar.NewWriter(w)
		for _, f := range files {
			hdr := &tar.Header{Name: f.path, Mode: int64(f.mode), Size: int64(len(f.data)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			if _, err := tw.Write(f.data); err != nil {
				return err
			}
		}
		return tw.Close()
	})
}

// writeCachedTree writes the cached tree key into the session. It reports
// false when the cache does not have it (or it is unreadable).
func (j *job) writeCachedTree(ctx context.Context, c *Cache, key string) (bool, error) {
	f, err := os.Open(filepath.Join(c.dir, "git", key+".tar"))
	if err != nil {
		return false, nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, nil
	}
	// The tar holds little besides content: its size is a good total.
	j.setTotal(fi.Size())
	tr := tar.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err := j.mt.s.Mkdir(ctx, j.dest, true); err != nil {
		return true, j.fail(err, providers.CodeWriteError)
	}
	g, _ := newGroup(ctx, j.mt.opts.fileConcurrency)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			// A damaged cache file: remove it and report the failure; the
			// next materialization clones again.
			os.Remove(f.Name())
			g.Wait()
			return true, j.fail(fmt.Errorf("cached tree: %w", err), CodeGitClone)
		}
		if _, err := cleanRel(hdr.Name); err != nil || hdr.Typeflag != tar.TypeReg {
			os.Remove(f.Name())
			g.Wait()
			return true, j.failf(CodeGitClone, "cached tree: bad member "+hdr.Name)
		}
		data := make([]byte, hdr.Size)
		if _, err := io.ReadFull(tr, data); err != nil {
			os.Remove(f.Name())
			g.Wait()
			return true, j.fail(fmt.Errorf("cached tree: %w", err), CodeGitClone)
		}
		name, mode := hdr.Name, fs.FileMode(hdr.Mode).Perm()
		if !g.Go(func(ctx context.Context) error {
			return j.write(ctx, name, strings.NewReader(string(data)), j.mode(mode), "")
		}) {
			break
		}
	}
	if err := g.Wait(); err != nil {
		return true, err
	}
	return true, j.fail(ctx.Err(), CodeGitClone)
}

// blobPath is where content with digest sum is kept.
func (c *Cache) blobPath(sum string) string { return filepath.Join(c.dir, "blobs", sum) }

// openBlob opens cached content by digest, or returns nil.
func (c *Cache) openBlob(sum string) *os.File {
	if !isSHA256(sum) {
		return nil
	}
	f, err := os.Open(c.blobPath(sum))
	if err != nil {
		return nil
	}
	return f
}

// putBlob moves a verified temporary file into the cache under its digest.
func (c *Cache) putBlob(sum, tmp string) error {
	return os.Link(tmp, c.blobPath(sum))
}

// urlRecord remembers the validators of a URL's last response.
type urlRecord struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	SHA256       string `json:"sha256"`
}

// urlKey names the record of a URL fetched with headers. Header values
// enter only through a hash.
func urlKey(rawURL string, headers map[string]string) string {
	h := sha256.New()
	io.WriteString(h, rawURL)
	for _, k := range sortedKeys(headers) {
		fmt.Fprintf(h, "\x00%s\x00%s", strings.ToLower(k), headers[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (c *Cache) getURL(key string) (urlRecord, bool) {
	var r urlRecord
	b, err := os.ReadFile(filepath.Join(c.dir, "urls", key+".json"))
	if err != nil || json.Unmarshal(b, &r) != nil || !isSHA256(r.SHA256) {
		return r, false
	}
	if _, err := os.Stat(c.blobPath(r.SHA256)); err != nil {
		return r, false
	}
	return r, true
}

func (c *Cache) putURL(key string, r urlRecord) error {
	if r.ETag == "" && r.LastModified == "" {
		return nil // nothing to revalidate with
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return c.writeAtomic("urls/"+key+".json", func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// tempFile creates a temporary file in the cache, or in the system's
// temporary directory without a cache.
func tempFile(c *Cache) (*os.File, error) {
	dir := ""
	if c != nil {
		dir = filepath.Join(c.dir, "tmp")
	}
	return os.CreateTemp(dir, "download-*")
}
