// Package docker is the wsbx provider that runs each session in its own
// Docker container, through the Docker Engine API.
//
// # Use
//
//	p, err := docker.New(docker.Config{Image: "python:3.12-slim"})
//	if err != nil { ... }
//	defer p.Close()
//	s, err := p.Create(ctx, providers.SessionSpec{})
//	defer s.Close(ctx)
//	res, err := s.Exec(ctx, providers.ExecRequest{Command: "python3 -V"})
//
// The engine is found like the docker CLI finds it (DOCKER_HOST,
// DOCKER_CERT_PATH, DOCKER_TLS_VERIFY, or the local socket) and the API
// version is negotiated, so engines from API 1.41 (Docker 20.10) on work.
//
// # Containers
//
// A session's container runs the image named by the session options
// ([Options], the JSON in SessionSpec.Options) or [Config.Image], with
// docker-init as PID 1 and a sleep loop keeping it alive. It has no network
// unless the spec grants AllowAll (a grant of only some hosts cannot be
// enforced by the engine and is refused), drops every capability, sets
// no-new-privileges, and takes its memory, CPU and PID limits from
// SessionSpec.Limits (PIDs default to [DefaultPIDs]). With read_only_root the
// root filesystem is read-only and the workspace (an anonymous volume) and
// /tmp (a tmpfs) stay writable. Every container carries the label
// [LabelSession], which [Provider.RemoveOrphans] uses.
//
// The session environment (which may hold secrets) is passed to each exec,
// never stored in the container's configuration, so it does not show in
// docker inspect of the container or in committed snapshot images.
//
// The image needs /bin/sh and a few usual tools (sleep, mkdir, rm, rmdir,
// grep with -z, kill): every shell-based image has them; busybox does.
//
// # Exec
//
// Commands run through exec instances with stdout and stderr demultiplexed
// and streamed to the request's writers while they are captured up to the
// output cap. Docker cannot stop an exec instance, so every exec carries a
// private environment variable WSBX_EXEC_ID; on a timeout, a cancelled
// context or an output cap, a second exec kills every process that carries
// it (the command and all it started), and if the container's PID limit
// leaves no room for that, the limit is raised for the moment of the kill
// (a container restart is the last resort). The container survives. An
// exec ends with its command: background processes still holding its output
// half a second or more after it exited are killed the same way.
//
// # Files and confinement
//
// Files move as tar streams through the engine's archive endpoints, never
// whole in memory. The engine locks a container while an archive moves, so
// content over 1 MiB passes through a temporary host file
// ([Config.SpoolDir]): ReadFile takes the file out before it returns (an
// open reader never holds the session up), WriteFile of a reader whose size
// is unknown spools it first (a tar header needs the size), and
// ImportArchive checks the whole archive into a spool file before the
// engine sees any of it. ExportArchive streams, and the session's other
// operations wait until it ends. Paths
// are checked with providers.WorkspacePath and then resolved one component
// at a time with the engine's stat endpoint, which reports each symlink's
// fully resolved target: a path whose resolution leaves the workspace root
// fails with workspace_path_escape before any data moves. The check and
// the transfer are separate requests, so a command running at the same time
// could swap a directory for a symlink in between; the engine still keeps
// the transfer inside the container, never on the host.
//
// Remove runs rm or rmdir in the container, since the engine has no delete
// endpoint.
//
// # Snapshots and state
//
// Sessions export and import the portable workspace archive
// ([providers.Archiver]): workspace-relative members, directories with a
// trailing slash, PAX headers, owners 0:0, the same format as package
// snapshot writes, so a workspace moves between providers. With the option
// commit_snapshots, Snapshot commits the container to an image
// ([providers.Snapshotter]) and [Provider.Restore] starts a new container
// from it. Session state is JSON with the container id, image and the last
// snapshot; [Provider.Resume] reattaches to the container when it still
// exists and otherwise starts one from the snapshot.
package docker
