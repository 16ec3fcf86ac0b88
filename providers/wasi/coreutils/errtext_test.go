package coreutils

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/spf13/afero"
)

func TestErrText(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}, "No such file or directory"},
		{&fs.PathError{Op: "mkdir", Path: "x", Err: fs.ErrExist}, "File exists"},
		{&fs.PathError{Op: "open", Path: "x", Err: fs.ErrPermission}, "Permission denied"},
		{&fs.PathError{Op: "read", Path: "x", Err: syscall.EISDIR}, "Is a directory"},
		{&fs.PathError{Op: "open", Path: "x", Err: syscall.ENOTDIR}, "Not a directory"},
		{&fs.PathError{Op: "rmdir", Path: "x", Err: syscall.ENOTEMPTY}, "Directory not empty"},
		{&os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.EXDEV}, "Invalid cross-device link"},
		{errors.New("something odd"), "Something odd"},
		{&fs.PathError{Op: "x", Path: "y", Err: errors.New("directory not empty")}, "Directory not empty"},
	}
	for _, tt := range tests {
		if got := errText(tt.err); got != tt.want {
			t.Errorf("errText(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestErrTextRealErrors checks the texts for errors the real filesystems give.
func TestErrTextRealErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "d", "e"), 0o755); err != nil {
		t.Fatal(err)
	}
	osfs := afero.NewOsFs()
	_, err := osfs.Open(filepath.Join(dir, "nosuch"))
	if got := errText(err); got != "No such file or directory" {
		t.Errorf("open missing: %q", got)
	}
	_, err = osfs.Open(filepath.Join(dir, "f", "x"))
	if got := errText(err); got != "Not a directory" {
		t.Errorf("open under file: %q", got)
	}
	err = osfs.Remove(filepath.Join(dir, "d"))
	if got := errText(err); got != "Directory not empty" {
		t.Errorf("remove non-empty: %q", got)
	}
	err = osfs.Mkdir(filepath.Join(dir, "d"), 0o755)
	if got := errText(err); got != "File exists" {
		t.Errorf("mkdir existing: %q", got)
	}
	mem := afero.NewMemMapFs()
	_, err = mem.Open("/nosuch")
	if got := errText(err); got != "No such file or directory" {
		t.Errorf("memmap open missing: %q", got)
	}
}
