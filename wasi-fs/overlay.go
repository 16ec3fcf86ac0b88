package wasifs

import (
	"sync"

	"github.com/spf13/afero"
)

// Overlay is a layered filesystem: read-only lower layers under one writable
// upper layer. It implements [afero.Fs], [afero.Lstater] and
// [afero.Symlinker]. See the package documentation for its semantics.
//
// An Overlay is safe for concurrent use.
type Overlay struct {
	mu     sync.RWMutex // serializes metadata operations
	upper  afero.Fs     // nil for a read-only view
	lowers []afero.Fs
	layers []afero.Fs // upper (when not nil) then lowers
}

// New returns an overlay of the lower layers, top-most first, under the
// writable upper layer. A nil upper gives a read-only view. The overlay
// never writes to a lower layer.
func New(upper afero.Fs, lowers ...afero.Fs) *Overlay {
	o := &Overlay{upper: upper, lowers: append([]afero.Fs(nil), lowers...)}
	if upper != nil {
		o.layers = append(o.layers, upper)
	}
	o.layers = append(o.layers, o.lowers...)
	return o
}

// Upper returns the writable layer, nil for a read-only view.
func (o *Overlay) Upper() afero.Fs { return o.upper }

// Lowers returns the read-only layers, top-most first.
func (o *Overlay) Lowers() []afero.Fs { return append([]afero.Fs(nil), o.lowers...) }
