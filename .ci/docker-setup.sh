#!/bin/sh
# docker-setup.sh prepares a Docker Engine and the test image for the docker
# provider's tests.
#
#   source .ci/docker-setup.sh   # install, start, build the image; defines docker_teardown
#   docker_teardown              # stop the dockerd it started (if it started one)
#
# Run as a script, "docker-setup.sh [setup]" and "docker-setup.sh teardown" do
# the same. The image is built with "docker import" from a busybox-static root
# filesystem, so no registry is needed. Its name is in WSBX_DOCKER_TEST_IMAGE
# (default wsbx-test-busybox:latest), which the tests read too.

WSBX_DOCKER_TEST_IMAGE=${WSBX_DOCKER_TEST_IMAGE:-wsbx-test-busybox:latest}
export WSBX_DOCKER_TEST_IMAGE
WSBX_DOCKERD_PIDFILE=${WSBX_DOCKERD_PIDFILE:-/tmp/wsbx-dockerd.pid}

docker_setup() {
	if ! command -v docker >/dev/null 2>&1 || ! command -v dockerd >/dev/null 2>&1 || ! [ -x /bin/busybox ]; then
		echo "docker-setup: installing docker.io busybox-static" >&2
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io busybox-static >&2 || return 1
	fi
	if ! docker info >/dev/null 2>&1; then
		echo "docker-setup: starting dockerd" >&2
		dockerd >/tmp/wsbx-dockerd.log 2>&1 &
		echo $! >"$WSBX_DOCKERD_PIDFILE"
		i=0
		until docker info >/dev/null 2>&1; do
			i=$((i + 1))
			if [ "$i" -gt 60 ]; then
				echo "docker-setup: dockerd did not answer within 60s; its log:" >&2
				tail -n 50 /tmp/wsbx-dockerd.log >&2
				return 1
			fi
			sleep 1
		done
	fi
	if docker image inspect "$WSBX_DOCKER_TEST_IMAGE" >/dev/null 2>&1; then
		return 0
	fi
	echo "docker-setup: building $WSBX_DOCKER_TEST_IMAGE" >&2
	rootfs=$(mktemp -d) || return 1
	mkdir -p "$rootfs/bin" "$rootfs/sbin" "$rootfs/usr/bin" "$rootfs/usr/sbin" \
		"$rootfs/etc" "$rootfs/tmp" "$rootfs/workspace" "$rootfs/root" \
		"$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
	chmod 1777 "$rootfs/tmp"
	cp /bin/busybox "$rootfs/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
	echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >>"$rootfs/etc/passwd"
	echo 'root:x:0:' >"$rootfs/etc/group"
	echo 'root:*:1:0:99999:7:::' >"$rootfs/etc/shadow"
	chmod 600 "$rootfs/etc/shadow"
	tar -C "$rootfs" -c . | docker import \
		-c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
		-c 'CMD ["/bin/sh"]' \
		- "$WSBX_DOCKER_TEST_IMAGE" >/dev/null
	status=$?
	rm -rf "$rootfs"
	return $status
}

docker_teardown() {
	if [ -f "$WSBX_DOCKERD_PIDFILE" ]; then
		pid=$(cat "$WSBX_DOCKERD_PIDFILE")
		echo "docker-setup: stopping dockerd ($pid)" >&2
		kill "$pid" 2>/dev/null
		i=0
		while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 30 ]; do
			sleep 1
			i=$((i + 1))
		done
		rm -f "$WSBX_DOCKERD_PIDFILE"
	fi
}

case "${0##*/}" in
docker-setup.sh)
	case "${1:-setup}" in
	setup) docker_setup ;;
	teardown) docker_teardown ;;
	*)
		echo "usage: $0 [setup|teardown]" >&2
		exit 2
		;;
	esac
	;;
*) docker_setup ;;
esac
