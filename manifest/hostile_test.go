package manifest

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wsbx/wsbx/providers"
)

// TestHostileManifests runs malformed and hostile manifests. Each must fail
// with its typed code; those that reach materialization run next to good
// entries and must leave the session exactly as it was.
func TestHostileManifests(t *testing.T) {
	srv := newFileServer(t)
	repo := makeTestRepo(t)
	base := t.TempDir()
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"secret.txt": "secret"})
	writeTree(t, base, map[string]string{"good/a.txt": "a", "good/b/c.txt": "c", "evil/ok.txt": "ok"})
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(base, "evil", "leak")); err != nil {
		t.Fatal(err)
	}

	zeros := make([]byte, 8<<20)
	many := make([]member, 11)
	for i := range many {
		many[i] = member{name: "f" + string(rune('a'+i)), body: "x"}
	}
	good := []byte("good content")
	urls := map[string]string{
		"SRV":        srv.URL,
		"REPO":       "file://" + repo.dir,
		"BASE":       base,
		"SLIP_TAR":   srv.put("/slip.tar", tarball(t, member{name: "ok.txt", body: "ok"}, member{name: "../evil.txt", body: "evil"})),
		"SLIP_DEEP":  srv.put("/slipdeep.tar.gz", gz(t, tarball(t, member{name: "a/b/../../../evil.txt", body: "evil"}))),
		"SLIP_ZIP":   srv.put("/slip.zip", zipball(t, member{name: "ok.txt", body: "ok"}, member{name: "../../evil.txt", body: "evil"})),
		"ABS_TAR":    srv.put("/abs.tar", tarball(t, member{name: "/etc/evil", body: "evil"})),
		"SYM_TAR":    srv.put("/sym.tar", tarball(t, member{name: "ok.txt", body: "ok"}, member{name: "l", typ: tar.TypeSymlink, link: "../../etc/passwd"})),
		"SYMABS_TAR": srv.put("/symabs.tar", tarball(t, member{name: "l", typ: tar.TypeSymlink, link: "/etc/passwd"})),
		"HARD_TAR":   srv.put("/hard.tar", tarball(t, member{name: "h", typ: tar.TypeLink, link: "../outside"})),
		"SYM_ZIP":    srv.put("/sym.zip", zipball(t, member{name: "ok.txt", body: "ok"}, member{name: "l", typ: tar.TypeSymlink, link: "../../../etc/passwd"})),
		"BOMB_GZ":    srv.put("/bomb.tar.gz", gz(t, tarball(t, member{name: "zeros", body: string(zeros)}))),
		"BOMB_ZIP":   srv.put("/bomb.zip", zipball(t, member{name: "zeros", body: string(zeros)})),
		"MANY":       srv.put("/many.tar", tarball(t, many...)),
		"BIG_IN":     srv.put("/big.tar", tarball(t, member{name: "a", body: strings.Repeat("x", 4096)})),
		"CORRUPT_GZ": srv.put("/corrupt.tar.gz", []byte("\x1f\x8b\x08garbage")),
		"GOOD":       srv.put("/good.txt", good),
		"GOOD_TAR":   srv.put("/good.tar", tarball(t, member{name: "g/one.txt", body: "1"})),
		"GOOD_SUM":   sha(good),
		"WRONG_SUM":  strings.Repeat("0", 64),
	}
	expand := func(s string) string {
		for k, v := range urls {
			s = strings.ReplaceAll(s, "{{"+k+"}}", v)
		}
		return s
	}
	// Good entries that run next to every materialization case.
	const goodEntries = `
[entries."keep/ok.txt"]
type = "inline_file"
content = "ok"

[entries.gooddir]
type = "local_dir"
src = "{{BASE}}/good"

[entries."remote/good.txt"]
type = "remote_file"
url = "{{GOOD}}"

[entries.unpacked]
type = "remote_dir"
url = "{{GOOD_TAR}}"

[entries.nested]
type = "dir"
[entries.nested.entries."n.txt"]
type = "file"
content = "n"
`
	cases := []struct {
		name   string
		text   string // TOML unless json is set
		json   bool
		code   providers.Code
		decode bool // fails at decoding, before materialization
	}{
		// Destinations.
		{"absolute-destination", "[entries.\"/etc/passwd\"]\ntype = \"file\"\n", false, providers.CodeInvalidManifestPath, true},
		{"dotdot-destination", "[entries.\"../x\"]\ntype = \"file\"\n", false, providers.CodeInvalidManifestPath, true},
		{"dotdot-inside-destination", "[entries.\"a/../../x\"]\ntype = \"file\"\n", false, providers.CodeInvalidManifestPath, true},
		{"nested-dotdot-destination", "[entries.d]\ntype = \"dir\"\n[entries.d.entries.\"../../x\"]\ntype = \"file\"\n", false, providers.CodeInvalidManifestPath, true},
		{"nul-destination", "[entries.\"a\\u0000b\"]\ntype = \"file\"\n", false, providers.CodeInvalidManifestPath, true},
		{"root-destination", "[entries.\".\"]\ntype = \"file\"\n", false, providers.CodeInvalidManifestPath, true},
		{"duplicate-destination", "[entries.\"a/b\"]\ntype = \"file\"\n[entries.\"a//b\"]\ntype = \"file\"\n", false, providers.CodeInvalidManifestPath, true},
		{"duplicate-key-toml", "[entries.a]\ntype = \"file\"\n[entries.a]\ntype = \"file\"\n", false, providers.CodeInvalidManifest, true},
		{"duplicate-key-json", `{"entries": {"a": {"type": "file"}, "a": {"type": "file"}}}`, true, providers.CodeInvalidManifest, true},
		{"overlapping-destination", "[entries.a]\ntype = \"file\"\n[entries.\"a/b\"]\ntype = \"file\"\n", false, providers.CodeInvalidManifestPath, true},
		{"overlap-with-nested", "[entries.d]\ntype = \"dir\"\n[entries.d.entries.x]\ntype = \"file\"\n[entries.\"d/x\"]\ntype = \"file\"\n", false, providers.CodeInvalidManifestPath, true},
		{"relative-root", "root = \"workspace\"\n", false, providers.CodeInvalidManifestPath, true},
		// Keys and types.
		{"unknown-entry-type", "[entries.a]\ntype = \"symlink\"\n", false, providers.CodeInvalidManifest, true},
		{"missing-type", "[entries.a]\ncontent = \"x\"\n", false, providers.CodeInvalidManifest, true},
		{"unknown-key", "[entries.a]\ntype = \"file\"\nmode = \"0644\"\n", false, providers.CodeInvalidManifest, true},
		{"unknown-section", "[network]\nallow = [\"*\"]\n", false, providers.CodeInvalidManifest, true},
		{"unknown-key-json", `{"entries": {"a": {"type": "file", "sauce": 1}}}`, true, providers.CodeInvalidManifest, true},
		{"key-of-other-type", "[entries.a]\ntype = \"inline_file\"\nurl = \"https://example.com\"\n", false, providers.CodeInvalidManifest, true},
		{"wrong-value-type", "[entries.a]\ntype = \"git_repo\"\nurl = \"{{REPO}}\"\ndepth = \"full\"\n", false, providers.CodeInvalidManifest, true},
		{"bad-base64", "[entries.a]\ntype = \"file\"\nencoding = \"base64\"\ncontent = \"***\"\n", false, providers.CodeInvalidManifest, true},
		{"bad-permissions", "[entries.a]\ntype = \"file\"\npermissions = 99999\n", false, providers.CodeInvalidManifest, true},
		{"unsupported-version", "version = 2\n", false, providers.CodeInvalidManifest, true},
		{"bad-env-name", "[environment]\n\"A-B\" = \"x\"\n", false, providers.CodeInvalidManifest, true},
		{"header-injection", "[entries.a]\ntype = \"remote_file\"\nurl = \"{{GOOD}}\"\nheaders = { X = \"a\\r\\nHost: evil\" }\n", false, providers.CodeInvalidManifest, true},
		{"remote-file-scheme", "[entries.a]\ntype = \"remote_file\"\nurl = \"file:///etc/passwd\"\n", false, providers.CodeInvalidManifest, true},
		{"malformed-sha256", "[entries.a]\ntype = \"remote_file\"\nurl = \"{{GOOD}}\"\nsha256 = \"abc\"\n", false, providers.CodeInvalidManifest, true},
		{"git-url-and-repo", "[entries.a]\ntype = \"git_repo\"\nurl = \"{{REPO}}\"\nrepo = \"o/n\"\n", false, providers.CodeInvalidManifest, true},
		{"git-subpath-escape", "[entries.a]\ntype = \"git_repo\"\nurl = \"{{REPO}}\"\nsubpath = \"../..\"\n", false, providers.CodeInvalidManifestPath, true},
		{"git-sparse-absolute", "[entries.a]\ntype = \"git_repo\"\nurl = \"{{REPO}}\"\nsparse = [\"/etc\"]\n", false, providers.CodeInvalidManifestPath, true},
		{"git-ref-option-injection", "[entries.a]\ntype = \"git_repo\"\nurl = \"{{REPO}}\"\nref = \"--upload-pack=touch /tmp/x\"\n", false, providers.CodeInvalidManifest, true},
		{"toml-syntax", "[entries.a\ntype = \"file\"\n", false, providers.CodeInvalidManifest, true},
		{"json-syntax", `{"entries": {"a": {"type": "file",}}}`, true, providers.CodeInvalidManifest, true},
		// Materialization.
		{"zip-slip-tar", "[entries.x]\ntype = \"remote_dir\"\nurl = \"{{SLIP_TAR}}\"\n", false, CodeArchive, false},
		{"zip-slip-deep-tar-gz", "[entries.x]\ntype = \"remote_dir\"\nurl = \"{{SLIP_DEEP}}\"\n", false, CodeArchive, false},
		{"zip-slip-zip", "[entries.x]\ntype = \"remote_dir\"\nurl = \"{{SLIP_ZIP}}\"\n", false, CodeArchive, false},
		{"absolute-member", "[entries.x]\ntype = \"remote_dir\"\nurl = \"{{ABS_TAR}}\"\n", false, CodeArchive, false},
		{"symlink-escape-tar", "[entries.x]\ntype = \"remote_dir\"\nurl = \"{{SYM_TAR}}\"\n", false, CodeArchive, false},
		{"absolute-symlink-tar", "[entries.x]\ntype = \"remote_dir\"\nurl = \"{{SYMABS_TAR}}\"\n", false, CodeArchive, false},
		{"hardlink-escape-tar", "[entries.x]\ntype = \"remote_dir\"\nurl = \"{{HARD_TAR}}\"\n", false, CodeArchive, false},
		{"symlink-escape-zip", "[entries.x]\ntype = \"remote_dir\"\nurl = \"{{SYM_ZIP}}\"\n", false, CodeArchive, false},
		{"gzip-bomb", "[entries.x]\ntype = \"remote_dir\"\nurl = \"{{BOMB_GZ}}\"\nmax_output_bytes = 1048576\n", false, CodeArchive, false},
		{"zip-bomb", "[entries.x]\ntype = \"remote_dir\"\nurl = \"{{BOMB_ZIP}}\"\nmax_output_bytes = 1048576\n", false, CodeArchive, false},
		{"too-many-members", "[entries.x]\ntype = \"remote_dir\"\nurl = \"{{MANY}}\"\nmax_members = 10\n", false, CodeArchive, false},
		{"archive-too-big", "[entries.x]\ntype = \"remote_dir\"\nurl = \"{{BIG_IN}}\"\nmax_input_bytes = 1000\n", false, CodeArchive, false},
		{"corrupt-gzip", "[entries.x]\ntype = \"remote_dir\"\nurl = \"{{CORRUPT_GZ}}\"\n", false, CodeArchive, false},
		{"wrong-checksum-file", "[entries.x]\ntype = \"remote_file\"\nurl = \"{{GOOD}}\"\nsha256 = \"{{WRONG_SUM}}\"\n", false, CodeChecksum, false},
		{"wrong-checksum-dir", "[entries.x]\ntype = \"remote_dir\"\nurl = \"{{GOOD_TAR}}\"\nsha256 = \"{{GOOD_SUM}}\"\n", false, CodeChecksum, false},
		{"http-404", "[entries.x]\ntype = \"remote_file\"\nurl = \"{{SRV}}/missing\"\n", false, CodeRemoteFetch, false},
		{"connection-refused", "[entries.x]\ntype = \"remote_file\"\nurl = \"http://127.0.0.1:1/x\"\n", false, CodeRemoteFetch, false},
		{"local-dir-symlink-outside", "[entries.x]\ntype = \"local_dir\"\nsrc = \"{{BASE}}/evil\"\n", false, CodeLocalDirRead, false},
		{"local-dir-missing", "[entries.x]\ntype = \"local_dir\"\nsrc = \"{{BASE}}/nope\"\n", false, CodeLocalDirRead, false},
		{"local-file-missing", "[entries.x]\ntype = \"local_file\"\nsrc = \"{{BASE}}/nope.txt\"\n", false, CodeLocalFileRead, false},
		{"local-file-is-dir", "[entries.x]\ntype = \"local_file\"\nsrc = \"{{BASE}}/good\"\n", false, CodeLocalFileRead, false},
		{"git-ref-missing", "[entries.x]\ntype = \"git_repo\"\nurl = \"{{REPO}}\"\nref = \"does-not-exist\"\n", false, CodeGitClone, false},
		{"git-repo-missing", "[entries.x]\ntype = \"git_repo\"\nurl = \"{{SRV}}/no-repo.git\"\n", false, CodeGitClone, false},
		{"git-subpath-missing", "[entries.x]\ntype = \"git_repo\"\nurl = \"{{REPO}}\"\nsubpath = \"nope\"\n", false, CodeGitSubpath, false},
	}
	nDecode, nMat := 0, 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := expand(c.text)
			format := "toml"
			if c.json {
				format = "json"
			}
			m, err := Parse([]byte(text), format)
			if c.decode {
				nDecode++
				t.Log(err)
				if providers.CodeOf(err) != c.code {
					t.Fatalf("Parse: err = %v, want %s", err, c.code)
				}
				return
			}
			nMat++
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			goodM, err := Parse([]byte(expand(goodEntries)), "toml")
			if err != nil {
				t.Fatal(err)
			}
			for k, e := range goodM.Entries {
				m.Entries[k] = e
			}
			s := newMemSession()
			ctx := context.Background()
			s.WriteFile(ctx, "keep/existing.txt", bytes.NewReader([]byte("before")), 0)
			before := s.paths()
			err = Materialize(ctx, m, s)
			if providers.CodeOf(err) != c.code {
				t.Fatalf("Materialize: err = %v, want %s", err, c.code)
			}
			t.Log(err)
			if e, ok := err.(*providers.Error); !ok || e.Target != "x" || e.Op != "materialize" {
				t.Errorf("error does not name the entry: %#v", err)
			}
			if after := s.paths(); !slices.Equal(before, after) {
				t.Errorf("session changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
	if len(cases) < 30 {
		t.Errorf("only %d cases", len(cases))
	}
	t.Logf("%d decoding cases, %d materialization cases", nDecode, nMat)
	// The good entries alone do materialize (so the cases above failed for
	// their own reason).
	m, err := Parse([]byte(expand(goodEntries)), "toml")
	if err != nil {
		t.Fatal(err)
	}
	s := newMemSession()
	if err := Materialize(context.Background(), m, s); err != nil {
		t.Fatal(err)
	}
	if got := s.snapshot(); got["gooddir/b/c.txt"] != "c" || got["unpacked/g/one.txt"] != "1" || got["remote/good.txt"] != string(good) {
		t.Errorf("good entries: %v", s.paths())
	}
}
