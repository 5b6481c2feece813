#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kernel/vm/init.sh - the test driver inside the VM (busybox sh).
#
# /init (written by run.sh) installs the busybox applets and runs this
# script; whatever happens, /init powers the VM off afterwards.
#
# Layout of the initramfs (made by run.sh):
#   /nltest/nltest.ko            the module built for this kernel
#   /lib/modules-extra/*.ko      the kernel's own modules (run.sh's EXTRA_MODULES) and
#                                their dependencies (decompressed), loaded in
#                                the root phase in the order of
#                                /lib/modules-extra/load-order
#   /usr/bin/ip                  the host's iproute2 ip with its shared libraries
#                                (/bin/ip is busybox's), for nlkit-vmtest's ipdiff
#   /tests/*                     test binaries, run in name order in every phase
#   /tests/*.libtest             Rust libtest binaries (cargo --test targets):
#                                run with --test-threads=1, their
#                                "test X ... ok/FAILED/ignored" lines are
#                                turned into PASS/FAIL/SKIP lines
#   /tests/*.example             example programs: not run here; a test binary
#                                (nlkit-vmtest) runs them and checks their output
#   /usr/libexec/nltest/smoke    the C smoke test (also the listener helper
#                                for the unload phase), linked into /tests
#                                unless run.sh --no-smoke
#   /etc/nltest.env              settings from run.sh (NLTEST_PHASES, ...)
#
# Test binary protocol: print "PASS <name>", "FAIL <name>: <reason>" or
# "SKIP <name>: <reason>" lines on stdout (other lines are shown but not
# counted); a non-zero exit without any FAIL line counts as one FAIL, and so
# does printing no PASS/FAIL/SKIP line at all.  Each run gets the environment:
#   NLTEST_PHASE       phase name (see below)
#   NLTEST_UNIT        raw netlink unit of the loaded module
#   NLTEST_MODPARAMS   module parameters of this phase ("" = defaults)
#   NLTEST_DROP_UID/NLTEST_DROP_GID
#                      set in unprivileged phases for plain binaries: the
#                      binary is started as root and must drop to this
#                      uid/gid itself (setgroups(0), setgid, setuid) before
#                      testing, after any privileged setup it wants.  Unset
#                      in privileged phases.  *.libtest binaries are instead
#                      started already dropped (uid/gid 65534) in these
#                      phases, through "smoke runas".
#   NLTEST_KERNEL      uname -r
#
# Phases (NLTEST_PHASES picks a subset, in this order):
#   root         module with defaults (unit 17, nonroot_recv=0), run as root;
#                first loads /lib/modules-extra (8021q, dummy)
#   unpriv       same module, tests drop to uid 65534
#   unpriv_recv  module reloaded with nonroot_recv=1, tests drop to uid 65534
#   unit         module reloaded with unit=25, run as root with NLTEST_UNIT=25;
#                also checks that a busy unit (16) and an invalid one (32)
#                are refused
#   unload       rmmod with a genl listener open (must succeed), with a raw
#                listener open (must be refused: user sockets of a protocol
#                pin the module that created it), load/unload cycles; then
#                every plain test binary except smoke runs once as root with
#                the module loaded (defaults) and NLTEST_KO set: it may rmmod
#                and insmod the module itself (nlkit-vmtest does, with its
#                listeners open); one with nothing to test there prints SKIP
# At the end the kernel log since the start of the tests is searched for
# warnings, oopses and leak reports, then "DONE: N passed, M failed, K skipped".

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /tmp /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

# Show KERN_WARNING and worse on the console from now on, so that a splat
# reaches the harness even if this script dies.
echo "5 4 1 7" > /proc/sys/kernel/printk

NLTEST_PHASES="root unpriv unpriv_recv unit unload"
NLTEST_TEST_TIMEOUT=120
NLTEST_UNPRIV_UID=65534
NLTEST_UNPRIV_GID=65534
# shellcheck disable=SC1091
[ -f /etc/nltest.env ] && . /etc/nltest.env

KO=/nltest/nltest.ko
EXTRA=/lib/modules-extra
SMOKE=/usr/libexec/nltest/smoke
KERNEL=$(uname -r)
PASS=0
FAIL=0
SKIP=0

pass() { echo "PASS init/$1"; PASS=$((PASS + 1)); }
fail() { echo "FAIL init/$1: $2"; FAIL=$((FAIL + 1)); }

