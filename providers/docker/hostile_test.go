package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
)

// session creates a session on p, closed when t ends.
func newSessionT(t *testing.T, p *Provider, spec providers.SessionSpec) *session {
	t.Helper()
	ctx := context.Background()
	s, err := p.Create(ctx, spec)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s.(*session)
}

// sh runs cmd and returns its result, failing t on an error.
func sh(t *testing.T, s providers.Session, cmd string, timeout time.Duration) *providers.ExecResult {
	t.Helper()
	res, err := s.Exec(context.Background(), providers.ExecRequest{Command: cmd, Timeout: timeout})
	if err != nil && !errors.Is(err, providers.ErrExecTimeout) {
		t.Fatalf("Exec(%q): %v", cmd, err)
	}
	return res
}

// processes counts the processes in the container.
func processes(t *testing.T, s providers.Session) int {
	t.Helper()
	res := sh(t, s, "ls -d /proc/[0-9]* | wc -l", time.Minute)
	n, err := strconv.Atoi(strings.TrimSpace(string(res.Stdout)))
	if err != nil {
		t.Fatalf("counting processes: %q %q", res.Stdout, res.Stderr)
	}
	return n
}

func TestForkBombContained(t *testing.T) {
	p := newProvider(t)
	s := newSessionT(t, p, providers.SessionSpec{Limits: providers.Limits{PIDs: 64}})
	before := processes(t, s)
	start := time.Now()
	// busybox sh does not take ":" as a function name; the bomb is the same.
	res, err := s.Exec(context.Background(), providers.ExecRequest{
		Command: "b(){ b|b& };b; sleep 3",
		Timeout: 10 * time.Second,
	})
	if err != nil && !errors.Is(err, providers.ErrExecTimeout) {
		t.Fatalf("fork bomb: %v", err)
	}
	t.Logf("fork bomb: %v after %v (exit %d), stderr %.200q", err, time.Since(start), res.ExitCode, res.Stderr)
	if !strings.Contains(string(res.Stderr), "fork") {
		t.Errorf("the fork bomb never hit the PID limit (stderr %.200q)", res.Stderr)
	}
	if got := string(sh(t, s, "echo alive", time.Minute).Stdout); got != "alive\n" {
		t.Fatalf("after the fork bomb the session printed %q", got)
	}
	if after := processes(t, s); after > before+2 {
		t.Errorf("%d processes before the fork bomb, %d after: it was not cleaned up", before, after)
	}
	info, err := p.cli.ContainerInspect(context.Background(), s.id)
	if err != nil {
		t.Fatal(err)
	}
	if info.HostConfig.PidsLimit == nil || *info.HostConfig.PidsLimit != 64 {
		t.Errorf("PID limit after the kill = %v, want 64 restored", info.HostConfig.PidsLimit)
	}
}

func TestMemoryBombContained(t *testing.T) {
	p := newProvider(t)
	s := newSessionT(t, p, providers.SessionSpec{Limits: providers.Limits{MemoryBytes: 64 << 20}})
	res := sh(t, s, "a=xxxxxxxxxxxxxxxx; while :; do a=$a$a; done", 2*time.Minute)
	if res.ExitCode == 0 {
		t.Errorf("memory bomb exited 0")
	}
	t.Logf("memory bomb: exit %d, stderr %q", res.ExitCode, res.Stderr)
	if got := string(sh(t, s, "echo alive", time.Minute).Stdout); got != "alive\n" {
		t.Fatalf("after the memory bomb the session printed %q", got)
	}
	info, err := p.cli.ContainerInspect(context.Background(), s.id)
	if err != nil {
		t.Fatal(err)
	}
	if info.HostConfig.Memory != 64<<20 {
		t.Errorf("container memory limit = %d", info.HostConfig.Memory)
	}
}

func TestHostilePathsRefused(t *testing.T) {
	p := newProvider(t)
	s := newSessionT(t, p, providers.SessionSpec{})
	ctx := context.Background()
	sh(t, s, "ln -s /etc etc && ln -s /etc/shadow shadow", time.Minute)
	for _, path := range []string{"../../etc/shadow", "/etc/shadow", "etc/shadow", "shadow", "./../workspace/../etc/shadow"} {
		rc, err := s.ReadFile(ctx, path)
		if err == nil {
			rc.Close()
		}
		if !errors.Is(err, providers.ErrPathEscape) {
			t.Errorf("ReadFile(%q) = %v, want %s", path, err, providers.CodePathEscape)
		}
	}
}

