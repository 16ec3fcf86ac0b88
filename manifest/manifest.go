package manifest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wsbx/wsbx/providers"
)

// Version is the manifest format version this package reads and writes.
const Version = 1

// Entry types. TypeFile is an alias of TypeInlineFile.
const (
	TypeInlineFile = "inline_file"
	TypeFile       = "file"
	TypeDir        = "dir"
	TypeLocalFile  = "local_file"
	TypeLocalDir   = "local_dir"
	TypeGitRepo    = "git_repo"
	TypeRemoteFile = "remote_file"
	TypeRemoteDir  = "remote_dir"
)

// Error codes of materialization, in addition to the providers codes.
const (
	CodeGitClone      providers.Code = "git_clone_error"       // a repository could not be cloned or a ref resolved
	CodeGitSubpath    providers.Code = "git_subpath_error"     // a subpath or sparse path is not in the tree
	CodeLocalFileRead providers.Code = "local_file_read_error" // a local_file source could not be read
	CodeLocalDirRead  providers.Code = "local_dir_read_error"  // a local_dir source could not be read or escapes src
	CodeRemoteFetch   providers.Code = "remote_fetch_error"    // a download failed (network, HTTP status, size)
	CodeChecksum      providers.Code = "checksum_error"        // downloaded content does not match its sha256
	CodeArchive       providers.Code = "archive_error"         // an archive is malformed, escapes its destination or is too large
)

// Default archive limits of remote_dir entries.
const (
	DefaultMaxInputBytes  int64 = 1 << 30
	DefaultMaxOutputBytes int64 = 4 << 30
	DefaultMaxMembers     int64 = 100_000
)

// Manifest says what a new session starts with. It is plain data: build it
// in Go, or read it with [Load] or [Parse]. The zero Manifest is valid and
// materializes nothing.
type Manifest struct {
	// Version is the format version; 0 means [Version].
	Version int `toml:"version,omitempty" json:"version,omitempty"`
	// Root is the absolute workspace root ([providers.DefaultRoot] when empty).
	Root string `toml:"root,omitempty" json:"root,omitempty"`
	// Entries are keyed by their destination, relative to Root.
	Entries map[string]Entry `toml:"entries,omitempty" json:"entries,omitempty"`
	// Environment is the base environment of every exec in the session.
	Environment map[string]EnvValue `toml:"environment,omitempty" json:"environment,omitempty"`
	// Capabilities grant permissions; nil grants the defaults.
	Capabilities *Capabilities `toml:"capabilities,omitempty" json:"capabilities,omitempty"`
	// Limits bound the session; nil leaves the provider's defaults.
	Limits *Limits `toml:"limits,omitempty" json:"limits,omitempty"`
	// Plugins are the Wasm plugins the session loads, by name.
	Plugins map[string]Plugin `toml:"plugins,omitempty" json:"plugins,omitempty"`

	// BaseDir is the directory relative local sources (src) are resolved
	// against. Load sets it to the manifest file's directory; when empty the
	// process's working directory is used. It is not serialized.
	BaseDir string `toml:"-" json:"-"`
}

// RootOrDefault returns m.Root, or [providers.DefaultRoot] when it is empty.
func (m *Manifest) RootOrDefault() string {
	if m.Root == "" {
		return providers.DefaultRoot
	}
	return m.Root
}

// Env returns the environment as a map for [providers.SessionSpec].Env.
// The result contains secret values: never log it.
func (m *Manifest) Env() map[string]string {
	if len(m.Environment) == 0 {
		return nil
	}
	env := make(map[string]string, len(m.Environment))
	for k, v := range m.Environment {
		env[k] = v.Value
	}
	return env
}

// EphemeralPaths returns the workspace-relative destinations of the
// entries marked ephemeral (at any depth), sorted. Snapshots and persisted
// workspaces leave them out.
func (m *Manifest) EphemeralPaths() []string {
	var out []string
	walkEntries(m.Entries, "", func(dest string, e *Entry) {
		if e.Ephemeral {
			out = append(out, dest)
		}
	})
	slices.Sort(out)
	return out
}

