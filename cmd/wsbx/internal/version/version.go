// Package version is "wsbx version".
package version

import "runtime/debug"

// String returns wsbx's version: the module version when built from a
// tagged module, else "devel" with the VCS revision when known.
func String() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "wsbx devel"
	}
	v := info.Main.Version
	if v != "" && v != "(devel)" {
		return "wsbx " + v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "wsbx devel " + s.Value[:12]
		}
	}
	return "wsbx devel"
}
