package manifest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/wsbx/wsbx/providers"
)

var (
	fullHashRE  = regexp.MustCompile(`^[0-9a-f]{40}$`)
	shortHashRE = regexp.MustCompile(`^[0-9a-f]{4,39}$`)
)

// treeFile is one file of a git tree (or of a cached tree).
type treeFile struct {
	path string
	mode fs.FileMode
	data []byte
}

// gitRepo materializes a git_repo entry: resolve the ref (ls-remote, cheap),
// reuse a cached tree for that commit, or clone into memory and write the
// tree. Only the tree is written; nothing of the repository runs.
func (j *job) gitRepo(ctx context.Context) error {
	rawURL := j.e.repoURL()
	auth, secrets := gitAuth(rawURL, j.mt.opts.lookupEnv)
	cloneErr := func(format string, err error) error {
		return j.fail(scrub(fmt.Errorf(format, redactURL(rawURL), err), secrets), CodeGitClone)
	}

	// Resolve the ref to a commit without fetching objects.
	var (
		refName plumbing.ReferenceName
		commit  plumbing.Hash
	)
	ref := j.e.Ref
	if fullHashRE.MatchString(ref) {
		commit = plumbing.NewHash(ref)
	} else {
		rem := git.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: "origin", URLs: []string{rawURL}})
		refs, err := rem.ListContext(ctx, &git.ListOptions{Auth: auth, PeelingOption: git.AppendPeeled})
		if err != nil {
			return cloneErr("list refs of %s: %w", err)
		}
		refName, commit = resolveRef(refs, ref)
		if commit.IsZero() && !shortHashRE.MatchString(ref) {
			return j.fail(scrub(fmt.Errorf("ref %q not found in %s", ref, redactURL(rawURL)), secrets), CodeGitClone)
		}
	}

	key := ""
	if !commit.IsZero() {
		key = treeKey(commit.String(), j.e.Subpath, j.e.Sparse)
		if c := j.mt.opts.cache; c != nil {
			unlock := c.lock("git/" + key)
			defer unlock()
			if ok, err := j.writeCachedTree(ctx, c, key); ok || err != nil {
				return err
			}
		}
	}

	// Clone into memory: objects only, no worktree, no hooks.
	st := memory.NewStorage()
	opts := &git.CloneOptions{URL: rawURL, Auth: auth, NoCheckout: true, Tags: git.NoTags}
	if refName != "" && strings.HasPrefix(string(refName), "refs/") {
		opts.ReferenceName = refName
		opts.SingleBranch = true
		opts.Depth = j.e.Depth
	} else {
		opts.Tags = git.AllTags // a commit may be reachable from any ref
	}
	repo, err := git.CloneContext(ctx, st, nil, opts)
	if err != nil {
		return cloneErr("clone %s: %w", err)
	}
	if commit.IsZero() {
		h, err := repo.ResolveRevision(plumbing.Revision(ref))
		if err != nil {
			return j.fail(scrub(fmt.Errorf("ref %q not found in %s", ref, redactURL(rawURL)), secrets), CodeGitClone)
		}
		commit = *h
		key = treeKey(commit.String(), j.e.Subpath, j.e.Sparse)
	}
	co, err := peelCommit(repo, commit)
	if err != nil {
		return j.fail(scrub(fmt.Errorf("commit %s of %s: %w", commit, redactURL(rawURL), err), secrets), CodeGitClone)
	}
	files, err := j.treeFiles(co)
	if err != nil {
		return err
	}
	if c := j.mt.opts.cache; c != nil {
		// A cache that cannot be written only costs speed.
		_ = c.putTree(key, files)
		c.memoPut(key, files)
	}
	return j.writeTree(ctx, files)
}

// resolveRef finds ref among advertised refs: "" is HEAD; otherwise a
// branch, then a tag (peeled to its commit), then a full ref name.
func resolveRef(refs []*plumbing.Reference, ref string) (plumbing.ReferenceName, plumbing.Hash) {
	byName := map[plumbing.ReferenceName]*plumbing.Reference{}
	for _, r := range refs {
		byName[r.Name()] = r
	}
	hashOf := func(n plumbing.ReferenceName) (plumbing.ReferenceName, plumbing.Hash) {
		r := byName[n]
		for i := 0; r != nil && r.Type() == plumbing.SymbolicReference && i < 5; i++ {
			n = r.Target()
			r = byName[n]
		}
		if r == nil {
			return "", plumbing.ZeroHash
		}
		if p := byName[plumbing.ReferenceName(string(n)+"^{}")]; p != nil {
			return n, p.Hash()
		}
		return n, r.Hash()
	}
	if ref == "" || ref == "HEAD" {
		n, h := hashOf(plumbing.HEAD)
		if n == plumbing.HEAD {
			n = "" // detached HEAD without symref: clone the default branch
		}
		return n, h
	}
	for _, n := range []plumbing.ReferenceName{
		plumbing.NewBranchReferenceName(ref), plumbing.NewTagReferenceName(ref), plumbing.ReferenceName(ref),
	} {
		if _, ok := byName[n]; ok {
			return hashOf(n)
		}
	}
	return "", plumbing.ZeroHash
}