// Redacted returns a deep copy of m in which every secret is replaced by
// [RedactedValue]: secret environment values, passwords in URLs, and the
// values of credential headers (Authorization, Cookie, and names with
// "token", "key", "secret" or "auth") that are written literally rather
// than as ${NAME} references. Use it for session state, logs and errors.
func (m *Manifest) Redacted() Manifest {
	c := *m
	c.Entries = cloneEntries(m.Entries)
	redactEntries(c.Entries)
	if m.Environment != nil {
		c.Environment = make(map[string]EnvValue, len(m.Environment))
		for k, v := range m.Environment {
			if v.Secret {
				v.Value = RedactedValue
			}
			c.Environment[k] = v
		}
	}
	if m.Capabilities != nil {
		cp := *m.Capabilities
		c.Capabilities = &cp
	}
	if m.Limits != nil {
		l := *m.Limits
		c.Limits = &l
	}
	if m.Plugins != nil {
		c.Plugins = make(map[string]Plugin, len(m.Plugins))
		for k, p := range m.Plugins {
			p.Config = maps.Clone(p.Config)
			p.AllowedHosts = slices.Clone(p.AllowedHosts)
			c.Plugins[k] = p
		}
	}
	return c
}

func cloneEntries(in map[string]Entry) map[string]Entry {
	if in == nil {
		return nil
	}
	out := make(map[string]Entry, len(in))
	for k, e := range in {
		e.Exclude = slices.Clone(e.Exclude)
		e.Sparse = slices.Clone(e.Sparse)
		e.Headers = maps.Clone(e.Headers)
		e.Entries = cloneEntries(e.Entries)
		out[k] = e
	}
	return out
}

// redactEntries redacts credentials in entries (already a private copy).
func redactEntries(entries map[string]Entry) {
	for k, e := range entries {
		if u, err := url.Parse(e.URL); err == nil && u.User != nil {
			if _, ok := u.User.Password(); ok {
				u.User = url.UserPassword(u.User.Username(), RedactedValue)
				e.URL = u.String()
			}
		}
		for h, v := range e.Headers {
			if sensitiveHeader(h) && !strings.Contains(v, "$") {
				e.Headers[h] = RedactedValue
			}
		}
		redactEntries(e.Entries)
		entries[k] = e
	}
}

