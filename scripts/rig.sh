#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The two-NIC test rig: boots the built kernel with virtme-ng over the host's root
# filesystem, with two 82574L NICs (QEMU `-device e1000e`) cabled back to back through a
# QEMU hub, and runs a command inside. The guest command's exit status is the rig's.
#
#   scripts/rig.sh [--driver re1000e|e1000e|none] [--timeout SEC] [--results DIR]
#                  [--append ARGS] [--iommu] [--dma-debug] [--nics 2|4] [--] CMD...
#
# --append adds ARGS to the guest kernel's command line (swiotlb=force bounces every
# streaming DMA mapping); --iommu puts QEMU's virtual Intel IOMMU in front of the NICs, with
# DMA remapping on in the guest (intel_iommu=on): the NICs' DMA is then translated. The
# kernel is built with DMA-API debugging, which costs every mapping a lookup (the upstream
# suite ran 20 % longer with it); it is switched off at boot (dma_debug=off) unless
# --dma-debug is given.
#
# RIG_CPUS=N gives the guest N CPUs (default 2): with 1, the driver's CPU cost per packet
# shows in the bench's throughput instead of in idle time.
#
# --nics 4 adds a second pair, nic2 and nic3, cabled together through a second hub: two
# ports on each side, for a bond (tools/testing/selftests/drivers/net/re1000e/bond.sh).
# Their root ports come after the first pair's, so the PCI order is nic0, nic1, nic2, nic3:
# the first and second are cabled together, and the third and fourth.
#
# The guest sees the host's root filesystem with writes kept in the guest; DIR (if given)
# is the one host directory it writes through to, exported to CMD as $RIG_RESULTS.
# Inside the guest, scripts/guest/rig-up.sh loads the driver for both NICs (unless
# --driver none), moves the second NIC into netns `ns-remote` and writes the variables the
# upstream tools/testing/selftests/drivers/net framework expects to $RIG_ENV, which CMD
# may source. The QEMU human monitor is reachable from the guest as the virtio serial port
# named re1000e.mon (scripts/guest/qmon finds and talks to it), so tests can flap links
# (`set_link nicN off|on`) and hot-unplug NICs (`device_del nicN`).
#
# The root filesystem is 9p with cache=loose: the guest keeps what it read of it (programs,
# libraries, modules) in its page cache instead of asking the host again, which halves the
# cost of every program start under TCG (python3: 2.9 s -> 1.6 s) and the whole suite with
# it. That is safe because the guest sees it read-only and nothing on it changes during a
# run; DIR is a separate mount without caching. RIG_9P_CACHE=none restores the default.
#
# KVM is used when it really works; nested KVM hangs on some hosts, so it is probed once
# per kernel build and QEMU version (cached) and TCG is the fallback.

. "$(dirname "$0")/lib.sh"

DRIVER=re1000e
TIMEOUT=900
RESULTS=
APPEND=()
IOMMU=0
DMA_DEBUG=0
NICS=2
while [ $# -gt 0 ]; do
	case $1 in
	--append) APPEND+=(--append "$2"); shift 2 ;;
	--iommu) IOMMU=1; shift ;;
	--dma-debug) DMA_DEBUG=1; shift ;;
	--nics) NICS=$2; shift 2 ;;
	--driver) DRIVER=$2; shift 2 ;;
	--results) RESULTS=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || die "usage: scripts/rig.sh [--driver re1000e|e1000e|none] [--timeout SEC] CMD..."
case $DRIVER in re1000e | e1000e | none) ;; *) die "--driver must be re1000e, e1000e or none" ;; esac
case $NICS in 2 | 4) ;; *) die "--nics must be 2 or 4" ;; esac

WORK=$("$TOP/scripts/build.sh" --print)
OUT=$WORK/out
[ -f "$OUT/arch/x86/boot/bzImage" ] || die "no kernel built in $OUT; run: scripts/build.sh"
need vng "scripts/setup.sh"
need socat "scripts/setup.sh"

