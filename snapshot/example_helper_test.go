package snapshot_test

import (
	"archive/tar"
	"io"
)

// tarWriter starts a tar on w with one empty regular file named name.
func tarWriter(w io.Writer, name string) *tar.Writer {
	tw := tar.NewWriter(w)
	tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644})
	return tw
}
