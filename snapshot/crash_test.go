package snapshot

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
)

// crashEnv names the store directory when the test binary runs as the
// child of TestCrashDuringCommit.
const crashEnv = "WSBX_SNAPSHOT_CRASH_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		crashChild(dir)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashContent is the content of file n of the crash test's chain.
func crashContent(n int) []byte {
	b := make([]byte, 16<<10+(n%5)*32<<10)
	for i := range b {
		b[i] = byte('a' + (n+i/4096)%26)
	}
	return b
}

// crashNames lists the files of the layer at depth n of the crash test's
// chain: f0..fn, except every f(k-1) with k a positive multiple of 3,
// which layer k deletes, and "last", holding n. File fk holds
// crashContent(k).
func crashNames(n int) map[string]bool {
	want := map[string]bool{"last": true}
	for k := 0; k <= n; k++ {
		want["f"+strconv.Itoa(k)] = true
		if k > 0 && k%3 == 0 {
			delete(want, "f"+strconv.Itoa(k-1))
		}
	}
	return want
}

// crashChild commits a chain of layers forever, appending "depth id" to the
// log next to dir after each commit returns. It continues the chain from
// the last logged layer.
func crashChild(dir string) {
	ctx := context.Background()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	s, err := Open(dir)
	if err != nil {
		fail(err)
	}
	logPath := dir + ".log"
	n, parent := 0, ""
	if data, err := os.ReadFile(logPath); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if f := strings.Fields(line); len(f) == 2 {
				d, _ := strconv.Atoi(f[0])
				n, parent = d+1, f[1]
			}
		}
	}
	log, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		fail(err)
	}
	if _, err := s.Layers(parent); err != nil { // load the chain before saying ready
		fail(err)
	}
	fmt.Println("ready")
	for ; ; n++ {
		ws, err := s.Fork(parent)
		if err != nil {
			fail(err)
		}
		if err := ws.MkdirAll("/w", 0o755); err != nil {
			fail(err)
		}
		if err := afero.WriteFile(ws, "/w/f"+strconv.Itoa(n), crashContent(n), 0o644); err != nil {
			fail(err)
		}
		if n > 0 && n%3 == 0 {
			if err := ws.Remove("/w/f" + strconv.Itoa(n-1)); err != nil {
				fail(err)
			}
		}
		if err := afero.WriteFile(ws, "/w/last", []byte(strconv.Itoa(n)), 0o644); err != nil {
			fail(err)
		}
		id, err := s.Commit(ctx, ws.Upper(), parent, map[string]string{"depth": strconv.Itoa(n)})
		if err != nil {
			fail(err)
		}
		if _, err := fmt.Fprintf(log, "%d %s\n", n, id); err != nil {
			fail(err)
		}
		if err := log.Sync(); err != nil {
			fail(err)
		}
		parent = id
	}
}

// TestCrashDuringCommit kills a child process that commits in a loop, at
// random moments, again and again. After every kill, a new Store must list
// every layer the child saw committed, each intact, and list nothing that
// is not intact.
func TestCrashDuringCommit(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "store")
	rounds := 12
	if testing.Short() {
		rounds = 4
	}
	var logged int
	tempsSeen := map[string]bool{}
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill at a random moment once the child is committing.
		if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child said %q\n%s", line, stderr.String())
		}
		time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		err = cmd.Wait()
		if strings.Contains(stderr.String(), "crash child:") {
			t.Fatalf("child failed before the kill: %v\n%s", err, stderr.String())
		}

		// Evidence that kills land mid-commit: temporary files left behind.
		for _, d := range []string{"blobs/sha256", "layers"} {
			for _, name := range dirEntries(t, filepath.Join(dir, d)) {
				if isTemp(name) {
					tempsSeen[name] = true
				}
			}
		}
		logged = verifyCrashStore(t, dir)
	}
	t.Logf("%d kills, %d layers logged as committed, %d temporary files left by kills", rounds, logged, len(tempsSeen))
	if logged == 0 {
		t.Fatal("the child never committed; the test proved nothing")
	}

	s := mustOpen(t, dir)
	st, err := s.GC(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("GC after the kills: %+v", st)
	for _, d := range []string{"blobs/sha256", "layers"} {
		for _, name := range dirEntries(t, filepath.Join(dir, d)) {
			if isTemp(name) {
				t.Errorf("GC left %s", name)
			}
		}
	}
	verifyCrashStore(t, dir)
}

// verifyCrashStore opens the store fresh and checks every logged and every
// listed layer. It returns the number of logged layers.
func verifyCrashStore(t *testing.T, dir string) int {
	t.Helper()
	s := mustOpen(t, dir)
	listed := map[string]Info{}
	for _, info := range s.List() {
		listed[info.ID] = info
	}
	f, err := os.Open(dir + ".log")
	if os.IsNotExist(err) {
		if len(listed) > 1 {
			t.Errorf("nothing logged but %d layers listed", len(listed))
		}
		return 0
	} else if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	logged := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			continue // a line cut by the kill
		}
		if _, ok := listed[fields[1]]; !ok {
			t.Errorf("layer %s (depth %s) was committed but is not listed", fields[1], fields[0])
		}
		logged++
	}
	for id, info := range listed {
		depth, err := strconv.Atoi(info.Labels["depth"])
		if err != nil {
			t.Errorf("layer %s has labels %v", id, info.Labels)
			continue
		}
		v, err := s.Open(id)
		if err != nil {
			t.Errorf("listed layer %s does not open: %v", id, err)
			continue
		}
		// Every name of the chain, and the content this layer wrote (the
		// rest was checked at its own depth; blobs are checked by digest).
		want := crashNames(depth)
		names, err := readDirNames(v, "/w")
		if err != nil {
			t.Error(err)
			continue
		}
		if len(names) != len(want) {
			t.Errorf("layer %s at depth %d has %d files, want %d", id, depth, len(names), len(want))
		}
		for _, n := range names {
			if !want[n] {
				t.Errorf("layer %s at depth %d has unexpected /w/%s", id, depth, n)
			}
		}
		if got := readFile(t, v, "/w/last"); got != strconv.Itoa(depth) {
			t.Errorf("layer %s at depth %d: last = %q", id, depth, got)
		}
		if got := readFile(t, v, "/w/f"+strconv.Itoa(depth)); got != string(crashContent(depth)) {
			t.Errorf("layer %s at depth %d: f%d has %d bytes, want %d", id, depth, depth, len(got), len(crashContent(depth)))
		}
	}
	return logged
}
