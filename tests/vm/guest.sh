#!/bin/sh
# Runs inside the test VM, chrooted into the host's root (read-only), from tests/vm/init:
#   guest.sh SCENARIO TIMEOUT_S
# Sets up what every scenario needs (module loading from the unpacked Debian kernel, the
# Bluetooth modules), then runs tests/vm/scenario_SCENARIO.sh bounded by TIMEOUT_S.  Output goes
# to /tmp/out/scenario.log (the results share), then to the console; the exit status is the
# scenario's (124 when it ran out of time).
SCENARIO=$1
LIMIT=${2:-240}
export OUT=/tmp/out
export REPO="$L2K_REPO" BUILD="$L2K_BUILD"
export VMBIN="$BUILD/vm/bin"
export PYTHONDONTWRITEBYTECODE=1
cd /tmp || exit 1
# INTEROP_* / USB_* settings given to tests/vm/run.sh
[ -f "$OUT/env.sh" ] && . "$OUT/env.sh"

{
	echo "guest: kernel $(uname -r), scenario $SCENARIO, limit ${LIMIT} s"
	# a session of its own, so that what the scenario left running (btvirt, btmon, bridges)
	# can be stopped afterwards: it holds this pipe open otherwise
	setsid -w sh -c 'echo $$ >/tmp/scenario.pgid
		exec timeout -k 5 "$1" sh -c ". \"\$REPO/tests/vm/lib.sh\" && . \"\$REPO/tests/vm/scenario_\$1.sh\"" \
			scenario "$2"' limit "$LIMIT" "$SCENARIO"
	rc=$?
	kill -TERM -- "-$(cat /tmp/scenario.pgid)" 2>/dev/null
	sleep 0.5
	kill -KILL -- "-$(cat /tmp/scenario.pgid)" 2>/dev/null
	[ $rc = 124 ] && echo "guest: scenario $SCENARIO ran out of time (${LIMIT} s)"
	echo "guest: scenario $SCENARIO exit $rc"
	dmesg >"$OUT/dmesg.txt" 2>&1
	echo $rc >/tmp/rc
} >"$OUT/scenario.log" 2>&1
# (not through a pipe: a process stuck in the kernel - a FunctionFS file being closed - would
# keep it open and the boot from ending)
cat "$OUT/scenario.log"
exit "$(cat /tmp/rc)"
