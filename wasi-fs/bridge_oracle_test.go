package wasifs

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/afero"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/experimental/sysfs"
)

// The bridge is checked against wazero's own sys.FS on a real directory
// (sysfs.DirFS, which calls the OS): the same operations must give the same
// results and errno values.

var oraclePaths = []string{"a", "b", "d", "d/a", "d/e", "d/e/f", "a/x", "d/"}

var oracleFlags = []experimentalsys.Oflag{
	experimentalsys.O_RDONLY,
	experimentalsys.O_RDWR,
	experimentalsys.O_WRONLY | experimentalsys.O_CREAT,
	experimentalsys.O_RDWR | experimentalsys.O_CREAT | experimentalsys.O_EXCL,
	experimentalsys.O_WRONLY | experimentalsys.O_CREAT | experimentalsys.O_TRUNC,
	experimentalsys.O_WRONLY | experimentalsys.O_APPEND,
	experimentalsys.O_RDONLY | experimentalsys.O_DIRECTORY,
	experimentalsys.O_RDWR | experimentalsys.O_CREAT | experimentalsys.O_APPEND,
}

// oracleSide is one filesystem under test with at most one open file.
type oracleSide struct {
	fs experimentalsys.FS
	f  experimentalsys.File
}

func (s *oracleSide) closeFile() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// apply runs one operation and describes its result.
func (s *oracleSide) apply(op, a, b byte) string {
	p := oraclePaths[int(a)%len(oraclePaths)]
	q := oraclePaths[int(b)%len(oraclePaths)]
	switch op % 12 {
	case 0:
		s.closeFile()
		flag := oracleFlags[int(b)%len(oracleFlags)]
		f, errno := s.fs.OpenFile(p, flag, 0o644)
		if errno == 0 {
			s.f = f
		}
		return fmt.Sprintf("open %s %#x: %v", p, flag, errno)
	case 1:
		if s.f == nil {
			return "write: no file"
		}
		n, errno := s.f.Write([]byte(strings.Repeat(string('a'+rune(b%26)), int(b%7)+1)))
		return fmt.Sprintf("write: %d %v", n, errno)
	case 2:
		if s.f == nil {
			return "read: no file"
		}
		buf := make([]byte, int(b%9)+1)
		n, errno := s.f.Read(buf)
		return fmt.Sprintf("read: %q %v", buf[:n], errno)
	case 3:
		if s.f == nil {
			return "seek: no file"
		}
		off, errno := s.f.Seek(0, io.SeekStart)
		return fmt.Sprintf("seek: %d %v", off, errno)
	case 4:
		errno := s.fs.Mkdir(p, 0o755)
		if errno == experimentalsys.ENOTDIR {
			// DirFS turns Linux's ENOTDIR (a parent is a file) into ENOENT.
			errno = experimentalsys.ENOENT
		}
		return fmt.Sprintf("mkdir %s: %v", p, errno)
	case 5:
		return fmt.Sprintf("rmdir %s: %v", p, s.fs.Rmdir(p))
	case 6:
		return fmt.Sprintf("unlink %s: %v", p, s.fs.Unlink(p))
	case 7:
		if path.Clean(p) == path.Clean(q) {
			return "rename to itself: not compared (DirFS succeeds without looking)"
		}
		return fmt.Sprintf("rename %s %s: %v", p, q, s.fs.Rename(p, q))
	case 8:
		st, errno := s.fs.Stat(p)
		if errno != 0 {
			return fmt.Sprintf("stat %s: %v", p, errno)
		}
		size := st.Size
		if st.Mode.IsDir() {
			size = 0 // directory sizes differ between filesystems
		}
		return fmt.Sprintf("stat %s: %v %d", p, st.Mode.Type(), size)
	case 9:
		s.closeFile()
		d, errno := s.fs.OpenFile(p, experimentalsys.O_RDONLY, 0)
		if errno != 0 {
			return fmt.Sprintf("list %s: %v", p, errno)
		}
		defer d.Close()
		ents, errno := d.Readdir(-1)
		var names []string
		for _, e := range ents {
			names = append(names, e.Name+":"+e.Type.String())
		}
		sort.Strings(names)
		return fmt.Sprintf("list %s: %v %v", p, names, errno)
	case 10:
		if s.f == nil {
			return "truncate: no file"
		}
		return fmt.Sprintf("truncate: %v", s.f.Truncate(int64(b%5)))
	default:
		if s.f == nil {
			return "pread: no file"
		}
		buf := make([]byte, 4)
		n, errno := s.f.Pread(buf, int64(b%6))
		return fmt.Sprintf("pread: %q %v", buf[:n], errno)
	}
}

