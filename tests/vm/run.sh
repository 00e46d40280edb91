#!/bin/sh
# Runs l2kit scenarios inside a QEMU virtual machine whose Linux kernel is the peer: BlueZ's
# emulator (btvirt) gives the kernel real HCI controllers, so l2kit meets the kernel's own L2CAP
# over the HCI user channel and over libusb (a USB gadget on the dummy host controller).
#
#   tests/vm/run.sh BUILD SCENARIO...
#     SCENARIO: userchan | usb | interop | security | l2tester (tests/vm/scenario_NAME.sh) | all
#               (those five) | smoke (boot check) | exec (runs the script VM_EXEC names, for
#               debugging)
#   Settings passed into the guest: INTEROP_BYTES, INTEROP_MODES, USB_BYTES, USB_UNPLUG_BYTES,
#   SECURITY_BYTES, SECURITY_STEPS, L2TESTER (another l2tester binary for scenario l2tester).
#
# Exit status: 0 every scenario passed, 1 one failed (or the VM could not be prepared),
# 77 skipped: QEMU, btvirt or kmod missing, or apt cannot find the kernel package as a user who
# may not update its lists (the last line says why).
#
# What it does, with everything cached in BUILD/vm:
#   1. apt-get download the Debian kernel (the version linux-image-amd64 depends on) and
#      busybox-static, unpack them with dpkg -x (nothing is installed on the host), depmod;
#   2. build a small initramfs: busybox, the virtio/9p modules, tests/vm/init;
#   3. boot QEMU (TCG: no KVM needed) once per scenario.  The guest mounts the host's root
#      read-only over 9p and chroots into it, so the host's build, btvirt and python3 run
#      unchanged; it has a /tmp of its own, so the checkout and BUILD are shared again on their
#      own (read-only, at the same paths: a clone under /tmp works too);
#      BUILD/artifacts/vm_SCENARIO is shared read-write and receives the logs, btsnoop
#      captures and the exit status.
# Time bounds: boot (VM_BOOT_TIMEOUT, 300 s), scenario (VM_SCENARIO_TIMEOUT, per scenario
# default below), shutdown (30 s after the status is written).  QEMU is killed past them.
# Memory: VM_MEM (256 MiB); QEMU itself stays near 300 MiB.  QEMU's warning about "multiple
# devices in the same VirtFS export" (the host root spans several file systems) is expected.
set -u
BUILD=${1:-build}
shift 2>/dev/null || true
[ $# -gt 0 ] || set -- all
[ "$1" = all ] && set -- userchan usb interop security l2tester

REPO=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
VMDIR="$BUILD/vm"
CACHE="$VMDIR/cache"
CC=${CC:-cc}
VM_MEM=${VM_MEM:-256}
VM_SMP=${VM_SMP:-2}
VM_BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-300}

say() { echo "vm: $*"; }
die() { echo "vm: FAIL: $*"; exit 1; }

QEMU=$(command -v qemu-system-x86_64 || true)
if [ -z "$QEMU" ]; then
	echo "skipped: qemu-system-x86_64 not installed (Debian qemu-system-x86; 'make deps' as root installs it)"
	exit 77
fi
case "$(uname -m)" in
x86_64) ;;
*) echo "skipped: the VM scenarios boot Debian's amd64 kernel; this host is $(uname -m)"; exit 77 ;;
esac
for tool in dpkg dpkg-deb depmod modprobe btvirt; do
	command -v $tool >/dev/null || { echo "skipped: $tool not installed (make deps installs it)"; exit 77; }
done

mkdir -p "$CACHE" "$VMDIR/bin"

# ---- 1. kernel and busybox -----------------------------------------------------------------
# Only one preparation at a time (two test runs may share the build folder).
exec 9>"$VMDIR/.lock"
command -v flock >/dev/null && flock 9

apt_ready() { apt-cache show "$1" >/dev/null 2>&1; }

apt_update() {
	[ "$(id -u)" = 0 ] || return 1
	say "apt-get update"
	apt-get update -qq >/dev/null 2>&1
}

