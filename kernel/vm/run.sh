#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel/vm/run.sh - build the nltest module for Debian's 6.1 and 6.12
# kernels, boot each kernel in QEMU (software emulation) with an initramfs
# holding the module and the test binaries, and collect PASS/FAIL lines.
#
# Runs as root on Debian bookworm; installs what it needs (apt) when missing.
# Idempotent: downloads and kernel images are cached in kernel/vm/out/.
#
# Usage: bash kernel/vm/run.sh [options]
#   --kernel K        6.1, 6.12 or a full version (6.12.115+deb12-amd64);
#                     repeatable; default: 6.1 and 6.12       (env NLTEST_KERNELS)
#   --bin PATH        add a (static) test binary to /tests; repeatable;
#                     a name ending in .libtest is run as a libtest harness
#                                                             (env NLTEST_BINS)
#   --cargo SPEC      build a static Rust binary from this workspace and add
#                     it to /tests; SPEC is PKG:bin:NAME, PKG:example:NAME
#                     (installed as NAME.example: not run by init.sh, a test
#                     binary runs it and checks its output), PKG:test:NAME
#                     (integration test, run as NAME.libtest), PKG:tool:NAME
#                     (a bin installed as /usr/bin/NAME, for tests to call)
#                     or PKG:NAME (= bin); repeatable          (env NLTEST_CARGO)
#                     Always built unless --no-rust: nlkit-vmtest:bin:nlkit-vmtest,
#                     the examples nltest_echo, nltest_multicast, genl_nltest
#                     and the CLI as a tool (nlkit-cli:tool:nlkit)
#   --no-rust         leave out the default Rust tests above (C smoke only)
#   --no-smoke        do not run the C smoke test (it stays available as the
#                     listener helper of the unload phase)
#   --phases "..."    in-VM phases, default "root unpriv unpriv_recv unit unload"
#                                                             (env NLTEST_PHASES)
#   --timeout S       QEMU wall-clock limit per kernel, default 300
#                                                        (env NLTEST_VM_TIMEOUT)
#   --test-timeout S  limit per test binary run inside the VM, default 120
#                                                      (env NLTEST_TEST_TIMEOUT)
#   --deps-only       install packages and fetch kernel images, then stop
#   -h, --help
# Environment lists are space separated.  Output per kernel goes to
# kernel/vm/out/<kver>/ (build.log, console.log).
#
# Exit status: 0 when every kernel booted, ran all phases, printed its
# "DONE:" summary with 0 failures and the console shows no kernel
# WARNING/BUG/Oops/Call Trace/leak report; 1 otherwise; 2 on usage errors.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MODSRC=$(cd "$HERE/../module" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${NLTEST_OUT:-$HERE/out}

read -r -a KERNELS <<< "${NLTEST_KERNELS:-}"
read -r -a BINS <<< "${NLTEST_BINS:-}"
read -r -a CARGO_SPECS <<< "${NLTEST_CARGO:-}"
# nlkit's own tests against the module: the test binary and the examples it runs.
DEFAULT_CARGO=(nlkit-vmtest:bin:nlkit-vmtest nlkit:example:nltest_echo
	nlkit:example:nltest_multicast nlkit:example:genl_nltest nlkit-cli:tool:nlkit)
RUST=1
PHASES=${NLTEST_PHASES:-root unpriv unpriv_recv unit unload}
VM_TIMEOUT=${NLTEST_VM_TIMEOUT:-300}
TEST_TIMEOUT=${NLTEST_TEST_TIMEOUT:-120}
SMOKE=1
DEPS_ONLY=0

usage() { sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while (($#)); do
	case $1 in
	--kernel) KERNELS+=("$2"); shift 2 ;;
	--bin) BINS+=("$2"); shift 2 ;;
	--cargo) CARGO_SPECS+=("$2"); shift 2 ;;
	--no-smoke) SMOKE=0; shift ;;
	--no-rust) RUST=0; shift ;;
	--phases) PHASES=$2; shift 2 ;;
	--timeout) VM_TIMEOUT=$2; shift 2 ;;
	--test-timeout) TEST_TIMEOUT=$2; shift 2 ;;
	--deps-only) DEPS_ONLY=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
