// Command fsprobe exercises a WASI filesystem from inside a guest: it
// creates, writes, appends, reads, renames, removes, lists and stats files,
// makes and reads a symlink, truncates and sets times, and checks the errors
// of failing calls. It prints one line per step and exits 1 at the first
// unexpected result.
//
// It works in its working directory, which must already hold lower.txt,
// data/in.txt and gone/x.txt (the files a host places in a lower layer).
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"
)

func main() {
	wd, err := os.Getwd()
	check("getwd", err)
	say("pwd %s", wd)

	check("mkdir", os.Mkdir("probe", 0o755))
	check("create", os.WriteFile("probe/a.txt", []byte("hello\n"), 0o644))
	f, err := os.OpenFile("probe/a.txt", os.O_WRONLY|os.O_APPEND, 0)
	check("open append", err)
	_, err = f.Seek(0, io.SeekStart)
	check("seek", err)
	_, err = f.WriteString("world\n")
	check("append", err)
	check("close", f.Close())
	say("read probe/a.txt %q", read("probe/a.txt"))
	check("rename", os.Rename("probe/a.txt", "probe/b.txt"))
	check("create tmp", os.WriteFile("probe/tmp", []byte("x"), 0o644))
	check("remove tmp", os.Remove("probe/tmp"))

	say("read data/in.txt %q", read("data/in.txt"))
	check("rename lower", os.Rename("data/in.txt", "data/moved.txt"))
	f, err = os.OpenFile("data/moved.txt", os.O_WRONLY|os.O_APPEND, 0)
	check("open lower append", err)
	_, err = f.WriteString("more\n")
	check("append lower", err)
	check("close", f.Close())
	say("read data/moved.txt %q", read("data/moved.txt"))
	check("remove lower", os.Remove("lower.txt"))
	check("removeall lower dir", os.RemoveAll("gone"))

	check("create t", os.WriteFile("probe/t.txt", []byte("123456789"), 0o644))
	check("truncate", os.Truncate("probe/t.txt", 4))
	say("read probe/t.txt %q", read("probe/t.txt"))
	mtime := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	check("chtimes", os.Chtimes("probe/t.txt", mtime, mtime))

	check("symlink", os.Symlink("b.txt", "probe/link"))
	target, err := os.Readlink("probe/link")
	check("readlink", err)
	li, err := os.Lstat("probe/link")
	check("lstat", err)
	say("link -> %s symlink=%v read %q", target, li.Mode()&fs.ModeSymlink != 0, read("probe/link"))

	say("list . %s", list("."))
	say("list probe %s", list("probe"))
	say("list data %s", list("data"))

	d, err := os.Open("probe")
	check("open dir", err)
	first, err := d.Readdirnames(1)
	check("readdir 1", err)
	_, err = d.Seek(0, io.SeekStart)
	check("rewind", err)
	all, err := d.Readdirnames(-1)
	check("readdir all", err)
	check("close dir", d.Close())
	say("rewind first=%v all=%v", first, all)

	bi, err := os.Stat("probe/b.txt")
	check("stat", err)
	bi2, err := os.Stat("probe/link")
	check("stat link", err)
	ti, err := os.Stat("probe/t.txt")
	check("stat t", err)
	pi, err := os.Stat("probe")
	check("stat dir", err)
	say("stat b.txt size=%d mode=%v same-as-link=%v", bi.Size(), bi.Mode(), os.SameFile(bi, bi2))
	say("stat t.txt mtime=%s", ti.ModTime().UTC().Format(time.RFC3339))
	say("stat probe dir=%v mode=%v", pi.IsDir(), pi.Mode())

	_, err = os.Open("missing")
	expect("open missing", err, fs.ErrNotExist)
	_, err = os.OpenFile("probe/b.txt", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	expect("create excl", err, fs.ErrExist)
	expect("rmdir non-empty", syscall.Rmdir("probe"), syscall.ENOTEMPTY)
	expect("mkdir existing", os.Mkdir("probe", 0o755), fs.ErrExist)
	_, err = os.Stat("lower.txt")
	expect("stat removed", err, fs.ErrNotExist)
	expect("read escape", readErr("../../../../etc/passwd-wsbx-canary"), fs.ErrNotExist)
	say("ok")
}

func say(format string, args ...any) { fmt.Printf(format+"\n", args...) }

func check(step string, err error) {
	if err != nil {
		fmt.Printf("FAIL %s: %v\n", step, err)
		os.Exit(1)
	}
}

func expect(step string, err, want error) {
	if !errors.Is(err, want) {
		fmt.Printf("FAIL %s: got %v, want %v\n", step, err, want)
		os.Exit(1)
	}
	say("%s: %v", step, want)
}

func read(name string) string {
	b, err := os.ReadFile(name)
	check("read "+name, err)
	return string(b)
}

func readErr(name string) error {
	_, err := os.ReadFile(name)
	return err
}

func list(dir string) string {
	entries, err := os.ReadDir(dir)
	check("list "+dir, err)
	var names []string
	for _, e := range entries {
		n := e.Name()
		switch {
		case e.IsDir():
			n += "/"
		case e.Type()&fs.ModeSymlink != 0:
			n += "@"
		}
		names = append(names, n)
	}
	return strings.Join(names, " ")
}