fetch() { # fetch PACKAGE: download PACKAGE's .deb into the cache unless it is there
	ls "$CACHE"/"$1"_*.deb >/dev/null 2>&1 && return 0
	if ! apt_ready "$1" && ! apt_update; then
		echo "skipped: apt does not know the package $1 and cannot update its lists here (run 'apt-get update' as root)"
		exit 77
	fi
	say "downloading $1"
	# a second try after refreshing the lists: they may name a version the mirror dropped
	(cd "$CACHE" && apt-get download "$1" >"$VMDIR/apt-download.log" 2>&1) ||
		{ apt_update && (cd "$CACHE" && apt-get download "$1" >"$VMDIR/apt-download.log" 2>&1); } ||
		{ cat "$VMDIR/apt-download.log"; die "apt-get download $1 failed"; }
}

KPKG=$(cd "$CACHE" && ls linux-image-*-amd64_*.deb 2>/dev/null | sed 's/_.*//' | sort -V | tail -n 1)
if [ -z "$KPKG" ]; then
	apt_ready linux-image-amd64 || apt_update
	KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
	if [ -z "$KPKG" ]; then
		[ "$(id -u)" = 0 ] || { echo "skipped: apt does not know linux-image-amd64 here (run 'apt-get update' as root)"; exit 77; }
		die "cannot tell which kernel linux-image-amd64 depends on (apt-cache depends linux-image-amd64)"
	fi