echo "INFO init: kernel $KERNEL, phases: $NLTEST_PHASES"
echo "INFO init: tests:" /tests/*
echo "nltest-vm: tests start" > /dev/kmsg

is_loaded() { [ -d /sys/module/nltest ]; }

# load PARAMS...: (re)load the module with these parameters.
load() {
	if is_loaded && ! rmmod nltest; then
		fail "load($*)" "rmmod before reload failed"
		return 1
	fi
	if out=$(insmod "$KO" "$@" 2>&1); then
		MODPARAMS="$*"
		UNIT=$(cat /sys/module/nltest/parameters/unit)
		return 0
	fi
	fail "insmod($*)" "$out"
	return 1
}

unload() {
	if is_loaded; then
		rmmod nltest || fail "rmmod" "rmmod nltest failed"
	fi
}

# libtest_filter NAME PHASE: libtest's "test X ... ok" lines to PASS/FAIL/SKIP.
libtest_filter() {
	while IFS= read -r line; do
		case $line in
		"test "*" ... ok")
			x=${line#test }
			echo "PASS $1/$2/${x% ... ok}" ;;
		"test "*" ... FAILED")
			x=${line#test }
			echo "FAIL $1/$2/${x% ... FAILED}: failed" ;;
		"test "*" ... ignored"*)
			x=${line#test }
			echo "SKIP $1/$2/${x%% ... ignored*}: ignored" ;;
		*)
			echo "$line" ;;
		esac
	done
}

# run_one PHASE BINARY DROP: run one test binary with the phase environment.
# DROP=1: unprivileged phase.  Plain binaries get NLTEST_DROP_UID/GID and
# drop privileges themselves; libtest binaries are started already dropped
# (through "smoke runas") since a libtest harness has no place to do it.
run_one() {
	phase=$1
	t=$2
	drop=$3
	name=${t##*/}
	echo "=== phase $phase: $name (uptime $(cut -d" " -f1 /proc/uptime)s)"
	rm -f /tmp/rc /tmp/out
	set -- NLTEST_PHASE="$phase" NLTEST_UNIT="$UNIT" NLTEST_MODPARAMS="$MODPARAMS" \
		NLTEST_KERNEL="$KERNEL" NLTEST_KO="$KO"
	case $name in
	*.libtest)
		set -- "$@" timeout -s KILL "$NLTEST_TEST_TIMEOUT"
		if [ "$drop" = 1 ]; then
			set -- "$@" "$SMOKE" runas "$NLTEST_UNPRIV_UID" "$NLTEST_UNPRIV_GID"
		fi
		{ env "$@" "$t" --test-threads=1 2>&1
		  echo $? > /tmp/rc; } | libtest_filter "$name" "$phase" | tee /tmp/out
		;;
	*)
		if [ "$drop" = 1 ]; then
			set -- "$@" NLTEST_DROP_UID="$NLTEST_UNPRIV_UID" \
				NLTEST_DROP_GID="$NLTEST_UNPRIV_GID"
		fi
		{ env "$@" timeout -s KILL "$NLTEST_TEST_TIMEOUT" "$t" 2>&1
		  echo $? > /tmp/rc; } | tee /tmp/out
		;;
	esac
	rc=$(cat /tmp/rc 2>/dev/null || echo 255)
	p=$(grep -c '^PASS ' /tmp/out)
	f=$(grep -c '^FAIL ' /tmp/out)
	s=$(grep -c '^SKIP ' /tmp/out)
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
	SKIP=$((SKIP + s))
	if [ "$rc" = 137 ]; then
		fail "$phase/$name" "killed after ${NLTEST_TEST_TIMEOUT}s timeout"
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		fail "$phase/$name" "exit code $rc without a FAIL line"
	elif [ $((p + f + s)) = 0 ]; then
		fail "$phase/$name" "printed no PASS/FAIL/SKIP line"
	fi
}