// peelCommit returns the commit h names, following annotated tags.
func peelCommit(repo *git.Repository, h plumbing.Hash) (*object.Commit, error) {
	if c, err := repo.CommitObject(h); err == nil {
		return c, nil
	}
	t, err := repo.TagObject(h)
	if err != nil {
		return nil, fmt.Errorf("not a commit or tag: %w", err)
	}
	return t.Commit()
}

// treeFiles lists the files of the entry's subpath and sparse paths.
func (j *job) treeFiles(co *object.Commit) ([]treeFile, error) {
	tree, err := co.Tree()
	if err != nil {
		return nil, j.fail(err, CodeGitClone)
	}
	if j.e.Subpath != "" {
		sub := path.Clean(j.e.Subpath)
		tree, err = tree.Tree(sub)
		if err != nil {
			return nil, j.failf(CodeGitSubpath, fmt.Sprintf("subpath %q is not a directory of commit %s", sub, co.Hash))
		}
	}
	var sparse []string
	for _, s := range j.e.Sparse {
		s = path.Clean(s)
		if _, err := tree.FindEntry(s); err != nil {
			return nil, j.failf(CodeGitSubpath, fmt.Sprintf("sparse path %q is not in commit %s", s, co.Hash))
		}
		sparse = append(sparse, s)
	}
	var files []treeFile
	err = tree.Files().ForEach(func(f *object.File) error {
		if len(sparse) > 0 && !underAny(f.Name, sparse) {
			return nil
		}
		var mode fs.FileMode
		switch f.Mode {
		case filemode.Executable:
			mode = 0o755
		case filemode.Regular, filemode.Deprecated, filemode.Symlink:
			// A symlink is written as a file holding its target, as git
			// does where symlinks are unsupported.
			mode = 0o644
		default:
			return nil // submodules have no content here
		}
		r, err := f.Blob.Reader()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return err
		}
		files = append(files, treeFile{path: f.Name, mode: mode, data: data})
		return nil
	})
	if err != nil {
		return nil, j.fail(err, CodeGitClone)
	}
	return files, nil
}

func underAny(p string, prefixes []string) bool {
	for _, s := range prefixes {
		if p == s || strings.HasPrefix(p, s+"/") {
			return true
		}
	}
	return false
}

// writeTree writes files under the entry's destination, concurrently.
func (j *job) writeTree(ctx context.Context, files []treeFile) error {
	var total int64
	for _, f := range files {
		total += int64(len(f.data))
	}
	j.setTotal(total)
	if err := j.mt.s.Mkdir(ctx, j.dest, true); err != nil {
		return j.fail(err, providers.CodeWriteError)
	}
	return j.fail(parallel(ctx, j.mt.opts.fileConcurrency, len(files), func(ctx context.Context, i int) error {
		f := &files[i]
		return j.write(ctx, f.path, bytes.NewReader(f.data), j.mode(f.mode), "")
	}), CodeGitClone)
}

// treeKey names a cached tree: the commit and what of it is written.
func treeKey(commit, subpath string, sparse []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s", commit, path.Clean("/"+subpath))
	for _, s := range sparse {
		fmt.Fprintf(h, "\x00%s", path.Clean(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// gitAuth returns HTTP basic auth from GIT_TOKEN (any host) or GITHUB_TOKEN
// (github.com only), for https URLs, or http to a loopback address. The
// username is GIT_USERNAME, or "x-access-token". It also returns the
// secret values, to scrub from errors.
func gitAuth(rawURL string, lookup func(string) (string, bool)) (transport.AuthMethod, []string) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil
	}
	var secrets []string
	if p, ok := u.User.Password(); ok {
		secrets = append(secrets, p)
	}
	if u.User != nil || !(u.Scheme == "https" || (u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return nil, secrets
	}
	tok, _ := lookup("GIT_TOKEN")
	if tok == "" && strings.EqualFold(u.Hostname(), "github.com") {
		tok, _ = lookup("GITHUB_TOKEN")
	}
	if tok == "" {
		return nil, secrets
	}
	user, _ := lookup("GIT_USERNAME")
	if user == "" {
		user = "x-access-token"
	}
	return &githttp.BasicAuth{Username: user, Password: tok}, append(secrets, tok)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// scrubbedError carries a message with secrets removed. It unwraps only to
// context errors, so the original text cannot be reached.
type scrubbedError struct {
	msg   string
	cause error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.cause }

func scrub(err error, secrets []string) error {
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, RedactedValue)
		}
	}
	var cause error
	switch {
	case errors.Is(err, context.Canceled):
		cause = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		cause = context.DeadlineExceeded
	}
	return &scrubbedError{msg: msg, cause: cause}
}