((${#KERNELS[@]})) || KERNELS=(6.1 6.12)

log() { printf '[run.sh %s] %s\n' "$(date +%T)" "$*"; }
die() { printf '[run.sh] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get, mknod for /dev/console)"

T_START=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------------------
# Packages and kernel versions
# ---------------------------------------------------------------------------

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

APT_UPDATED=0
apt_update_once() {
	if [ $APT_UPDATED = 0 ]; then
		log "apt-get update"
		apt-get update -qq
		APT_UPDATED=1
	fi
}

apt_install() {
	log "apt-get install $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
		> "$OUT/apt-install.log" 2>&1 || { tail -30 "$OUT/apt-install.log"; die "apt-get install failed"; }
}

# The 6.1 flavour follows the linux-headers-amd64 metapackage.
kver_61() {
	local dep
	if installed linux-headers-amd64; then
		dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64)
	else
		dep=$(apt-cache depends linux-headers-amd64 2>/dev/null | awk '/Depends:/ { print $2; exit }')
	fi
	dep=${dep%%[ ,]*}
	[ -n "$dep" ] || return 1
	echo "${dep#linux-headers-}"
}

# The newest 6.12 backport flavour: an installed one, else the newest
# linux-headers-6.12.*+deb12-amd64 the archive offers.
kver_612() {
	local v
	v=$(dpkg-query -W -f='${Package} ${Status}\n' 'linux-headers-6.12.*+deb12-amd64' 2>/dev/null |
		awk '/ ok installed$/ { sub(/^linux-headers-/, "", $1); print $1 }' | sort -V | tail -1)
	if [ -z "$v" ]; then
		v=$(apt-cache pkgnames linux-headers-6.12. 2>/dev/null |
			grep -E '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' | sort -V | tail -1)
		v=${v#linux-headers-}
	fi
	[ -n "$v" ] || return 1
	echo "$v"
}

resolve_kver() {
	case $1 in
	6.1) kver_61 ;;
	6.12) kver_612 ;;
	*) echo "$1" ;;
	esac
}

ensure_deps() {
	local missing=() p k v
	mkdir -p "$OUT"
	for p in qemu-system-x86 busybox-static cpio kmod build-essential; do
		installed "$p" || missing+=("$p")
	done
	for k in "${KERNELS[@]}"; do
		case $k in 6.1) installed linux-headers-amd64 || missing+=(linux-headers-amd64) ;; esac
	done
	if ((${#missing[@]})); then
		apt_update_once
		apt_install "${missing[@]}"
		missing=()
	fi
	KVERS=()
	for k in "${KERNELS[@]}"; do
		v=$(resolve_kver "$k") || { apt_update_once; v=$(resolve_kver "$k") || die "no kernel headers found for '$k'"; }
		installed "linux-headers-$v" || missing+=("linux-headers-$v")
		KVERS+=("$v")
	done
	if ((${#missing[@]})); then
		# Note: the 6.12 headers package depends on its kernel image
		# package, so apt installs (but nothing boots) that kernel too.
		apt_update_once
		apt_install "${missing[@]}"
	fi
	for v in "${KVERS[@]}"; do
		[ -e "/lib/modules/$v/build/Makefile" ] || die "/lib/modules/$v/build missing after installing linux-headers-$v"
		fetch_vmlinuz "$v"
	done
}

# Modules the VM loads from Debian's image package (the root phase loads them,
# dependencies first), for what the host kernel lacks or has built in: vlan,
# dummy; ctnetlink for the conntrack test (nlkit-vmtest's conntrack.rs); the
# queue, nf_tables and its queue expression for the NFQUEUE test (nfqueue.rs).
# crc32c_generic first: libcrc32c (nf_conntrack and nf_tables need it) loads
# the crc32c algorithm, which modinfo does not list as a dependency.
# mpls_router, mpls_iptunnel and vrf for the differential tests against
# iproute2's ip (nlkit-vmtest's ipdiff.rs: encap mpls routes, vrf links).
EXTRA_MODULES=(8021q dummy crc32c_generic nf_conntrack_netlink nfnetlink_queue nf_tables nft_queue
	mpls_router mpls_iptunnel vrf)

# Only boot/vmlinuz-<ver> and the EXTRA_MODULES (with their dependencies) are
# taken from the image package; cached as kernels/vmlinuz-<ver> and
# kernels/modules-<ver>/ (NAME.ko, decompressed; load-order: the names, a
# dependency before its users; wanted: the EXTRA_MODULES they were made for).
fetch_vmlinuz() {
	local kver=$1 dst="$OUT/kernels/vmlinuz-$1" mdir="$OUT/kernels/modules-$1" ver tmp deb
	if [ -s "$dst" ] && [ -s "$mdir/load-order" ] &&
		[ "$(cat "$mdir/wanted" 2>/dev/null)" = "${EXTRA_MODULES[*]}" ]; then
		return 0
	fi
	mkdir -p "$OUT/kernels"
	ver=$(dpkg-query -W -f='${Version}' "linux-headers-$kver")
	tmp=$(mktemp -d "$OUT/kernels/dl.XXXXXX")
	log "apt-get download linux-image-$kver ($ver)"
	(
		cd "$tmp"
		for pkg in "linux-image-$kver=$ver" "linux-image-$kver-unsigned=$ver" \
			"linux-image-$kver" "linux-image-$kver-unsigned"; do
			apt-get download -qq -o APT::Sandbox::User=root "$pkg" > /dev/null 2>&1 && exit 0
			apt_update_once > /dev/null
		done
		exit 1
	) || { rm -rf "$tmp"; die "could not download linux-image-$kver"; }
	deb=$(ls "$tmp"/*.deb)
	dpkg-deb --fsys-tarfile "$deb" > "$tmp/data.tar"
	tar -xOf "$tmp/data.tar" "./boot/vmlinuz-$kver" > "$tmp/vmlinuz"
	[ -s "$tmp/vmlinuz" ] || die "no boot/vmlinuz-$kver in $deb"
	extract_modules "$tmp" "$kver" "$deb"
	rm -rf "$mdir"
	mv "$tmp/modules" "$mdir"
	mv "$tmp/vmlinuz" "$dst"
	rm -rf "$tmp"
}

# extract_modules TMP KVER DEB: EXTRA_MODULES and what they depend on
# (modinfo -F depends), from TMP/data.tar into TMP/modules/, decompressed
# (busybox insmod may not read .xz/.zst), with load-order and wanted.
extract_modules() {
	local tmp=$1 kver=$2 deb=$3 path f n name
	local -A pathof=() state=()
	local order=()
	while IFS= read -r path; do
		f=${path##*/}
		n=${f%%.ko*}
		pathof[${n//-/_}]=$path
	done < <(tar -tf "$tmp/data.tar" | grep -F "./lib/modules/$kver/kernel/" |
		grep -E '\.ko(\.xz|\.zst|\.gz)?$')
	mkdir -p "$tmp/modules" "$tmp/x"
	# visit NAME: extract it, visit its dependencies, then append it (post-order).
	visit() {
		local name=${1//-/_} path ko deps d
		case ${state[$name]:-} in
		visited) return 0 ;;
		visiting) die "module dependency cycle at $name ($kver)" ;;
		esac
		state[$name]=visiting
		path=${pathof[$name]:-}
		[ -n "$path" ] || die "module $name not in $deb"
		tar -xf "$tmp/data.tar" -C "$tmp/x" "$path"
		ko=$tmp/modules/$name.ko
		case $path in
		*.ko.xz) xz -dc "$tmp/x/$path" > "$ko" ;;
		*.ko.zst) zstd -qdc "$tmp/x/$path" > "$ko" ;;
		*.ko.gz) gzip -dc "$tmp/x/$path" > "$ko" ;;
		*) cp "$tmp/x/$path" "$ko" ;;
		esac
		[ -s "$ko" ] || die "could not extract $path from $deb"
		deps=$(modinfo -F depends "$ko")
		for d in ${deps//,/ }; do visit "$d"; done
		state[$name]=visited
		order+=("$name")
	}
	for name in "${EXTRA_MODULES[@]}"; do visit "$name"; done
	printf '%s\n' "${order[@]}" > "$tmp/modules/load-order"
	printf '%s\n' "${EXTRA_MODULES[*]}" > "$tmp/modules/wanted"
	log "$kver: modules ${order[*]}"
}

# ---------------------------------------------------------------------------
# Builds
# ---------------------------------------------------------------------------

build_module() {
	local kver=$1 dir="$OUT/$1/build" logf="$OUT/$1/build.log"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$MODSRC"/{nltest.c,nltest_uapi.h,Kbuild,Makefile} "$dir/"
	if ! make -C "/lib/modules/$kver/build" M="$dir" modules > "$logf" 2>&1; then
		cat "$logf"
		die "module build failed for $kver"
	fi
	if grep -qi 'warning:' "$logf"; then
		grep -i -B2 -A4 'warning:' "$logf"
		die "module build for $kver has warnings (see $logf)"
	fi
	[ -s "$dir/nltest.ko" ] || die "no nltest.ko for $kver"
}

build_smoke() {
	mkdir -p "$OUT/bin"
	gcc -static -O2 -Wall -Wextra -Werror -I"$MODSRC" -o "$OUT/bin/smoke" "$HERE/smoke.c" ||
		die "smoke.c build failed"
}

is_static() { ! readelf -l "$1" 2>/dev/null | grep -q 'INTERP'; }

# PKG:bin:NAME | PKG:example:NAME | PKG:test:NAME | PKG:tool:NAME | PKG:NAME
build_cargo() {
	local spec=$1 pkg kind name tdir path json dst ckind
	IFS=: read -r pkg kind name <<< "$spec"
	if [ -z "$name" ]; then name=$kind; kind=bin; fi
	[ -n "$pkg" ] && [ -n "$name" ] || die "bad --cargo spec '$spec'"
	tdir=${CARGO_TARGET_DIR:-$REPO/target}
	ckind=$kind
	[ "$kind" = tool ] && ckind=bin
	log "cargo build (static) -p $pkg --$ckind $name"
	json=$(cd "$REPO" && RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
		cargo build --release --target x86_64-unknown-linux-gnu -p "$pkg" "--$ckind" "$name" \
		--message-format=json-render-diagnostics) || die "cargo build failed for $spec"
	case $kind in
	bin | tool) path=$tdir/x86_64-unknown-linux-gnu/release/$name ;;
	example) path=$tdir/x86_64-unknown-linux-gnu/release/examples/$name ;;
	test)
		path=$(grep -o '"executable":"[^"]*"' <<< "$json" | tail -1 | cut -d'"' -f4)
		;;
	*) die "bad kind '$kind' in --cargo spec '$spec'" ;;
	esac
	[ -x "$path" ] || die "cargo produced no executable for $spec"
	is_static "$path" || die "$path is not statically linked"
	mkdir -p "$OUT/bin/cargo"
	case $kind in
	test) dst=$OUT/bin/cargo/$name.libtest ;;
	example) dst=$OUT/bin/cargo/$name.example ;;
	tool)
		mkdir -p "$OUT/bin/cargo/tools"
		cp "$path" "$OUT/bin/cargo/tools/$name"
		EXTRA_TOOLS+=("$OUT/bin/cargo/tools/$name")
		return
		;;
	*) dst=$OUT/bin/cargo/$name ;;
	esac
	cp "$path" "$dst"
	EXTRA_BINS+=("$dst")
}