RUN=$(mktemp -d /tmp/re1000e-rig.XXXXXX)
cleanup() {
	if [ -n "${RELAY:-}" ]; then kill "$RELAY" 2>/dev/null || true; fi
	rm -rf "$RUN"
}
trap cleanup EXIT

# Fixed MAC addresses, so a test can compare what the driver reports with what QEMU was
# told (it also asks QEMU through the monitor).
MAC0=52:54:00:12:34:01
MAC1=52:54:00:12:34:02
MAC2=52:54:00:12:34:03
MAC3=52:54:00:12:34:04

[ "$DMA_DEBUG" = 1 ] || APPEND+=(--append dma_debug=off)
QEMU_OPTS=()
# The IOMMU comes before the devices it translates (QEMU gives a PCI device its DMA address
# space when the device is created). Interrupt remapping stays off: under TCG it would need
# a split irqchip, and it is not what these tests are about.
if [ "$IOMMU" = 1 ]; then
	QEMU_OPTS+=(-device intel-iommu,intremap=off)
	APPEND+=(--append "intel_iommu=on iommu.strict=1")
fi
QEMU_OPTS+=(
	-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device pcie-root-port,id=rp1,chassis=2,slot=2
	-device "e1000e,id=nic0,bus=rp0,netdev=n0,mac=$MAC0"
	-netdev hubport,id=n0,hubid=0
	-device "e1000e,id=nic1,bus=rp1,netdev=n1,mac=$MAC1"
	-netdev hubport,id=n1,hubid=0
)
if [ "$NICS" = 4 ]; then
	QEMU_OPTS+=(
		-device pcie-root-port,id=rp2,chassis=3,slot=3
		-device pcie-root-port,id=rp3,chassis=4,slot=4
		-device "e1000e,id=nic2,bus=rp2,netdev=n2,mac=$MAC2"
		-netdev hubport,id=n2,hubid=1
		-device "e1000e,id=nic3,bus=rp3,netdev=n3,mac=$MAC3"
		-netdev hubport,id=n3,hubid=1
	)
fi
QEMU_OPTS+=(
	-chardev "socket,id=hmp,path=$RUN/hmp.sock,server=on,wait=off"
	-mon chardev=hmp,mode=readline
	-device virtio-serial-pci,id=vser0
	-chardev "socket,id=gmon,path=$RUN/gmon.sock,server=on,wait=off"
	-device virtserialport,chardev=gmon,name=re1000e.mon
)

# Relay between the monitor and the guest's serial port once QEMU has created both.
start_relay() {
	(
		for _ in $(seq 600); do
			[ -S "$RUN/hmp.sock" ] && [ -S "$RUN/gmon.sock" ] && break
			sleep 0.1
		done
		exec socat "UNIX-CONNECT:$RUN/hmp.sock" "UNIX-CONNECT:$RUN/gmon.sock"
	) &
	RELAY=$!
}

kvm_works() {
	local stamp
	stamp=$CACHE/kvm-probe-$(basename "$WORK")-$(qemu-system-x86_64 --version | head -n1 | tr -dc '0-9.')
	if [ -f "$stamp" ]; then
		[ "$(cat "$stamp")" = yes ]
		return
	fi
	local verdict=no
	# Without vmx or svm in the CPU flags /dev/kvm cannot run a guest (nested KVM on hosts
	# that hide them hangs): no probe boot, which would cost its full minute to time out.
	if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo &&
		timeout -k 5 60 vng -r "$OUT" --user root --memory 512M -- true >/dev/null 2>&1; then
		verdict=yes
	fi
	echo $verdict >"$stamp"
	log "KVM probe: $verdict (cached in $stamp)"
	[ $verdict = yes ]
}