fi
fetch "$KPKG"
fetch busybox-static
KVER=${KPKG#linux-image-}
KTREE="$VMDIR/kernel-$KVER"
if [ ! -f "$KTREE/.unpacked" ]; then
	say "unpacking $KPKG"
	rm -rf "$KTREE"
	dpkg -x "$CACHE/${KPKG}"_*.deb "$KTREE" || die "dpkg -x $KPKG failed"
	depmod -b "$KTREE" "$KVER" || die "depmod -b $KTREE $KVER failed"
	touch "$KTREE/.unpacked"
fi
BBDIR="$VMDIR/busybox"
if [ ! -x "$BBDIR/bin/busybox" ]; then
	rm -rf "$BBDIR"
	dpkg -x "$CACHE"/busybox-static_*.deb "$BBDIR" || die "dpkg -x busybox-static failed"
fi

# ---- 2. initramfs --------------------------------------------------------------------------
INITRD="$VMDIR/initrd-$KVER.cpio.gz"
if [ ! -f "$INITRD" ] || [ "$REPO/tests/vm/init" -nt "$INITRD" ] || [ "$0" -nt "$INITRD" ]; then
	say "building the initramfs"
	R="$VMDIR/initramfs"
	rm -rf "$R"
	mkdir -p "$R/bin" "$R/sbin" "$R/proc" "$R/sys" "$R/dev" "$R/newroot"
	cp "$BBDIR/bin/busybox" "$R/bin/busybox"
	cp "$REPO/tests/vm/init" "$R/init"
	chmod 755 "$R/init"
	# The modules the scenarios can need, with their dependencies, in a small tree of their own
	# inside the initramfs: busybox's modprobe serves both the scenarios and the kernel's
	# request_module from RAM (kmod over 9p under TCG takes about a second per call).
	MSRC="$KTREE/lib/modules/$KVER"
	MDST="$R/lib/modules/$KVER"
	mkdir -p "$MDST"
	cp "$MSRC"/modules.builtin* "$MSRC/modules.order" "$MDST/"
	( cd "$MSRC" && find kernel/crypto kernel/arch/x86/crypto kernel/net/bluetooth \
		kernel/drivers/bluetooth kernel/drivers/usb/core kernel/drivers/usb/common \
		kernel/drivers/usb/gadget kernel/fs/configfs kernel/net/9p kernel/fs/9p \
		kernel/drivers/virtio -name '*.ko' ) >"$VMDIR/modules.want"
	while read -r rel; do
		modprobe -d "$KTREE" -S "$KVER" --show-depends "$(basename "$rel" .ko)" 2>/dev/null
	done <"$VMDIR/modules.want" | sed -n 's|^insmod '"$MSRC"'/\([^ ]*\).*|\1|p' | sort -u |
	while read -r rel; do
		mkdir -p "$MDST/$(dirname "$rel")" && cp "$MSRC/$rel" "$MDST/$rel"
	done
	depmod -b "$R" "$KVER" || die "depmod on the initramfs' module tree failed"
	[ -f "$MDST/kernel/fs/9p/9p.ko" ] || die "could not find the 9p modules in $KTREE"
	(cd "$R" && find . | "$BBDIR/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -1 >"$INITRD.tmp") &&
		mv "$INITRD.tmp" "$INITRD" || die "cannot build the initramfs"
fi
VMLINUZ="$KTREE/boot/vmlinuz-$KVER"
[ -f "$VMLINUZ" ] || die "no kernel image at $VMLINUZ"

# ---- helper programs (compiled here: they are test fixtures, not part of l2kit) -------------
for src in "$REPO"/tests/vm/*.c; do
	[ -f "$src" ] || continue
	bin="$VMDIR/bin/$(basename "$src" .c)"
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		$CC -std=c11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -o "$bin" "$src" ||
			die "cannot compile $src"
	fi
done
flock -u 9 2>/dev/null

# ---- 3. one boot per scenario --------------------------------------------------------------
# (seen on 2 cores: userchan 35 s, usb 150 s, interop 230 s in all when the machine is idle;
# security 470 s at a load average of 8; l2tester 232-249 s with 80 cases run (86 IDs), about a
# second a case plus the kernel's timers, so about 600 s once l2tester has three times as many:
# it gets interop's limit.
# The limits only catch a hang: TCG is all CPU, so on a machine loaded four times over the same
# scenario takes four times as long (interop ran past 720 s at a load average of 8 on 2 cores,
# every transfer intact); tests/run.sh gives the vm_* scripts 2400 s)
scenario_timeout() {
	case "$1" in
	interop | l2tester) echo "${VM_SCENARIO_TIMEOUT:-1800}" ;;
	security | usb) echo "${VM_SCENARIO_TIMEOUT:-1200}" ;;
	*) echo "${VM_SCENARIO_TIMEOUT:-900}" ;;
	esac
}

# Every capture a scenario brought back must decode with btmon and tshark (when installed)
# without malformed packets.  tshark 4.0 flags every I-frame that starts a segmented SDU under
# the 16-bit enhanced control field as malformed ("Exception occurred"): the kernel's frames
# exactly as l2kit's, in both directions, and none with the extended control field; those are
# counted apart and do not fail the check (btmon decodes them, and the sha256 checks prove the
# SDUs arrived whole).
check_captures() { # check_captures DIR -> 0 all decode, 1 otherwise
	crc=0
	for f in "$1"/*.btsnoop; do
		[ -f "$f" ] || continue
		if command -v btmon >/dev/null; then
			btmon -r "$f" >"$f.btmon.txt" 2>&1 || { say "FAIL: btmon cannot read $f"; crc=1; }
			if grep -qiE "malformed|invalid packet|too short|short packet" "$f.btmon.txt"; then
				say "FAIL: btmon reports malformed packets in $f:"
				grep -iE "malformed|invalid packet|too short|short packet" "$f.btmon.txt" | head -n 5
				crc=1
			fi
		fi
		if command -v tshark >/dev/null; then
			n=$(tshark -r "$f" 2>/dev/null | wc -l)
			bad=$(tshark -r "$f" -Y '_ws.malformed && !(btl2cap.control_sar == 1)' 2>/dev/null | wc -l)
			sar=$(tshark -r "$f" -Y '_ws.malformed && btl2cap.control_sar == 1' 2>/dev/null | wc -l)
			echo "    capture $(basename "$f"): tshark $n frames, $bad malformed (+ $sar SAR-start I-frames tshark 4.0 misreads)"
			[ "$bad" = 0 ] || { tshark -r "$f" -Y '_ws.malformed && !(btl2cap.control_sar == 1)' 2>/dev/null | head -n 5; crc=1; }
		fi
	done
	return $crc
}

run_one() { # run_one SCENARIO -> 0 pass, 1 fail
	name=$1
	[ -f "$REPO/tests/vm/scenario_$name.sh" ] || { say "no scenario '$name'"; return 1; }
	out="$BUILD/artifacts/vm_$name"
	rm -rf "$out"
	mkdir -p "$out"
	limit=$(scenario_timeout "$name")
	# settings for the scenarios (the guest starts with a clean environment)
	: >"$out/env.sh"
	for v in INTEROP_BYTES INTEROP_MODES USB_BYTES USB_UNPLUG_BYTES SECURITY_BYTES SECURITY_STEPS L2TESTER L2TESTER_ARGS; do
		eval "val=\${$v-}"
		[ -n "$val" ] && echo "export $v='$val'" >>"$out/env.sh"
	done
	# scenario "exec" runs the script VM_EXEC names (debugging aid)
	[ "$name" = exec ] && cp "${VM_EXEC:?VM_EXEC=script for the exec scenario}" "$out/exec.sh"
	start=$(date +%s)
	say "$name: booting $KVER (TCG, ${VM_MEM} MiB, $VM_SMP cpus); scenario limit ${limit} s"
	# Kernel parameters without a dot that hold '=' become /init's environment.
	"$QEMU" -machine pc -accel tcg -cpu max -m "$VM_MEM" -smp "$VM_SMP" \
		-nodefaults -no-reboot -display none -monitor none \
		-serial "file:$out/console.log" \
		-kernel "$VMLINUZ" -initrd "$INITRD" \
		-append "console=ttyS0 quiet panic=-1 L2K_SCENARIO=$name L2K_REPO=$REPO L2K_BUILD=$BUILD L2K_TIMEOUT=$limit" \
		-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on" \
		-device "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot" \
		-fsdev "local,id=hostusr,path=/usr,security_model=none,readonly=on" \
		-device "virtio-9p-pci,fsdev=hostusr,mount_tag=hostusr" \
		-fsdev "local,id=repo,path=$REPO,security_model=none,readonly=on" \
		-device "virtio-9p-pci,fsdev=repo,mount_tag=repo" \
		-fsdev "local,id=build,path=$BUILD,security_model=none,readonly=on" \
		-device "virtio-9p-pci,fsdev=build,mount_tag=build" \
		-fsdev "local,id=out,path=$out,security_model=none" \
		-device "virtio-9p-pci,fsdev=out,mount_tag=out" \
		>"$out/qemu.log" 2>&1 &
	qpid=$!
	phase=boot
	deadline=$((start + VM_BOOT_TIMEOUT))
	while kill -0 "$qpid" 2>/dev/null; do
		now=$(date +%s)
		if [ "$phase" = boot ] && [ -f "$out/booted" ]; then
			phase=scenario
			boot_s=$((now - start))
			say "$name: booted in ${boot_s} s"
			deadline=$((now + limit + 30))
		fi
		if [ "$phase" = scenario ] && [ -f "$out/status" ]; then
			phase=shutdown
			deadline=$((now + 30))
		fi
		if [ "$now" -ge "$deadline" ]; then
			say "$name: $phase took too long: killing QEMU"
			kill "$qpid" 2>/dev/null
			sleep 1
			kill -9 "$qpid" 2>/dev/null
			echo "$phase timed out" >>"$out/harness.log"
			break
		fi
		sleep 0.5
	done
	wait "$qpid" 2>/dev/null
	qrc=$?
	end=$(date +%s)
	status=$(cat "$out/status" 2>/dev/null)
	echo "$name: ${status:-no status} after $((end - start)) s (QEMU exit $qrc)" >>"$out/harness.log"
	[ -s "$out/scenario.log" ] && sed 's/^/    /' "$out/scenario.log"
	if [ "$status" = 0 ]; then
		check_captures "$out" || { say "$name: FAIL: a btsnoop capture does not decode cleanly"; return 1; }
		say "$name: PASS in $((end - start)) s (artifacts in $out)"
		return 0
	fi
	if [ -z "$status" ]; then
		say "$name: FAIL: no exit status came back from the guest ($phase phase); console:"
		tail -n 40 "$out/console.log" 2>/dev/null | sed 's/^/    /'
		[ -s "$out/qemu.log" ] && sed 's/^/    qemu: /' "$out/qemu.log"
	else
		say "$name: FAIL (scenario exit $status) in $((end - start)) s; artifacts in $out"
	fi
	return 1
}

rc=0
for s in "$@"; do
	run_one "$s" || rc=1
done
exit $rc