# install_ip ROOT: the host's iproute2 ip as ROOT/usr/bin/ip (busybox's own
# ip applet stays /bin/ip), with the shared libraries ldd lists, the dynamic
# loader and /etc/iproute2 (the name tables ip reads), for ipdiff.rs.
install_ip() {
	local root=$1 ip lib
	ip=$(readlink -f /usr/bin/ip 2>/dev/null || readlink -f /sbin/ip) || die "no iproute2 ip on the host"
	[ -x "$ip" ] || die "no iproute2 ip on the host"
	install -m 755 "$ip" "$root/usr/bin/ip"
	for lib in $(ldd "$ip" | grep -oE '/[^ ]+'); do
		mkdir -p "$root/$(dirname "$lib")"
		cp -L "$lib" "$root/$lib"
	done
	[ -d /etc/iproute2 ] && cp -rL /etc/iproute2 "$root/etc/"
	return 0
}

make_initramfs() {
	local kver=$1 root="$OUT/$1/initramfs" b
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,etc,proc,sys,tmp,tests,nltest,usr/bin,usr/libexec/nltest}
	cp /bin/busybox "$root/bin/busybox"
	is_static "$root/bin/busybox" || die "/bin/busybox is not static (install busybox-static)"
	mknod -m 600 "$root/dev/console" c 5 1
	mknod -m 666 "$root/dev/null" c 1 3
	cat > "$root/init" << 'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
