package snapshot

import (
	"container/list"
	"sync"

	"github.com/spf13/afero"
)

// layerCache keeps extracted layers in memory, least recently used first
// out, bounded by the total size of their blobs. Entries are keyed by blob
// digest, so layers with the same content share one copy.
type layerCache struct {
	mu    sync.Mutex
	max   int64
	size  int64
	order *list.List // of *cacheEntry, most recently used at the front
	items map[string]*list.Element
}

type cacheEntry struct {
	digest string
	fs     afero.Fs
	size   int64
}

func newLayerCache(max int64) *layerCache {
	return &layerCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *layerCache) get(digest string) afero.Fs {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[digest]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cacheEntry).fs
	}
	return nil
}

// put adds a layer, evicting the least recently used ones beyond the bound.
// A layer larger than the whole bound is not kept.
func (c *layerCache) put(digest string, fsys afero.Fs, size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if size > c.max {
		return
	}
	if e, ok := c.items[digest]; ok {
		c.order.MoveToFront(e)
		return
	}
	c.items[digest] = c.order.PushFront(&cacheEntry{digest, fsys, size})
	c.size += size
	for c.size > c.max {
		c.removeLocked(c.order.Back())
	}
}

func (c *layerCache) drop(digest string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[digest]; ok {
		c.removeLocked(e)
	}
}

func (c *layerCache) removeLocked(e *list.Element) {
	ce := c.order.Remove(e).(*cacheEntry)
	delete(c.items, ce.digest)
	c.size -= ce.size
}

func (c *layerCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}