# The guest sees the host's root filesystem, except where virtme-ng's init mounts its own
# file systems: /run, /var/tmp, /var/log, /dev/shm (and /proc, /sys, /dev). A checkout,
# cache or result directory there would be missing in the guest, so each directory the
# guest needs is handed to it explicitly: mounted at the same path when it is hidden,
# and checked inside the guest before anything runs (guest.sh below), with a message that
# names the path. Directories the root already shows stay on it, with its page cache.
hidden_in_guest() {
	case $1/ in
	/run/* | /var/tmp/* | /var/log/* | /dev/* | /proc/* | /sys/*) return 0 ;;
	*) return 1 ;;
	esac
}
# virtme-ng mounts every --rwdir before any --rodir: a hidden directory that holds DIR (a
# checkout under /var/tmp with its .check/results) is therefore shared writable, ahead of
# DIR, or a read-only mount of it would cover DIR. The guest writes only to DIR.
RUN=$(readlink -f "$RUN")
NEEDED=("$TOP" "$WORK" "$RUN")
RW=() RO=()
for d in "${NEEDED[@]}"; do
	if hidden_in_guest "$d"; then
		if [ -n "$RESULTS" ] && [[ $RESULTS/ == "$d"/* ]]; then
			RW+=(--rwdir "$d")
		else
			RO+=(--rodir "$d")
		fi
	fi
done
[ -n "$RESULTS" ] && RW+=(--rwdir "$RESULTS")
ACCEL=("${RW[@]}" "${RO[@]}")
if ! kvm_works; then
	ACCEL+=(--disable-kvm)
fi

cat >"$RUN/guest.sh" <<EOF
#!/bin/bash
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
for d in $(printf '%q ' "${NEEDED[@]}" ${RESULTS:+"$RESULTS"}); do
	[ -d "\$d" ] || { echo "rig: the guest cannot see \$d (host directory not shared with the guest)" >&2; echo "RIG-EXIT-STATUS 1"; exit 1; }
done
[ -z "$RESULTS" ] || [ -w "$RESULTS" ] || { echo "rig: the guest cannot write to $RESULTS" >&2; echo "RIG-EXIT-STATUS 1"; exit 1; }
export RIG_DRIVER=$DRIVER RIG_MAC0=$MAC0 RIG_MAC1=$MAC1 RIG_ENV=$RUN/rig.env RIG_NICS=$NICS
export RE1000E_TOP=$TOP RE1000E_OUT=$OUT RIG_QMON_NAME=re1000e.mon
export RIG_RESULTS=$RESULTS RE1000E_FULL=${RE1000E_FULL:-0}
$TOP/scripts/guest/rig-up.sh || { echo "RIG-EXIT-STATUS 1"; exit 1; }
cd $TOP
$(printf '%q ' "$@")
echo "RIG-EXIT-STATUS \$?"
EOF
chmod +x "$RUN/guest.sh"

# Given last, these rootflags replace virtme-ng's own (the same but for the cache mode).
ROOTFLAGS=rootflags=version=9p2000.L,trans=virtio,access=any,msize=524288,cache=${RIG_9P_CACHE:-loose}
start_relay
set +e
timeout -k 10 "$TIMEOUT" vng -r "$OUT" "${ACCEL[@]}" --user root --cpus "${RIG_CPUS:-2}" --memory 2G \
	--force-9p --append "$ROOTFLAGS" --append "modprobe.blacklist=e1000e,re1000e loglevel=4" \
	"${APPEND[@]}" --qemu-opts="${QEMU_OPTS[*]}" -v -- "$RUN/guest.sh" 2>&1 | tee "$RUN/console.log"
rc=${PIPESTATUS[0]}
set -e
# The guest's own status, as it printed it; vng's status covers boot failures and timeouts.
status=$(grep -a -o 'RIG-EXIT-STATUS [0-9]*' "$RUN/console.log" | tail -n1 | awk '{print $2}')
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	log "rig timed out after ${TIMEOUT}s"
	exit 124
fi
[ -n "$status" ] || { log "guest did not report a status (vng exit $rc)"; exit 125; }
exit "$status"
