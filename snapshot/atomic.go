package snapshot

import (
	"os"
	"path/filepath"
	"strings"
)

// tempPrefix starts the name of every temporary file the store creates. GC
// removes leftovers with this prefix, for instance after a crash.
const tempPrefix = ".tmp-"

// createTemp creates a temporary file in dir, next to the file it will
// replace, so that the final rename stays within one filesystem.
func createTemp(dir string) (*os.File, error) {
	return os.CreateTemp(dir, tempPrefix+"*")
}

// commitTemp makes the temporary file f durable and visible as dst: it syncs
// and closes f, renames it over dst and syncs the directory (the syncs only
// when durable is true). On error the temporary file is removed and dst is
// untouched.
func commitTemp(f *os.File, dst string, durable bool) (err error) {
	name := f.Name()
	defer func() {
		if err != nil {
			os.Remove(name)
		}
	}()
	if durable {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, dst); err != nil {
		return err
	}
	if !durable {
		return nil
	}
	return syncDir(filepath.Dir(dst))
}

// writeFileAtomic replaces path with data: a reader sees either the old
// content or the new one, never a mixture, even after a crash.
func writeFileAtomic(path string, data []byte, durable bool) error {
	f, err := createTemp(filepath.Dir(path))
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	return commitTemp(f, path, durable)
}

// removeDurable removes path and syncs its directory.
func removeDurable(path string) error {
	if err := os.Remove(path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes the entries of dir (creations, renames, removals) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// isTemp reports whether a directory entry is a temporary file.
func isTemp(name string) bool { return strings.HasPrefix(name, tempPrefix) }