func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie":
		return true
	}
	for _, w := range []string{"token", "key", "secret", "auth", "password"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// walkEntries calls fn for every entry, parents before children, in sorted
// key order. dest is the full, cleaned workspace-relative destination of a
// validated manifest.
func walkEntries(entries map[string]Entry, parent string, fn func(dest string, e *Entry)) {
	for _, k := range slices.Sorted(maps.Keys(entries)) {
		e := entries[k]
		dest := joinDest(parent, path.Clean(k))
		fn(dest, &e)
		if len(e.Entries) > 0 {
			walkEntries(e.Entries, dest, fn)
		}
	}
}

// Entry is one item materialized into the workspace. Type selects which of
// the other fields apply; a field that does not apply to Type is an error
// when decoding.
type Entry struct {
	// Type is one of the Type* constants.
	Type string `toml:"type" json:"type"`
	// Description is free text for people.
	Description string `toml:"description,omitempty" json:"description,omitempty"`
	// Ephemeral entries are left out of snapshots and persisted workspaces.
	Ephemeral bool `toml:"ephemeral,omitempty" json:"ephemeral,omitempty"`
	// Permissions is the mode of the files the entry writes. For a file
	// entry it defaults to 0644 (local_file: the source's permission bits);
	// for a directory entry, when set, it replaces the mode of every file
	// written under it.
	Permissions Mode `toml:"permissions,omitempty" json:"permissions,omitempty"`

	// Content is the text of an inline_file, or its base64 when Encoding is
	// "base64".
	Content string `toml:"content,omitempty" json:"content,omitempty"`
	// Encoding is "" (or "text") or "base64".
	Encoding string `toml:"encoding,omitempty" json:"encoding,omitempty"`

	// Entries are the children of a dir entry, keyed relative to it.
	Entries map[string]Entry `toml:"entries,omitempty" json:"entries,omitempty"`

	// Src is the host path of a local_file or local_dir, relative to the
	// manifest's BaseDir unless absolute.
	Src string `toml:"src,omitempty" json:"src,omitempty"`
	// Exclude lists glob patterns (with "**") of local_dir paths to leave
	// out; a pattern without "/" matches a base name at any depth.
	Exclude []string `toml:"exclude,omitempty" json:"exclude,omitempty"`

	// URL is the address of a git_repo, remote_file or remote_dir.
	URL string `toml:"url,omitempty" json:"url,omitempty"`
	// Repo is a git_repo given as "owner/name" on Host.
	Repo string `toml:"repo,omitempty" json:"repo,omitempty"`
	// Host is the git host of Repo (github.com when empty).
	Host string `toml:"host,omitempty" json:"host,omitempty"`
	// Ref is a branch, tag or commit (the remote's HEAD when empty).
	Ref string `toml:"ref,omitempty" json:"ref,omitempty"`
	// Depth limits history fetched for a branch or tag ref (0: all).
	Depth int `toml:"depth,omitempty" json:"depth,omitempty"`
	// Subpath selects a directory of the repository tree.
	Subpath string `toml:"subpath,omitempty" json:"subpath,omitempty"`
	// Sparse lists paths (relative to Subpath) to write; empty writes all.
	Sparse []string `toml:"sparse,omitempty" json:"sparse,omitempty"`

	// Headers are sent with a remote request. ${NAME} (or $NAME) in a value
	// is expanded at fetch time only (see [WithLookupEnv]), so the manifest
	// and its serialized forms keep the reference, never the value.
	Headers map[string]string `toml:"headers,omitempty" json:"headers,omitempty"`
	// SHA256 is the expected hex digest of the downloaded content.
	SHA256 string `toml:"sha256,omitempty" json:"sha256,omitempty"`
	// Format is the archive format of a remote_dir: "tar", "tar.gz" or
	// "zip"; when empty it is taken from the URL or the content.
	Format string `toml:"format,omitempty" json:"format,omitempty"`
	// MaxInputBytes, MaxOutputBytes and MaxMembers bound a remote_dir
	// archive (0: the Default* limits).
	MaxInputBytes  int64 `toml:"max_input_bytes,omitempty" json:"max_input_bytes,omitempty"`
	MaxOutputBytes int64 `toml:"max_output_bytes,omitempty" json:"max_output_bytes,omitempty"`
	MaxMembers     int64 `toml:"max_members,omitempty" json:"max_members,omitempty"`

	// Config is the configuration of an entry whose type a plugin defines
	// (see [WithEntryType]); it is passed to the plugin as JSON. Built-in
	// types do not take it.
	Config map[string]any `toml:"config,omitempty" json:"config,omitempty"`
}

// canonicalType returns the entry type with aliases resolved.
func (e *Entry) canonicalType() string {
	if e.Type == TypeFile {
		return TypeInlineFile
	}
	return e.Type
}

// entryKeys lists the keys each entry type accepts besides the common ones.
var entryKeys = map[string][]string{
	TypeInlineFile: {"content", "encoding"},
	TypeDir:        {"entries"},
	TypeLocalFile:  {"src"},
	TypeLocalDir:   {"src", "exclude"},
	TypeGitRepo:    {"url", "repo", "host", "ref", "depth", "subpath", "sparse"},
	TypeRemoteFile: {"url", "headers", "sha256"},
	TypeRemoteDir:  {"url", "headers", "sha256", "format", "max_input_bytes", "max_output_bytes", "max_members"},
}

var commonKeys = []string{"type", "description", "ephemeral", "permissions"}

// pluginEntryKeys are the keys an entry of a plugin-defined type accepts
// besides the common ones.
var pluginEntryKeys = []string{"config"}

// Mode is a file mode. In TOML and JSON it is an octal string ("0644") or a
// number (420, or 0o644 in TOML).
type Mode uint32

// String formats m as a four-digit octal string.
func (m Mode) String() string { return fmt.Sprintf("%04o", uint32(m)) }

// MarshalJSON writes m as an octal string.
func (m Mode) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

// MarshalText writes m as an octal string (used by the TOML encoder).
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalJSON reads an octal string or a number.
func (m *Mode) UnmarshalJSON(b []byte) error {
	var v any
	d := json.NewDecoder(bytesReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return err
	}
	if n, ok := v.(json.Number); ok {
		i, err := n.Int64()
		if err != nil {
			return fmt.Errorf("permissions: %q is not an integer", n)
		}
		return m.set(i)
	}
	return m.UnmarshalTOML(v)
}

// UnmarshalTOML reads an octal string or an integer.
func (m *Mode) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case int64:
		return m.set(v)
	case string:
		i, err := strconv.ParseInt(v, 8, 64)
		if err != nil || v == "" {
			return fmt.Errorf("permissions: %q is not an octal mode like \"0644\"", v)
		}
		return m.set(i)
	default:
		return fmt.Errorf("permissions: want an octal string or an integer, not %T", v)
	}
}