func TestOutputFloodCapped(t *testing.T) {
	p := newProvider(t)
	s := newSessionT(t, p, providers.SessionSpec{})
	res, err := s.Exec(context.Background(), providers.ExecRequest{Command: "yes flood", Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatalf("Exec: %v", err)
	}
	if !res.StdoutTruncated || len(res.Stdout) != providers.DefaultMaxOutputBytes {
		t.Errorf("flood: truncated %v with %d bytes, want truncated at %d", res.StdoutTruncated, len(res.Stdout), providers.DefaultMaxOutputBytes)
	}
	if got := string(sh(t, s, "echo alive; ls -d /proc/[0-9]* | wc -l", time.Minute).Stdout); !strings.HasPrefix(got, "alive\n") {
		t.Fatalf("after the flood the session printed %q", got)
	}
}

func TestContainerHardening(t *testing.T) {
	p := newProvider(t)
	const secret = "s3cret-env-value-91"
	s := newSessionT(t, p, providers.SessionSpec{
		Env:    map[string]string{"API_TOKEN": secret},
		Limits: providers.Limits{MemoryBytes: 128 << 20, CPUs: 0.5, PIDs: 100},
		Labels: map[string]string{"owner": "test"},
	})
	info, err := p.cli.ContainerInspect(context.Background(), s.id)
	if err != nil {
		t.Fatal(err)
	}
	hc := info.HostConfig
	if string(hc.NetworkMode) != "none" {
		t.Errorf("network mode %q, want none", hc.NetworkMode)
	}
	if strings.Join(hc.CapDrop, ",") != "ALL" {
		t.Errorf("CapDrop = %v", hc.CapDrop)
	}
	if strings.Join(hc.SecurityOpt, ",") != "no-new-privileges" {
		t.Errorf("SecurityOpt = %v", hc.SecurityOpt)
	}
	if hc.Memory != 128<<20 || hc.NanoCPUs != 5e8 || hc.PidsLimit == nil || *hc.PidsLimit != 100 {
		t.Errorf("resources = memory %d, nano cpus %d, pids %v", hc.Memory, hc.NanoCPUs, hc.PidsLimit)
	}
	if info.Config.Labels[LabelSession] != "1" || info.Config.Labels[LabelPrefix+"owner"] != "test" {
		t.Errorf("labels = %v", info.Config.Labels)
	}
	raw, _ := json.Marshal(info)
	if strings.Contains(string(raw), secret) {
		t.Error("the container's configuration holds a session environment value")
	}
	if got := string(sh(t, s, `echo "$API_TOKEN"; ls /sys/class/net`, time.Minute).Stdout); got != secret+"\nlo\n" {
		t.Errorf("exec sees %q, want the token and only the loopback interface", got)
	}
	st, err := s.State(context.Background())
	if err != nil || strings.Contains(string(st), secret) {
		t.Errorf("State = %s, %v: want no secret", st, err)
	}
	// A network grant of some hosts cannot be enforced and is refused.
	_, err = p.Create(context.Background(), providers.SessionSpec{Network: &providers.NetworkGrant{Hosts: []string{"example.com"}}})
	if !errors.Is(err, &providers.Error{Code: providers.CodeInvalidRequest}) {
		t.Errorf("Create with a host grant = %v, want %s", err, providers.CodeInvalidRequest)
	}
}

func TestReadOnlyRoot(t *testing.T) {
	p := newProvider(t)
	s := newSessionT(t, p, providers.SessionSpec{Options: json.RawMessage(`{"read_only_root":true}`)})
	res := sh(t, s, "touch /etc/x 2>/dev/null; echo $?; echo t > /tmp/t && cat /tmp/t; echo w > w && cat w", time.Minute)
	if got := string(res.Stdout); got != "1\nt\nw\n" {
		t.Errorf("read-only root: %q, want the root refused and /tmp and the workspace writable", got)
	}
	if _, err := s.Snapshot(context.Background()); !errors.Is(err, providers.ErrUnsupported) {
		t.Errorf("Snapshot with a read-only root = %v, want %s", err, providers.CodeUnsupported)
	}
}

func TestCloseRemovesContainer(t *testing.T) {
	p := newProvider(t)
	s := newSessionT(t, p, providers.SessionSpec{})
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.cli.ContainerInspect(context.Background(), s.id); !isNotFound(err) {
		t.Errorf("container after Close: %v, want not found", err)
	}
}

func TestRemoveOrphans(t *testing.T) {
	p := newProvider(t)
	run := fmt.Sprintf("orphans-%d", time.Now().UnixNano())
	spec := providers.SessionSpec{Labels: map[string]string{"run": run}}
	kept := newSessionT(t, p, spec)
	// A session of another provider value that is never closed.
	other := newProvider(t)
	lost, err := other.Create(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	lostID := lost.(*session).id
	removed, err := p.RemoveOrphans(context.Background(), map[string]string{"run": run})
	if err != nil {
		t.Fatalf("RemoveOrphans: %v", err)
	}
	if len(removed) != 1 || removed[0] != lostID {
		t.Errorf("removed %v, want only %s", removed, lostID)
	}
	if got := string(sh(t, kept, "echo kept", time.Minute).Stdout); got != "kept\n" {
		t.Errorf("the open session printed %q", got)
	}
	if err := lost.Close(context.Background()); err != nil {
		t.Errorf("Close of a removed session: %v", err)
	}
}

func TestResumeRecreatesFromSnapshot(t *testing.T) {
	p := newProvider(t)
	ctx := context.Background()
	spec := providers.SessionSpec{Options: commitOptions, Env: map[string]string{"K": "v"}}
	s := newSessionT(t, p, spec)
	if err := s.WriteFile(ctx, "keep.txt", strings.NewReader("kept"), 0); err != nil {
		t.Fatal(err)
	}
	state, err := s.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ Snapshot string }
	json.Unmarshal(state, &st)
	t.Cleanup(func() { p.RemoveSnapshot(context.Background(), providers.SnapshotRef{Provider: Name, ID: st.Snapshot}) })
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := p.Resume(ctx, state, spec)
	if err != nil {
		t.Fatalf("Resume after the container is gone: %v", err)
	}
	defer r.Close(ctx)
	if got := string(sh(t, r, "cat keep.txt; echo $K", time.Minute).Stdout); got != "keptv\n" {
		t.Errorf("the recreated session printed %q", got)
	}
}
