package manifest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// Describe returns a human-readable plan of what m would materialize: the
// root, the environment (secret values hidden), each entry with its type
// and source, and the limits, capabilities and plugins. It does no I/O.
func Describe(m *Manifest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "root %s\n", m.RootOrDefault())
	if len(m.Environment) > 0 {
		b.WriteString("environment:\n")
		for _, k := range slices.Sorted(maps.Keys(m.Environment)) {
			v := m.Environment[k]
			if v.Secret {
				fmt.Fprintf(&b, "  %s (secret)\n", k)
			} else {
				fmt.Fprintf(&b, "  %s=%q\n", k, v.Value)
			}
		}
	}
	if len(m.Entries) > 0 {
		b.WriteString("entries:\n")
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		walkEntries(m.Entries, "", func(dest string, e *Entry) {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", dest, e.Type, describeSource(e))
		})
		tw.Flush()
	}
	if l := m.Limits; l != nil {
		var parts []string
		add := func(name string, v any, set bool) {
			if set {
				parts = append(parts, fmt.Sprintf("%s=%v", name, v))
			}
		}
		add("exec_timeout", l.ExecTimeout, l.ExecTimeout != "")
		add("memory_bytes", l.MemoryBytes, l.MemoryBytes != 0)
		add("cpus", l.CPUs, l.CPUs != 0)
		add("pids", l.PIDs, l.PIDs != 0)
		add("max_output_bytes", l.MaxOutputBytes, l.MaxOutputBytes != 0)
		add("disk_bytes", l.DiskBytes, l.DiskBytes != 0)
		fmt.Fprintf(&b, "limits: %s\n", strings.Join(parts, " "))
	}
	if c := m.Capabilities; c != nil {
		b.WriteString("capabilities:\n")
		for _, x := range []struct {
			name string
			c    *Capability
		}{{"exec", c.Exec}, {"read", c.Read}, {"write", c.Write}, {"network", c.Network}} {
			if x.c != nil {
				fmt.Fprintf(&b, "  %s allow %s\n", x.name, strings.Join(x.c.Allow, ", "))
			}
		}
	}
	if len(m.Plugins) > 0 {
		b.WriteString("plugins:\n")
		for _, k := range slices.Sorted(maps.Keys(m.Plugins)) {
			p := m.Plugins[k]
			fmt.Fprintf(&b, "  %s %s", k, p.Path)
			if len(p.AllowedHosts) > 0 {
				fmt.Fprintf(&b, " (hosts %s)", strings.Join(p.AllowedHosts, ", "))
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func describeSource(e *Entry) string {
	var parts []string
	switch e.canonicalType() {
	case TypeInlineFile:
		n := len(e.Content)
		if e.Encoding == "base64" {
			if d, err := decodeBase64(e.Content); err == nil {
				n = len(d)
			}
		}
		parts = append(parts, fmt.Sprintf("%d bytes", n))
	case TypeDir:
		parts = append(parts, fmt.Sprintf("%d children", len(e.Entries)))
	case TypeLocalFile, TypeLocalDir:
		parts = append(parts, "from "+e.Src)
		if len(e.Exclude) > 0 {
			parts = append(parts, "excluding "+strings.Join(e.Exclude, ", "))
		}
	case TypeGitRepo:
		parts = append(parts, redactURL(e.repoURL()))
		if e.Ref != "" {
			parts = append(parts, "@ "+e.Ref)
		}
		if e.Subpath != "" {
			parts = append(parts, "subpath "+e.Subpath)
		}
		if e.Depth > 0 {
			parts = append(parts, fmt.Sprintf("depth %d", e.Depth))
		}
		if len(e.Sparse) > 0 {
			parts = append(parts, "sparse "+strings.Join(e.Sparse, ", "))
		}
	case TypeRemoteFile, TypeRemoteDir:
		parts = append(parts, redactURL(e.URL))
		if e.SHA256 != "" {
			parts = append(parts, "sha256 "+e.SHA256[:min(12, len(e.SHA256))])
		}
		if len(e.Headers) > 0 {
			parts = append(parts, "headers "+strings.Join(slices.Sorted(maps.Keys(e.Headers)), ", "))
		}
	default:
		parts = append(parts, "by plugin")
		if len(e.Config) > 0 {
			parts = append(parts, "config "+strings.Join(slices.Sorted(maps.Keys(e.Config)), ", "))
		}
	}
	if e.Permissions != 0 {
		parts = append(parts, "mode "+e.Permissions.String())
	}
	if e.Ephemeral {
		parts = append(parts, "ephemeral")
	}
	if e.Description != "" {
		parts = append(parts, "# "+e.Description)
	}
	return strings.Join(parts, " ")
}

// repoURL returns the clone URL of a git_repo entry.
func (e *Entry) repoURL() string {
	if e.URL != "" {
		return e.URL
	}
	host := e.Host
	if host == "" {
		host = "github.com"
	}
	return "https://" + host + "/" + e.Repo + ".git"
}