func (m *Mode) set(i int64) error {
	if i < 0 || i > 0o7777 {
		return fmt.Errorf("permissions: %d (octal %o) is out of range 0..07777", i, i)
	}
	*m = Mode(i)
	return nil
}

// RedactedValue replaces secret values in redacted output.
const RedactedValue = "[REDACTED]"

// EnvValue is one environment variable. In TOML and JSON it is a plain
// string, or a table {value = "...", secret = true}. A secret value never
// appears in String, GoString, MarshalJSON or MarshalText output.
type EnvValue struct {
	Value  string // the value; read it only to pass it to a session
	Secret bool   // keep Value out of logs, errors and serialized state
}

// envTable is the table form of an EnvValue.
type envTable struct {
	Value  *string `toml:"value" json:"value"`
	Secret bool    `toml:"secret" json:"secret"`
}

// String returns the value, or [RedactedValue] for a secret.
func (v EnvValue) String() string {
	if v.Secret {
		return RedactedValue
	}
	return v.Value
}

// GoString is like String, so %#v never prints a secret.
func (v EnvValue) GoString() string {
	return fmt.Sprintf("manifest.EnvValue{Value:%q, Secret:%v}", v.String(), v.Secret)
}

// MarshalJSON writes a plain string, or a redacted table for a secret.
func (v EnvValue) MarshalJSON() ([]byte, error) {
	if v.Secret {
		return json.Marshal(map[string]any{"value": RedactedValue, "secret": true})
	}
	return json.Marshal(v.Value)
}

// MarshalText writes the value, or [RedactedValue] for a secret.
func (v EnvValue) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalJSON reads a string or a {value, secret} object.
func (v *EnvValue) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*v = EnvValue{Value: s}
		return nil
	}
	var t envTable
	d := json.NewDecoder(bytesReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&t); err != nil {
		return fmt.Errorf("environment value: want a string or {value, secret}: %v", err)
	}
	if t.Value == nil {
		return fmt.Errorf("environment value: missing key \"value\"")
	}
	*v = EnvValue{Value: *t.Value, Secret: t.Secret}
	return nil
}

// UnmarshalTOML reads a string or a {value, secret} table.
func (v *EnvValue) UnmarshalTOML(data any) error {
	switch d := data.(type) {
	case string:
		*v = EnvValue{Value: d}
		return nil
	case map[string]any:
		var out EnvValue
		seen := false
		for k, x := range d {
			switch k {
			case "value":
				s, ok := x.(string)
				if !ok {
					return fmt.Errorf("environment value: \"value\" must be a string, not %T", x)
				}
				out.Value, seen = s, true
			case "secret":
				b, ok := x.(bool)
				if !ok {
					return fmt.Errorf("environment value: \"secret\" must be a boolean, not %T", x)
				}
				out.Secret = b
			default:
				return fmt.Errorf("environment value: unknown key %q", k)
			}
		}
		if !seen {
			return fmt.Errorf("environment value: missing key \"value\"")
		}
		*v = out
		return nil
	default:
		return fmt.Errorf("environment value: want a string or a table {value, secret}, not %T", data)
	}
}

