# The suite's busybox image, built offline (no registry is reachable): the busybox-static
# rootfs of tests/lib/bundle.sh, made an OCI image by umoci, then copied by skopeo into the
# forms the clients read.

IMAGE_REF=localhost/busybox:latest

# skopeo ARGS...: skopeo in a mount namespace of its own where /var/lib/containers is an
# empty tmpfs. Run as root, skopeo keeps a blob-info cache in /var/lib/containers/cache
# (no flag moves it); that is the machine's, not ours to write.
skopeo_isolated() {
	local over=/var/lib/containers
	# no such directory: hide /var/lib instead of making one
	[ -d "$over" ] || over=/var/lib
	unshare --mount --propagation private -- sh -c 'mount -t tmpfs hutch-clients "$1" && shift && exec skopeo "$@"' \
		sh "$over" "$@"
}

# image_build DIR: DIR/oci, an OCI image layout holding the image under the tag "busybox",
# and DIR/busybox.tar, the same image as an oci-archive (what `ctr image import` reads)
image_build() {
	local d=$1
	make_rootfs "$d/rootfs" || return 1
	umoci init --layout "$d/oci" &&
		umoci new --image "$d/oci:busybox" &&
		umoci insert --image "$d/oci:busybox" "$d/rootfs" / &&
		umoci config --image "$d/oci:busybox" --author hutch-client-suite \
			--config.cmd sh --config.workingdir / \
			--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ||
		return 1
	rm -rf "$d/rootfs"
	# the rootless unpack runs as an unprivileged user: it must read the layout
	chmod -R a+rX "$d/oci"
	skopeo_isolated --insecure-policy copy -q "oci:$d/oci:busybox" "oci-archive:$d/busybox.tar:$IMAGE_REF"
}