# run_tests PHASE [DROP]: every test binary in /tests, in name order.
run_tests() {
	for t in /tests/*; do
		[ -x "$t" ] || continue
		case $t in *.example) continue ;; esac
		run_one "$1" "$t" "${2:-0}"
	done
}

# load_extra: the kernel's own modules that run.sh took from Debian's image
# package (8021q and dummy, for nlkit-vmtest's link tests, with their
# dependencies), in /lib/modules-extra/load-order: dependencies first.  They
# stay loaded for the rest of the run.
load_extra() {
	if [ ! -f "$EXTRA/load-order" ]; then
		fail "root/extra_modules" "$EXTRA/load-order missing"
		return
	fi
	while read -r m; do
		[ -n "$m" ] || continue
		if [ -d "/sys/module/$m" ]; then
			pass "root/insmod_$m"
		elif out=$(insmod "$EXTRA/$m.ko" 2>&1); then
			pass "root/insmod_$m"
		else
			fail "root/insmod_$m" "$out"
		fi
	done < "$EXTRA/load-order"
}

phase_root() {
	load || return
	pass "root/insmod"
	load_extra
	run_tests root
}

phase_unpriv() {
	load || return
	run_tests unpriv 1
}

phase_unpriv_recv() {
	load nonroot_recv=1 || return
	if [ "$(cat /sys/module/nltest/parameters/nonroot_recv)" = Y ]; then
		pass "unpriv_recv/param_visible"
	else
		fail "unpriv_recv/param_visible" "nonroot_recv not Y in sysfs"
	fi
	run_tests unpriv_recv 1
}

phase_unit() {
	unload
	# unit 16 is NETLINK_GENERIC (taken), 32 is out of range
	for bad in 16 32; do
		if insmod "$KO" unit=$bad 2>/dev/null; then
			fail "unit/refuse_unit_$bad" "insmod unit=$bad succeeded"
			rmmod nltest
		else
			pass "unit/refuse_unit_$bad"
		fi
	done
	load unit=25 || return
	if [ "$UNIT" = 25 ]; then
		pass "unit/param_visible"
	else
		fail "unit/param_visible" "unit=$UNIT"
	fi
	run_tests unit
	unload
}

# start_hold KIND: start "smoke hold KIND" in the background, wait until ready.
start_hold() {
	rm -f /tmp/hold.out
	"$SMOKE" hold "$1" > /tmp/hold.out 2>&1 &
	HOLD_PID=$!
	i=0
	while [ $i -lt 50 ]; do
		grep -q '^HOLD READY' /tmp/hold.out 2>/dev/null && return 0
		grep -q '^HOLD ERROR' /tmp/hold.out 2>/dev/null && break
		sleep 0.1
		i=$((i + 1))
	done
	cat /tmp/hold.out
	kill "$HOLD_PID" 2>/dev/null
	wait "$HOLD_PID" 2>/dev/null
	return 1
}

stop_hold() {
	kill "$HOLD_PID" 2>/dev/null
	wait "$HOLD_PID" 2>/dev/null
}

phase_unload() {
	if [ ! -x "$SMOKE" ]; then
		fail "unload/helper" "$SMOKE missing"
		return
	fi

	# A generic netlink listener in "events" does not pin the module: the
	# family (and its group) is unregistered under it.
	load || return
	if start_hold genl; then
		if rmmod nltest && ! is_loaded; then
			pass "unload/rmmod_with_genl_listener"
		else
			fail "unload/rmmod_with_genl_listener" "rmmod failed"
		fi
		stop_hold
	else
		fail "unload/rmmod_with_genl_listener" "listener did not start"
	fi

	# A raw unit socket holds a reference on the module that created the
	# kernel socket (netlink_create() does try_module_get()), so rmmod is
	# refused until the listener closes.
	load || return
	if start_hold raw; then
		refcnt=$(cat /sys/module/nltest/refcnt 2>/dev/null)
		if rmmod nltest 2>/dev/null; then
			fail "unload/raw_listener_pins_module" "rmmod succeeded with a raw listener open"
		elif [ "$refcnt" = 1 ]; then
			pass "unload/raw_listener_pins_module"
		else
			fail "unload/raw_listener_pins_module" "refcnt '$refcnt', want 1"
		fi
		stop_hold
		sleep 0.1
		if is_loaded && rmmod nltest && ! is_loaded; then
			pass "unload/rmmod_after_raw_listener_closed"
		else
			fail "unload/rmmod_after_raw_listener_closed" "rmmod failed"
		fi
	else
		fail "unload/raw_listener_pins_module" "listener did not start"
	fi

	# Load/unload cycles: the genl family id changes, nothing leaks.
	ok=1
	i=0
	while [ $i -lt 5 ]; do
		insmod "$KO" && rmmod nltest || ok=0
		i=$((i + 1))
	done
	if [ $ok = 1 ] && ! is_loaded; then
		pass "unload/load_unload_cycles"
	else
		fail "unload/load_unload_cycles" "insmod/rmmod failed"
	fi

	# Test binaries that unload the module under their own listeners
	# (nlkit-vmtest: what a genl and a raw listener see).
	for t in /tests/*; do
		[ -x "$t" ] || continue
		case ${t##*/} in smoke | *.libtest | *.example) continue ;; esac
		load || return
		run_one unload "$t" 0
		unload
	done
}

for ph in $NLTEST_PHASES; do
	echo "=== phase $ph (uptime $(cut -d" " -f1 /proc/uptime)s)"
	case $ph in
	root) phase_root ;;
	unpriv) phase_unpriv ;;
	unpriv_recv) phase_unpriv_recv ;;
	unit) phase_unit ;;
	unload) phase_unload ;;
	*) fail "phase/$ph" "unknown phase" ;;
	esac
done
unload

# Kernel log since the tests started.
dmesg | sed -n '/nltest-vm: tests start/,$p' > /tmp/dmesg.txt
if grep -qE 'WARNING:|BUG:|Oops|Call Trace|general protection|refcount_t|kmemleak' /tmp/dmesg.txt; then
	fail "dmesg_clean" "kernel reported problems:"
	cat /tmp/dmesg.txt
else
	pass "dmesg_clean"
fi
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 1
	echo scan > /sys/kernel/debug/kmemleak
	if [ -s /sys/kernel/debug/kmemleak ]; then
		fail "leak_detector" "unreferenced objects reported"
		cat /sys/kernel/debug/kmemleak
	else
		pass "leak_detector"
	fi
else
	echo "INFO init: no leak detector in this kernel"
fi
echo "INFO init: taint $(cat /proc/sys/kernel/tainted)"

echo "INFO init: finished at uptime $(cut -d" " -f1 /proc/uptime)s"
echo "DONE: $PASS passed, $FAIL failed, $SKIP skipped"