// Capabilities grant what a session may do. The policy engine that
// enforces them reads these lists; an empty list grants nothing beyond the
// defaults.
type Capabilities struct {
	// Exec lists the commands a session may run.
	Exec *Capability `toml:"exec,omitempty" json:"exec,omitempty"`
	// Read lists workspace path globs a session may read.
	Read *Capability `toml:"read,omitempty" json:"read,omitempty"`
	// Write lists workspace path globs a session may write.
	Write *Capability `toml:"write,omitempty" json:"write,omitempty"`
	// Network lists host patterns a session may reach.
	Network *Capability `toml:"network,omitempty" json:"network,omitempty"`
}

// Capability is one permission's allow list: command names for exec,
// workspace path globs for read and write, host patterns for network.
type Capability struct {
	Allow []string `toml:"allow,omitempty" json:"allow,omitempty"`
}

// Limits bound a session; see [providers.Limits]. Durations are strings
// like "30s".
type Limits struct {
	// ExecTimeout bounds execs that set no timeout ("30s", "5m").
	ExecTimeout string `toml:"exec_timeout,omitempty" json:"exec_timeout,omitempty"`
	// MemoryBytes caps memory.
	MemoryBytes int64 `toml:"memory_bytes,omitempty" json:"memory_bytes,omitempty"`
	// CPUs caps CPU time as a number of cores.
	CPUs float64 `toml:"cpus,omitempty" json:"cpus,omitempty"`
	// PIDs caps the number of processes.
	PIDs int64 `toml:"pids,omitempty" json:"pids,omitempty"`
	// MaxOutputBytes caps each of stdout and stderr per exec.
	MaxOutputBytes int64 `toml:"max_output_bytes,omitempty" json:"max_output_bytes,omitempty"`
	// DiskBytes caps the workspace size.
	DiskBytes int64 `toml:"disk_bytes,omitempty" json:"disk_bytes,omitempty"`
}

// ProviderLimits converts l to [providers.Limits]. A nil l gives the zero
// Limits.
//
// # Errors
//
// CodeInvalidManifest when ExecTimeout is not a valid duration.
func (l *Limits) ProviderLimits() (providers.Limits, error) {
	if l == nil {
		return providers.Limits{}, nil
	}
	out := providers.Limits{
		MemoryBytes: l.MemoryBytes, CPUs: l.CPUs, PIDs: l.PIDs,
		MaxOutputBytes: l.MaxOutputBytes, DiskBytes: l.DiskBytes,
	}
	if l.ExecTimeout != "" {
		d, err := time.ParseDuration(l.ExecTimeout)
		if err != nil || d < 0 {
			return out, &providers.Error{Code: providers.CodeInvalidManifest, Op: "limits",
				Target: "limits.exec_timeout", Message: fmt.Sprintf("%q is not a duration like \"30s\"", l.ExecTimeout)}
		}
		out.ExecTimeout = d
	}
	return out, nil
}

// Plugin is one Wasm plugin a session loads.
type Plugin struct {
	// Path is the plugin's .wasm file, relative to the manifest's BaseDir.
	Path string `toml:"path" json:"path"`
	// SHA256 is the expected digest of the file.
	SHA256 string `toml:"sha256,omitempty" json:"sha256,omitempty"`
	// Config is passed to the plugin as is.
	Config map[string]any `toml:"config,omitempty" json:"config,omitempty"`
	// AllowedHosts are the hosts the plugin's HTTP may reach.
	AllowedHosts []string `toml:"allowed_hosts,omitempty" json:"allowed_hosts,omitempty"`
}
