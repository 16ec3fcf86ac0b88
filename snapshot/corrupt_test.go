package snapshot

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/providers"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// corruptFixture commits two independent chains, damages the first with
// damage, and returns a fresh Store on the directory (so nothing is
// cached) with the IDs: damaged base, its child, and the intact layer.
func corruptFixture(t *testing.T, damage func(s *Store, info Info)) (s *Store, bad, child, good string) {
	t.Helper()
	ctx := context.Background()
	s = mustOpen(t, t.TempDir())
	l := wasifs.NewMemLayer()
	writeFile(t, l, "/w/f", strings.Repeat("damaged chain ", 1000))
	bad, err := s.Commit(ctx, l, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	l = wasifs.NewMemLayer()
	writeFile(t, l, "/w/g", "child")
	child, err = s.Commit(ctx, l, bad, nil)
	if err != nil {
		t.Fatal(err)
	}
	l = wasifs.NewMemLayer()
	writeFile(t, l, "/w/f", "intact")
	good, err = s.Commit(ctx, l, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	damage(s, mustStat(t, s, bad))
	return mustOpen(t, s.Dir()), bad, child, good
}

func TestCorruptBlob(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, s *Store, info Info)
	}{
		{"truncated", func(t *testing.T, s *Store, info Info) {
			if err := os.Truncate(s.blobPath(info.Digest), info.Size/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"truncated to a tar boundary", func(t *testing.T, s *Store, info Info) {
			if err := os.Truncate(s.blobPath(info.Digest), 512); err != nil {
				t.Fatal(err)
			}
		}},
		{"empty", func(t *testing.T, s *Store, info Info) {
			if err := os.Truncate(s.blobPath(info.Digest), 0); err != nil {
				t.Fatal(err)
			}
		}},
		{"flipped byte", func(t *testing.T, s *Store, info Info) {
			p := s.blobPath(info.Digest)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0x20
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"garbage header", func(t *testing.T, s *Store, info Info) {
			p := s.blobPath(info.Digest)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			copy(b, strings.Repeat("\xff", 512))
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"missing", func(t *testing.T, s *Store, info Info) {
			if err := os.Remove(s.blobPath(info.Digest)); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, bad, child, good := corruptFixture(t, func(s *Store, info Info) { tc.damage(t, s, info) })
			for _, id := range []string{bad, child} {
				_, err := s.Open(id)
				wantCode(t, err, providers.CodeSnapshotRestoreError, ErrCorrupt)
				_, err = s.Fork(id)
				wantCode(t, err, providers.CodeSnapshotRestoreError, ErrCorrupt)
				_, err = s.Layers(id)
				wantCode(t, err, providers.CodeSnapshotRestoreError, ErrCorrupt)
				err = s.Export(ctx, id, io.Discard, ExportOptions{})
				wantCode(t, err, providers.CodeSnapshotRestoreError, ErrCorrupt)
				_, err = s.Diff(id)
				wantCode(t, err, providers.CodeSnapshotRestoreError, ErrCorrupt)
				// Asking again gives the same answer (nothing half-loaded
				// was cached).
				_, err = s.Open(id)
				wantCode(t, err, providers.CodeSnapshotRestoreError, ErrCorrupt)
			}
			// The rest of the store works.
			v, err := s.Open(good)
			if err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, v, "/w/f"); got != "intact" {
				t.Errorf("intact layer reads %q", got)
			}
			ws, _ := s.Fork(good)
			writeFile(t, ws, "/w/new", "new")
			if _, err := s.Commit(ctx, ws.Upper(), good, nil); err != nil {
				t.Fatal(err)
			}
			if len(s.List()) != 4 {
				t.Errorf("List has %d layers, want 4", len(s.List()))
			}
			// The damaged chain can be removed.
			if err := s.Remove(child); err != nil {
				t.Fatal(err)
			}
			if err := s.Remove(bad); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCommitRepairsBlob(t *testing.T) {
	ctx := context.Background()
	mt := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	layer := func() afero.Fs {
		l := wasifs.NewMemLayer()
		writeFile(t, l, "/w/f", strings.Repeat("x", 5000))
		for _, p := range []string{"/w/f", "/w"} {
			if err := l.Chtimes(p, mt, mt); err != nil {
				t.Fatal(err)
			}
		}
		return l
	}
	dir := t.TempDir()
	id, err := mustOpen(t, dir).Commit(ctx, layer(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, dir)
	if err := os.Truncate(s.blobPath(mustStat(t, s, id).Digest), 100); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(id); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open of a truncated blob: %v", err)
	}
	// Committing the identical layer again rewrites the blob.
	again, err := s.Commit(ctx, layer(), "", nil)
	if err != nil || again != id {
		t.Fatalf("recommit = %s, %v; want %s", again, err, id)
	}
	v, err := mustOpen(t, dir).Open(id)
	if err != nil {
		t.Fatalf("Open after the repair, from disk: %v", err)
	}
	if got := readFile(t, v, "/w/f"); len(got) != 5000 {
		t.Errorf("repaired file has %d bytes", len(got))
	}
}

func TestCorruptMetadata(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, p string)
	}{
		{"not json", func(t *testing.T, p string) { os.WriteFile(p, []byte("{not json"), 0o644) }},
		{"empty", func(t *testing.T, p string) { os.WriteFile(p, nil, 0o644) }},
		{"wrong id", func(t *testing.T, p string) {
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), `"id": "`, `"id": "0`, 1)), 0o644)
		}},
		{"wrong digest", func(t *testing.T, p string) {
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), `"digest": "sha256:`, `"digest": "sha256:0`, 1)), 0o644)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, bad, child, good := corruptFixture(t, func(s *Store, info Info) { tc.damage(t, s.metaPath(info.ID)) })
			_, err := s.Stat(bad)
			wantCode(t, err, providers.CodeSnapshotError, ErrCorrupt)
			_, err = s.Open(bad)
			wantCode(t, err, providers.CodeSnapshotRestoreError, ErrCorrupt)
			_, err = s.Open(child)
			wantCode(t, err, providers.CodeSnapshotRestoreError, ErrCorrupt)
			for _, info := range s.List() {
				if info.ID == bad {
					t.Error("a layer with corrupt metadata is listed")
				}
			}
			if _, err := s.Open(good); err != nil {
				t.Fatal(err)
			}
			if err := s.Remove(bad); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(s.metaDir(), bad+".json")); !os.IsNotExist(err) {
				t.Errorf("corrupt metadata not removed: %v", err)
			}
		})
	}
}