// oracleSeed is what a lower layer and the OS directory start with, when
// seeded: a file, and a file in nested directories.
var oracleSeed = map[string]string{"b": "lower-b", "d/e/f": "lower-f"}

// seededOverlay returns an overlay whose lower layer holds oracleSeed.
func seededOverlay(t *testing.T) afero.Fs {
	lower := NewMemLayer()
	for name, data := range oracleSeed {
		if err := lower.MkdirAll(path.Dir("/"+name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := afero.WriteFile(lower, "/"+name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return New(NewMemLayer(), lower)
}

func runBridgeOracle(t *testing.T, ops []byte, layer afero.Fs, seeded bool) {
	t.Helper()
	dir := t.TempDir()
	if seeded {
		for name, data := range oracleSeed {
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	bridge := &oracleSide{fs: MountFS(layer).(experimentalsys.FS)}
	oracle := &oracleSide{fs: sysfs.DirFS(dir)}
	defer bridge.closeFile()
	defer oracle.closeFile()
	var log []string
	for i := 0; i+2 < len(ops); i += 3 {
		want := oracle.apply(ops[i], ops[i+1], ops[i+2])
		got := bridge.apply(ops[i], ops[i+1], ops[i+2])
		log = append(log, want)
		if got != want {
			t.Fatalf("step %d: bridge %q, OS %q\nsteps:\n%s", i/3, got, want, strings.Join(log, "\n"))
		}
	}
}

func TestBridgeOracle(t *testing.T) {
	for name, ops := range map[string][]byte{
		// mkdir d; mkdir d/e; open d/e/f creat; write; seek; read; rename d x (a);
		"tree": {4, 2, 0, 4, 4, 0, 0, 5, 2, 1, 0, 3, 3, 0, 0, 2, 0, 8, 7, 2, 0, 9, 2, 0, 5, 2, 0, 6, 2, 0, 5, 4, 0},
		// open a creat, write, open a excl, open a append, write, read, stat, list .
		"file": {0, 0, 2, 1, 0, 4, 0, 0, 3, 0, 0, 5, 1, 0, 9, 2, 0, 0, 8, 0, 0, 9, 7, 0, 10, 0, 3, 11, 0, 1},
		// rename file over dir, dir over file, non-empty over empty
		"rename": {0, 0, 2, 4, 2, 0, 7, 0, 2, 7, 2, 0, 4, 4, 0, 0, 3, 2, 4, 1, 0, 7, 2, 1, 7, 1, 2, 7, 6, 2},
	} {
		t.Run(name, func(t *testing.T) {
			runBridgeOracle(t, ops, NewMemLayer(), false)
			runBridgeOracle(t, ops, New(NewMemLayer(), NewMemLayer()), false)
			runBridgeOracle(t, ops, seededOverlay(t), true)
		})
	}
}

// FuzzBridgeOps runs random operation sequences on the bridge over an
// overlay (with files in its lower layer) and over wazero's DirFS on a real
// directory holding the same files, and requires the same results.
func FuzzBridgeOps(f *testing.F) {
	f.Add([]byte{4, 2, 0, 0, 3, 2, 1, 0, 3, 7, 3, 0, 9, 2, 0})
	f.Add([]byte{0, 0, 2, 1, 0, 4, 0, 0, 5, 1, 0, 9, 3, 0, 0, 2, 0, 8})
	f.Add([]byte{4, 2, 0, 4, 4, 0, 5, 2, 0, 6, 2, 0, 7, 2, 1, 7, 4, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 300 {
			ops = ops[:300]
		}
		runBridgeOracle(t, ops, seededOverlay(t), true)
	})
}