/bin/sh /init.sh
echo "INIT: init.sh exited with status $?"
sync
poweroff -f
EOF
	chmod 755 "$root/init"
	install -m 755 "$HERE/init.sh" "$root/init.sh"
	install_ip "$root"
	cp "$OUT/$kver/build/nltest.ko" "$root/nltest/"
	mkdir -p "$root/lib/modules-extra"
	cp "$OUT/kernels/modules-$kver"/{*.ko,load-order} "$root/lib/modules-extra/"
	install -m 755 "$OUT/bin/smoke" "$root/usr/libexec/nltest/smoke"
	[ $SMOKE = 1 ] && ln -s /usr/libexec/nltest/smoke "$root/tests/smoke"
	for b in "${EXTRA_BINS[@]}"; do
		[ -f "$b" ] && [ -x "$b" ] || die "test binary '$b' missing or not executable"
		is_static "$b" || die "test binary '$b' is not statically linked"
		# keep the symbols, drop DWARF: smaller initramfs, backtraces still named
		objcopy --strip-debug "$b" "$root/tests/$(basename "$b")"
		chmod 755 "$root/tests/$(basename "$b")"
	done
	for b in "${EXTRA_TOOLS[@]}"; do
		is_static "$b" || die "tool '$b' is not statically linked"
		objcopy --strip-debug "$b" "$root/usr/bin/$(basename "$b")"
		chmod 755 "$root/usr/bin/$(basename "$b")"
	done
	printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		> "$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
	{
		printf 'NLTEST_PHASES=%q\n' "$PHASES"
		printf 'NLTEST_TEST_TIMEOUT=%q\n' "$TEST_TIMEOUT"
	} > "$root/etc/nltest.env"
	(cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) |
		gzip -1 > "$OUT/$kver/initramfs.cpio.gz"
}

