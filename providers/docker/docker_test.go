package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/providertest"
)

// testImage is the image the tests run: WSBX_DOCKER_TEST_IMAGE, or a
// busybox image built from the host's busybox-static when missing.
func testImage() string {
	if s := os.Getenv("WSBX_DOCKER_TEST_IMAGE"); s != "" {
		return s
	}
	return "wsbx-test-busybox:latest"
}

var imageOnce struct {
	sync.Once
	err error
}

// newProvider returns a provider on the local engine, skipping t (failing it
// when CI=true) when no engine answers.
func newProvider(t testing.TB) *Provider {
	t.Helper()
	p, err := New(Config{Image: testImage()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Ping(ctx); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Docker engine answers in CI: %v", err)
		}
		t.Skipf("skipping: no Docker engine answers (%v); start one with .ci/docker-setup.sh", err)
	}
	imageOnce.Do(func() { imageOnce.err = ensureImage(ctx, p, testImage()) })
	if imageOnce.err != nil {
		t.Fatalf("test image %s: %v", testImage(), imageOnce.err)
	}
	return p
}

// ensureImage builds ref with docker import from the host's busybox-static
// when the engine does not have it (.ci/docker-setup.sh builds the same).
func ensureImage(ctx context.Context, p *Provider, ref string) error {
	if _, err := p.cli.ImageInspect(ctx, ref); err == nil {
		return nil
	}
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		return errors.New("no /bin/busybox to build the image from (apt-get install busybox-static)")
	}
	list, err := exec.Command("/bin/busybox", "--list").Output()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Now()
	for _, d := range []string{"bin", "etc", "tmp", "workspace", "root", "proc", "sys", "dev", "usr", "usr/bin"} {
		mode := int64(0o755)
		if d == "tmp" {
			mode = 0o1777
		}
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: mode, ModTime: now})
	}
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: int64(len(bb)), ModTime: now})
	tw.Write(bb)
	for _, a := range strings.Fields(string(list)) {
		if a != "busybox" {
			tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + a, Linkname: "busybox", ModTime: now})
		}
	}
	for name, body := range map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
		"etc/group":  "root:x:0:\n",
		"etc/shadow": "root:*:1:0:99999:7:::\n",
	} {
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(body)), ModTime: now})
		tw.Write([]byte(body))
	}
	if err := tw.Close(); err != nil {
		return err
	}
	rc, err := p.cli.ImageImport(ctx, image.ImportSource{Source: &buf, SourceName: "-"}, ref, image.ImportOptions{
		Changes: []string{"ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin", `CMD ["/bin/sh"]`},
	})
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}

// commitOptions enables docker commit snapshots.
var commitOptions = json.RawMessage(`{"commit_snapshots":true}`)

// removeTestSnapshots removes the snapshot images committed since start.
func removeTestSnapshots(t *testing.T, start time.Time) {
	t.Cleanup(func() {
		p, err := New(Config{})
		if err != nil {
			return
		}
		defer p.Close()
		ctx := context.Background()
		list, err := p.cli.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("label", "dev.wsbx.snapshot=1"))})
		if err != nil {
			return
		}
		for _, im := range list {
			if time.Unix(im.Created, 0).After(start.Add(-time.Second)) {
				p.RemoveSnapshot(ctx, providers.SnapshotRef{Provider: Name, ID: im.ID})
			}
		}
	})
}

func TestConformance(t *testing.T) {
	removeTestSnapshots(t, time.Now())
	providertest.Run(t, func(t *testing.T) providers.Provider { return newProvider(t) },
		providertest.WithSpec(providers.SessionSpec{Options: commitOptions}))
}

// TestConformanceReadOnlyRoot runs the suite on sessions with a read-only
// root filesystem, where the workspace is a volume and /tmp a tmpfs.
func TestConformanceReadOnlyRoot(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the second conformance run in -short mode")
	}
	providertest.Run(t, func(t *testing.T) providers.Provider { return newProvider(t) },
		providertest.WithSpec(providers.SessionSpec{Options: json.RawMessage(`{"read_only_root":true}`)}),
		providertest.Skip("files/large", "covered by TestConformance; the volume holds the same data"),
		providertest.Skip("exec/custom-root", "covered by TestConformance"),
	)
}
