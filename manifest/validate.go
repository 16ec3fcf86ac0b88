package manifest

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/gobwas/glob"

	"github.com/wsbx/wsbx/providers"
)

// Validate checks a manifest built in Go the way [Load] checks a file:
// entry types, the fields each type takes, destinations and paths.
//
// # Errors
//
// CodeInvalidManifest or CodeInvalidManifestPath, wrapping a *DecodeError
// whose File is "manifest".
func (m *Manifest) Validate() error {
	return validate(m, &source{file: "manifest"})
}

var (
	repoRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	// pluginTypeRE is what a plugin-defined entry type may be called.
	pluginTypeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	hostRE       = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]+)?$`)
	envNameRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	tokenRE      = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
)

func validate(m *Manifest, src *source) error {
	if m.Version != 0 && m.Version != Version {
		return src.err(providers.CodeInvalidManifest, []string{"version"}, "unsupported version %d (want %d)", m.Version, Version)
	}
	if m.Root != "" {
		if !path.IsAbs(m.Root) || path.Clean(m.Root) != m.Root || strings.IndexByte(m.Root, 0) >= 0 {
			return src.err(providers.CodeInvalidManifestPath, []string{"root"}, "root %q must be a clean absolute path", m.Root)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m.Environment)) {
		if !envNameRE.MatchString(k) {
			return src.err(providers.CodeInvalidManifest, []string{"environment", k}, "invalid variable name")
		}
	}
	if m.Limits != nil {
		if _, err := m.Limits.ProviderLimits(); err != nil {
			return src.err(providers.CodeInvalidManifest, []string{"limits", "exec_timeout"}, "%q is not a duration like \"30s\"", m.Limits.ExecTimeout)
		}
		l := m.Limits
		for _, f := range []struct {
			name string
			v    float64
		}{{"memory_bytes", float64(l.MemoryBytes)}, {"cpus", l.CPUs}, {"pids", float64(l.PIDs)},
			{"max_output_bytes", float64(l.MaxOutputBytes)}, {"disk_bytes", float64(l.DiskBytes)}} {
			if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
				return src.err(providers.CodeInvalidManifest, []string{"limits", f.name}, "must not be negative")
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(m.Plugins)) {
		p := m.Plugins[name]
		if p.Path == "" {
			return src.err(providers.CodeInvalidManifest, []string{"plugins", name}, "missing key \"path\"")
		}
		if p.SHA256 != "" && !isSHA256(p.SHA256) {
			return src.err(providers.CodeInvalidManifest, []string{"plugins", name, "sha256"}, "not a 64-digit hex sha256")
		}
	}
	v := &validator{src: src, m: m, owner: map[string][]string{}}
	if err := v.entries(m.Entries, nil, ""); err != nil {
		return err
	}
	return v.overlaps()
}

type validator struct {
	src *source
	m   *Manifest
	// owner maps a full destination to its key path.
	owner map[string][]string
	dests []string
	// parentOf maps a full destination to its dir entry's destination.
	parentOf map[string]string
}

func (v *validator) entries(entries map[string]Entry, prefix []string, parent string) error {
	for _, k := range slices.Sorted(maps.Keys(entries)) {
		e := entries[k]
		key := append(slices.Clip(prefix), "entries", k)
		dest, err := cleanRel(k)
		if err != nil {
			return v.src.err(providers.CodeInvalidManifestPath, key, "destination %s", err)
		}
		full := joinDest(parent, dest)
		if _, err := providers.WorkspacePath(providers.DefaultRoot, full); err != nil {
			return v.src.err(providers.CodeInvalidManifestPath, key, "destination: %s", providers.CodeOf(err))
		}
		if other, dup := v.owner[full]; dup {
			return v.src.err(providers.CodeInvalidManifestPath, key, "duplicate destination %q (also %s)", full, keyString(other))
		}
		v.owner[full] = key
		v.dests = append(v.dests, full)
		if v.parentOf == nil {
			v.parentOf = map[string]string{}
		}
		v.parentOf[full] = parent
		if err := v.entry(&e, key, full); err != nil {
			return err
		}
	}
	return nil
}

// overlaps refuses a destination inside another one unless it is that
// dir entry's child.
func (v *validator) overlaps() error {
	slices.Sort(v.dests)
	for _, d := range v.dests {
		for p := path.Dir(d); p != "."; p = path.Dir(p) {
			if _, ok := v.owner[p]; !ok {
				continue
			}
			// p is an entry: it must be one of d's dir ancestors.
			anc := false
			for a := v.parentOf[d]; a != ""; a = v.parentOf[a] {
				if a == p {
					anc = true
					break
				}
			}
			if !anc {
				return v.src.err(providers.CodeInvalidManifestPath, v.owner[d], "destination %q overlaps %q (%s); nest it under that dir entry", d, p, keyString(v.owner[p]))
			}
		}
	}
	return nil
}

func keyString(k []string) string { return toml.Key(k).String() }

// cleanRel checks a relative path from a manifest (a destination, subpath
// or sparse path) and returns it cleaned.
func cleanRel(p string) (string, error) {
	switch {
	case p == "":
		return "", fmt.Errorf("is empty")
	case strings.IndexByte(p, 0) >= 0:
		return "", fmt.Errorf("contains a NUL byte")
	case strings.HasPrefix(p, "/") || (len(p) > 1 && p[1] == ':') || strings.HasPrefix(p, `\`):
		return "", fmt.Errorf("%q is absolute; it must be relative to the workspace root", p)
	case strings.Contains(p, `\`):
		return "", fmt.Errorf("%q contains a backslash", p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return "", fmt.Errorf("%q contains \"..\"", p)
		}
	}
	c := path.Clean(p)
	if c == "." {
		return "", fmt.Errorf("%q names the root itself", p)
	}
	return c, nil
}

func joinDest(parent, dest string) string {
	if parent == "" {
		return dest
	}
	return parent + "/" + dest
}

// setKeys returns the keys of e that are present: from the source text when
// e was decoded, else from its non-zero fields.
func (v *validator) setKeys(e *Entry, key []string) []string {
	if v.src.present != nil {
		return v.src.childKeys(key)
	}
	var out []string
	rv := reflect.ValueOf(*e)
	t := rv.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
		if !rv.Field(i).IsZero() {
			out = append(out, name)
		}
	}
	return out
}

func (v *validator) entry(e *Entry, key []string, full string) error {
	typ := e.canonicalType()
	allowed, ok := entryKeys[typ]
	if !ok {
		k := append(slices.Clip(key), "type")
		switch {
		case e.Type == "":
			return v.src.err(providers.CodeInvalidManifest, key, "missing key \"type\"")
		case len(v.m.Plugins) > 0 && pluginTypeRE.MatchString(e.Type):
			// A plugin may define it: checked when the plugins are loaded.
			allowed = pluginEntryKeys
		default:
			return v.src.err(providers.CodeInvalidManifest, k, "unknown entry type %q (want one of inline_file, file, dir, local_file, local_dir, git_repo, remote_file, remote_dir, or a type defined by a plugin in [plugins])", e.Type)
		}
	}
	for _, k := range v.setKeys(e, key) {
		if !slices.Contains(commonKeys, k) && !slices.Contains(allowed, k) {
			return v.src.err(providers.CodeInvalidManifest, append(slices.Clip(key), k), "key %q does not apply to entry type %q", k, e.Type)
		}
	}
	at := func(k string) []string { return append(slices.Clip(key), k) }
	bad := func(k string, format string, args ...any) error {
		return v.src.err(providers.CodeInvalidManifest, at(k), format, args...)
	}
	badPath := func(k string, format string, args ...any) error {
		return v.src.err(providers.CodeInvalidManifestPath, at(k), format, args...)
	}
	switch typ {
	case TypeInlineFile:
		switch e.Encoding {
		case "", "text":
		case "base64":
			if _, err := base64.StdEncoding.DecodeString(e.Content); err != nil {
				return bad("content", "invalid base64: %v", err)
			}
		default:
			return bad("encoding", "unknown encoding %q (want text or base64)", e.Encoding)
		}
	case TypeDir:
		return v.entries(e.Entries, key, full)
	case TypeLocalFile, TypeLocalDir:
		if e.Src == "" {
			return v.src.err(providers.CodeInvalidManifest, key, "missing key \"src\"")
		}
		if strings.IndexByte(e.Src, 0) >= 0 {
			return badPath("src", "contains a NUL byte")
		}
		for i, p := range e.Exclude {
			if _, err := glob.Compile(p, '/'); err != nil || p == "" {
				return bad("exclude", "pattern %d %q is not a valid glob", i+1, p)
			}
		}
	case TypeGitRepo:
		switch {
		case e.URL == "" && e.Repo == "":
			return v.src.err(providers.CodeInvalidManifest, key, "git_repo needs \"url\" or \"repo\"")
		case e.URL != "" && e.Repo != "":
			return bad("repo", "give \"url\" or \"repo\", not both")
		case e.Repo != "" && !repoRE.MatchString(e.Repo):
			return bad("repo", "%q is not \"owner/name\"", e.Repo)
		case e.Host != "" && e.Repo == "":
			return bad("host", "\"host\" applies only with \"repo\"")
		case e.Host != "" && !hostRE.MatchString(e.Host):
			return bad("host", "%q is not a host name", e.Host)
		case e.Depth < 0:
			return bad("depth", "must not be negative")
		case strings.HasPrefix(e.Ref, "-") || strings.ContainsAny(e.Ref, " \t\n\x00~^:?*[\\"):
			return bad("ref", "%q is not a valid ref", e.Ref)
		}
		if e.URL != "" {
			if err := checkGitURL(e.URL); err != nil {
				return bad("url", "%v", err)
			}
		}
		if e.Subpath != "" {
			if _, err := cleanRel(e.Subpath); err != nil {
				return badPath("subpath", "%v", err)
			}
		}
		for _, s := range e.Sparse {
			if _, err := cleanRel(s); err != nil {
				return badPath("sparse", "%v", err)
			}
		}
	case TypeRemoteFile, TypeRemoteDir:
		if e.URL == "" {
			return v.src.err(providers.CodeInvalidManifest, key, "missing key \"url\"")
		}
		u, err := url.Parse(e.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("url", "%s is not an http or https URL", redactURL(e.URL))
		}
		if e.SHA256 != "" && !isSHA256(e.SHA256) {
			return bad("sha256", "not a 64-digit hex sha256")
		}
		for _, h := range slices.Sorted(maps.Keys(e.Headers)) {
			if !tokenRE.MatchString(h) || strings.ContainsAny(e.Headers[h], "\r\n\x00") {
				return bad("headers", "invalid header %q", h)
			}
		}
		switch e.Format {
		case "", "tar", "tar.gz", "tgz", "zip":
		default:
			return bad("format", "unknown archive format %q (want tar, tar.gz or zip)", e.Format)
		}
		if e.MaxInputBytes < 0 || e.MaxOutputBytes < 0 || e.MaxMembers < 0 {
			return v.src.err(providers.CodeInvalidManifest, key, "archive limits must not be negative")
		}
	}
	return nil
}

func isSHA256(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}

func checkGitURL(raw string) error {
	if strings.HasPrefix(raw, "-") {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" {
		switch u.Scheme {
		case "https", "http", "file", "ssh", "git":
			return nil
		}
		return fmt.Errorf("unsupported URL scheme %q", u.Scheme)
	}
	// scp-like "user@host:path"
	if at, colon := strings.Index(raw, "@"), strings.Index(raw, ":"); at > 0 && colon > at {
		return nil
	}
	return fmt.Errorf("%s is not a git URL", redactURL(raw))
}

// redactURL drops the user information and the query of a URL, which may
// carry credentials.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	u.User = nil
	if u.RawQuery != "" {
		u.RawQuery = "REDACTED"
	}
	u.Fragment = ""
	return u.String()
}