# ---------------------------------------------------------------------------
# Boot and judge
# ---------------------------------------------------------------------------

TOTAL_PASS=0
TOTAL_FAIL=0
SUMMARY=()
RESULT=0

run_vm() {
	local kver=$1 dir="$OUT/$1" con="$OUT/$1/console.log" t0 rc=0 secs
	local npass nfail nskip done_line bad problems=()
	t0=$(date +%s.%N)
	log "booting $kver (timeout ${VM_TIMEOUT}s)"
	timeout -k 5 "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg -m 512 -smp 2 \
		-nographic -no-reboot -nic none \
		-kernel "$OUT/kernels/vmlinuz-$kver" -initrd "$dir/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 quiet" \
		< /dev/null > "$dir/console.raw" 2>&1 || rc=$?
	secs=$(elapsed "$t0")
	tr -d '\r' < "$dir/console.raw" > "$con"
	rm -f "$dir/console.raw"

	npass=$(grep -c '^PASS ' "$con" || true)
	nfail=$(grep -c '^FAIL ' "$con" || true)
	nskip=$(grep -c '^SKIP ' "$con" || true)
	done_line=$(grep -E '^DONE: [0-9]+ passed, [0-9]+ failed' "$con" | tail -1 || true)

	[ $rc = 124 ] || [ $rc = 137 ] && problems+=("timeout after ${VM_TIMEOUT}s")
	[ $rc != 0 ] && [ $rc != 124 ] && [ $rc != 137 ] && problems+=("qemu exit status $rc")
	if [ -z "$done_line" ]; then
		problems+=("no 'DONE:' summary line")
	elif [ "$done_line" != "DONE: $npass passed, $nfail failed, $nskip skipped" ]; then
		problems+=("summary '$done_line' does not match the $npass PASS / $nfail FAIL / $nskip SKIP lines seen")
	fi
	((nfail == 0)) || problems+=("$nfail FAIL lines")
	((npass > 0)) || problems+=("no PASS line")
	bad=$(grep -nE 'WARNING:|BUG:|Oops|Call Trace|kmemleak' "$con" || true)
	[ -z "$bad" ] || problems+=("kernel problem lines in the console")

	grep -E '^(FAIL )' "$con" || true
	[ -z "$bad" ] || printf '%s\n' "$bad" | head -40

	TOTAL_PASS=$((TOTAL_PASS + npass))
	TOTAL_FAIL=$((TOTAL_FAIL + nfail))
	if ((${#problems[@]})); then
		RESULT=1
		((nfail > 0)) || TOTAL_FAIL=$((TOTAL_FAIL + 1))
		SUMMARY+=("$(printf 'FAIL  %-24s %3d passed, %d failed, %d skipped, %6ss  (%s; see %s)' \
			"$kver" "$npass" "$nfail" "$nskip" "$secs" "$(printf '%s; ' "${problems[@]}" | sed 's/; $//')" "$con")")
		log "$kver: FAILED (${problems[*]}); last console lines:"
		tail -25 "$con"
	else
		SUMMARY+=("$(printf 'ok    %-24s %3d passed, %d failed, %d skipped, %6ss' \
			"$kver" "$npass" "$nfail" "$nskip" "$secs")")
	fi
}

# ---------------------------------------------------------------------------

ensure_deps
log "kernels: ${KVERS[*]} (setup $(elapsed "$T_START")s)"
((DEPS_ONLY)) && exit 0

EXTRA_BINS=()
EXTRA_TOOLS=()
for b in "${BINS[@]}"; do EXTRA_BINS+=("$(realpath "$b")"); done
((RUST)) && CARGO_SPECS=("${DEFAULT_CARGO[@]}" "${CARGO_SPECS[@]}")
declare -A BUILT=()
for s in "${CARGO_SPECS[@]}"; do
	[ -n "${BUILT[$s]:-}" ] && continue
	BUILT[$s]=1
	build_cargo "$s"
done
build_smoke

for kver in "${KVERS[@]}"; do
	t0=$(date +%s.%N)
	mkdir -p "$OUT/$kver"
	build_module "$kver"
	make_initramfs "$kver"
	log "$kver: module and initramfs ready in $(elapsed "$t0")s"
	run_vm "$kver"
done

echo
echo "== nltest VM tests =="
printf '%s\n' "${SUMMARY[@]}"
echo "total wall time $(elapsed "$T_START")s"
echo "vm-tests: $TOTAL_PASS passed, $TOTAL_FAIL failed"
exit $RESULT
