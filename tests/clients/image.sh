# The suite's busybox image, built offline (no registry is reachable): the busybox-static
# rootfs of tests/lib/bundle.sh, made an OCI image by umoci, then copied by skopeo into the
# forms the clients read.

IMAGE_REF=localhost/busybox:latest

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
	skopeo --insecure-policy copy -q "oci:$d/oci:busybox" "oci-archive:$d/busybox.tar:$IMAGE_REF"
}
