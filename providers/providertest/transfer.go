package providertest

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// RunTransfer checks that the portable workspace archive moves a workspace
// between two providers in both directions: a tree made in a session of one
// (files with several modes, binary content, empty and nested directories,
// symlinks, a dangling symlink) is exported, imported into a fresh session
// of the other, and compared entry by entry (type, mode, size, content
// hash, link target, file modification time to the second).
//
// Both providers' sessions must implement providers.Archiver. The options
// of Run apply (WithSpec, WithTimeout; Skip with "a-to-b" or "b-to-a").
func RunTransfer(t *testing.T, a, b NewProvider, opts ...Option) {
	t.Helper()
	c := &config{skip: map[string]string{}, timeout: 5 * time.Minute}
	for _, o := range opts {
		o(c)
	}
	for _, dir := range []struct {
		name     string
		from, to NewProvider
	}{{"a-to-b", a, b}, {"b-to-a", b, a}} {
		t.Run(dir.name, func(t *testing.T) {
			if reason, ok := c.skip[dir.name]; ok {
				t.Skip(reason)
			}
			ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
			defer cancel()
			from := &harness{ctx: ctx, p: dir.from(t), cfg: c}
			to := &harness{ctx: ctx, p: dir.to(t), cfg: c}
			src := from.session(t)
			from.populate(t, src)
			want := from.tree(t, src)
			var buf bytes.Buffer
			if err := archiver(t, src).ExportArchive(ctx, &buf); err != nil {
				t.Fatalf("%s ExportArchive: %v", from.p.Name(), err)
			}
			dst := to.session(t)
			if err := archiver(t, dst).ImportArchive(ctx, bytes.NewReader(buf.Bytes())); err != nil {
				t.Fatalf("%s ImportArchive of a %s archive: %v", to.p.Name(), from.p.Name(), err)
			}
			got := to.tree(t, dst)
			compareTrees(t, got, want)
			for p, w := range want {
				g, ok := got[p]
				if ok && w.Type == "file" && !g.Mod.Truncate(time.Second).Equal(w.Mod.Truncate(time.Second)) {
					t.Errorf("%s has mtime %v after the move, want %v", p, g.Mod, w.Mod)
				}
			}
			for p := range got {
				if _, ok := want[p]; !ok {
					t.Errorf("%s appeared after the move", p)
				}
			}
			if out := to.sh(t, dst, "cat lnk; sh bin/run.sh"); out != "hello\nrun\n" {
				t.Errorf("the moved workspace runs as %q", out)
			}
		})
	}
}
