package manifest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Cache keeps git trees and downloads in a directory so that later
// materializations reuse them instead of cloning or downloading again:
//
//   - git/<key>.gob: the files of one commit (and subpath and sparse
//     paths), keyed by the resolved commit;
//   - blobs/<sha256>: downloaded content, by its digest;
//   - urls/<key>.json: for a URL (and its headers) the ETag and
//     Last-Modified validators and the digest of its last content.
//
// Files are written to a temporary name and renamed, so several processes
// may share a directory. The directory is trusted: what it holds is not
// verified again when read. A Cache is safe for concurrent use; concurrent
// materializations of the same commit or URL in one process wait for the
// first instead of repeating its work.
type Cache struct {
	dir string

	mu    sync.Mutex
	locks map[string]*keyLock
	// trees keeps recently used git trees in memory, up to memoLimit bytes
	// of content, so sessions in this process skip reading the tar.
	trees     map[string]*memoTree
	memoBytes int64
	memoLimit int64
	clock     int64
}

// memoTree is a git tree kept in memory.
type memoTree struct {
	files []treeFile
	size  int64
	used  int64
}

// DefaultCacheMemory bounds the git trees a Cache keeps in memory.
const DefaultCacheMemory = 256 << 20

// SetMemoryLimit bounds the bytes of git trees a Cache keeps in memory in
// addition to its directory (default [DefaultCacheMemory]; 0 keeps none).
func (c *Cache) SetMemoryLimit(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.memoLimit = max(n, 0)
	c.evictLocked()
}

func (c *Cache) memoGet(key string) []treeFile {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.trees[key]
	if t == nil {
		return nil
	}
	c.clock++
	t.used = c.clock
	return t.files
}

func (c *Cache) memoPut(key string, files []treeFile) {
	var size int64
	for _, f := range files {
		size += int64(len(f.data)) + int64(len(f.path)) + 64
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if size > c.memoLimit || c.trees[key] != nil {
		return
	}
	c.clock++
	c.trees[key] = &memoTree{files: files, size: size, used: c.clock}
	c.memoBytes += size
	c.evictLocked()
}

// evictLocked drops the least recently used trees until under the limit.
func (c *Cache) evictLocked() {
	for c.memoBytes > c.memoLimit && len(c.trees) > 0 {
		var oldest string
		for k, t := range c.trees {
			if oldest == "" || t.used < c.trees[oldest].used {
				oldest = k
			}
		}
		c.memoBytes -= c.trees[oldest].size
		delete(c.trees, oldest)
	}
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
	return &Cache{dir: dir, locks: map[string]*keyLock{}, trees: map[string]*memoTree{}, memoLimit: DefaultCacheMemory}, nil
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

// cachedFile is one file of a cached git tree, as stored with encoding/gob.
type cachedFile struct {
	Path string
	Mode uint32
	Data []byte
}

// putTree stores the files of a git tree under key.
func (c *Cache) putTree(key string, files []treeFile) error {
	out := make([]cachedFile, len(files))
	for i, f := range files {
		out[i] = cachedFile{Path: f.path, Mode: uint32(f.mode), Data: f.data}
	}
	return c.writeAtomic("git/"+key+".gob", func(w io.Writer) error {
		return gob.NewEncoder(w).Encode(out)
	})
}

// writeCachedTree writes the cached tree key into the session. It reports
// false when the cache does not have it.
func (j *job) writeCachedTree(ctx context.Context, c *Cache, key string) (bool, error) {
	files := c.memoGet(key)
	if files == nil {
		var ok bool
		if files, ok = c.readTree(key); !ok {
			return false, nil
		}
		c.memoPut(key, files)
	}
	return true, j.writeTree(ctx, files)
}

// readTree reads a cached tree from the directory. A damaged file is
// removed and reported as missing, so the tree is cloned again.
func (c *Cache) readTree(key string) ([]treeFile, bool) {
	name := filepath.Join(c.dir, "git", key+".gob")
	f, err := os.Open(name)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	var in []cachedFile
	if err := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&in); err != nil {
		os.Remove(name)
		return nil, false
	}
	files := make([]treeFile, len(in))
	for i, cf := range in {
		if _, err := cleanRel(cf.Path); err != nil {
			os.Remove(name)
			return nil, false
		}
		files[i] = treeFile{path: cf.Path, mode: fs.FileMode(cf.Mode).Perm(), data: cf.Data}
	}
	return files, true
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

// hasBlob reports whether content with digest sum is cached.
func (c *Cache) hasBlob(sum string) bool {
	_, err := os.Stat(c.blobPath(sum))
	return isSHA256(sum) && err == nil
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
