package snapshot

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/wsbx/wsbx/providers"
)

func TestExportImport(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	ws, _ := s.Fork("")
	writeFile(t, ws, "/etc/hosts", "outside the workspace")
	writeFile(t, ws, "/workspace/a", "a")
	writeFile(t, ws, "/workspace/gone", "gone")
	writeFile(t, ws, "/workspace/sub/b", "b")
	base, err := s.Commit(ctx, ws.Upper(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	ws, _ = s.Fork(base)
	writeFile(t, ws, "/workspace/a", "A")
	if err := ws.Remove("/workspace/gone"); err != nil {
		t.Fatal(err)
	}
	symlinkT(t, ws, "sub/b", "/workspace/link")
	mt := time.Date(2022, 2, 2, 2, 2, 2, 2, time.UTC)
	if err := ws.Chtimes("/workspace/sub/b", mt, mt); err != nil {
		t.Fatal(err)
	}
	top, err := s.Commit(ctx, ws.Upper(), base, nil)
	if err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	if err := s.Export(ctx, top, &buf, ExportOptions{Root: "workspace"}); err != nil {
		t.Fatal(err)
	}
	archive := buf.Bytes()
	var names []string
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
	if want := []string{"a", "link", "sub/", "sub/b"}; !slices.Equal(names, want) {
		t.Errorf("exported members %q, want %q (flattened, workspace-relative)", names, want)
	}
	buf.Reset()
	if err := s.Export(ctx, top, &buf, ExportOptions{Root: "workspace"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), archive) {
		t.Error("Export is not deterministic")
	}

	// Import into another store, under the same root.
	s2 := mustOpen(t, t.TempDir())
	id, err := s2.Import(ctx, bytes.NewReader(archive), ImportOptions{Root: "workspace", Labels: map[string]string{"from": "export"}})
	if err != nil {
		t.Fatal(err)
	}
	v1, _ := s.Open(top)
	v2, err := s2.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tree(t, v2, "/workspace"), tree(t, v1, "/workspace"); got != want {
		t.Errorf("imported:\n%s\nwant:\n%s", got, want)
	}
	if fi, err := v2.Stat("/workspace/sub/b"); err != nil || !fi.ModTime().Equal(mt) {
		t.Errorf("imported mtime: %v, %v", fi.ModTime(), err)
	}
	var buf2 bytes.Buffer
	if err := s2.Export(ctx, id, &buf2, ExportOptions{Root: "/workspace"}); err != nil {
		t.Fatal(err)
	}
	if got, want := headers(t, buf2.Bytes()), headers(t, archive); got != want {
		t.Errorf("export of the import:\n%s\nwant:\n%s", got, want)
	}
	if info, _ := s2.Stat(id); info.Labels["from"] != "export" {
		t.Errorf("labels %v", info.Labels)
	}
	// Same archive, same parent: same ID.
	id2, err := s2.Import(ctx, bytes.NewReader(archive), ImportOptions{Root: "workspace"})
	if err != nil || id2 != id {
		t.Errorf("re-import gave %s, %v; want %s", id2, err, id)
	}

	// Import on a parent replaces same names and keeps the rest.
	upd := mkTar(t, reg("a", "new a"), reg("c", "c"))
	id3, err := s.Import(ctx, bytes.NewReader(upd), ImportOptions{Parent: top, Root: "workspace"})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Parent(id3); p != top {
		t.Errorf("parent of import = %s", p)
	}
	v3, _ := s.Open(id3)
	for p, want := range map[string]string{"/workspace/a": "new a", "/workspace/c": "c", "/workspace/sub/b": "b", "/etc/hosts": "outside the workspace"} {
		if got := readFile(t, v3, p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	// The workspace directory keeps the parent's metadata.
	d1, _ := v1.Stat("/workspace")
	d3, _ := v3.Stat("/workspace")
	if !d1.ModTime().Equal(d3.ModTime()) || d1.Mode() != d3.Mode() {
		t.Errorf("/workspace after import: %v %v, parent had %v %v", d3.Mode(), d3.ModTime(), d1.Mode(), d1.ModTime())
	}
	changes, err := s.Diff(id3)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Change{{"/workspace/a", Modified}, {"/workspace/c", Added}}; !slices.Equal(changes, want) {
		t.Errorf("Diff(import) = %v, want %v", changes, want)
	}

	err = s.Export(ctx, top, io.Discard, ExportOptions{Root: "nope"})
	wantCode(t, err, providers.CodeArchiveError, nil)
}

func TestImportRefusesHostile(t *testing.T) {
	ctx := context.Background()
	for _, tc := range hostile(t) {
		t.Run(tc.name, func(t *testing.T) {
			s := mustOpen(t, t.TempDir())
			_, err := s.Import(ctx, bytes.NewReader(tc.archive), ImportOptions{Root: "workspace", Limits: tc.limits})
			wantCode(t, err, providers.CodeArchiveError, tc.want)
			if len(s.List()) != 0 {
				t.Errorf("a refused import left layers: %v", s.List())
			}
			if got := dirEntries(t, s.blobDir()); len(got) != 0 {
				t.Errorf("a refused import left blobs: %v", got)
			}
		})
	}
}
