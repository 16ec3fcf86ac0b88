// Package manifest describes what a new session starts with and writes it
// into any session.
//
// A [Manifest] is plain data: a workspace root, entries keyed by their
// destination relative to the root, an environment (whose secret values
// never appear in logs, errors or serialized state), and the capabilities,
// limits and plugins of the session. Read one with [Load] (a .toml or .json
// file) or [Parse], or build it in Go and call [Manifest.Validate].
//
//	version = 1
//	root = "/workspace"
//
//	[environment]
//	MODE = "test"
//	TOKEN = { value = "s3cr3t", secret = true }
//
//	[entries."README.md"]
//	type = "inline_file"
//	content = "# hello\n"
//
//	[entries.src]
//	type = "git_repo"
//	repo = "owner/name"
//	ref = "main"
//	subpath = "cmd"
//
//	[entries.data]
//	type = "remote_dir"
//	url = "https://example.com/data.tar.gz"
//	sha256 = "…"
//	headers = { Authorization = "Bearer ${TOKEN}" }
//
// Decoding is strict: unknown keys, keys that do not apply to an entry's
// type, values of the wrong type, and destinations that are absolute, leave
// the root, repeat or overlap are errors with code invalid_manifest or
// invalid_manifest_path, naming the file, the key and the line.
//
// [Materialize] writes the entries into a [providers.Session] through its
// file operations only, so it works with every provider. Entries run
// concurrently; a failure cancels the rest, removes what was written and
// returns an error whose code says what failed (git_clone_error,
// remote_fetch_error, checksum_error, archive_error, ...). With a [Cache],
// git trees and downloads are fetched once per cache directory and reused
// by every later session. [Describe] prints what a manifest would
// materialize.
package manifest
