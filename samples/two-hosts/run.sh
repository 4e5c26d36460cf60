#!/usr/bin/env bash
# Two hosts on one machine: two network namespaces joined by a veth pair, ReceiverHost in one, SenderHost
# in the other, and four live migrations across the link:
#   clean     a 64M zone over the bare link
#   delay     a 64M zone with 'tc netem delay 20ms' on the link
#   loss      a 64M zone with 'tc netem loss 1%' on the link
#             (delay and loss need the kernel's netem qdisc; without it they print 'SKIP <scenario>: <why>')
#   slow      a 64M zone over a 25 Mbit/s link ('tc qdisc ... tbf'): round 0 outlasts the peer timeout
#   cut       a 128M zone with a workload on a rate-limited link, taken down ('ip link set down') mid-migration:
#             migrate must fail (exit 1; exit 3 only when the cut lands after the commit, reported in-doubt) and
#             the zone must run on exactly one host (or be reported in-doubt, never running on both)
#   kvm       a 64M zone running on a KVM virtual machine, to a second receiver that runs KVM guests (--guest kvm):
#             its heartbeats must continue on the destination from the source's last sequence number
#             (needs a usable /dev/kvm; without it prints 'SKIP kvm: <why>')
# Prints one 'PASS <scenario>', 'FAIL <scenario>: <why>' or 'SKIP <scenario>: <why>' line per scenario; exits 0 when all pass, 1 otherwise,
# 2 on a usage error, 77 when it lacks the privileges (root, 'ip netns', 'tc').
#
# usage: samples/two-hosts/run.sh [<ReceiverHost.dll> <SenderHost.dll>]
#   Without arguments, builds both samples ('dotnet build -c Release') and uses their bin/Release output.
#   Needs root, iproute2 ('ip', 'tc') and the 'dotnet' host (and /dev/kvm for the kvm scenario). Takes about a minute.
#   KZ_TWO_HOSTS_KEEP=1 keeps the temporary directory (logs and state) for inspection.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

if [[ $# -eq 2 ]]; then
    receiver_dll="$(realpath "$1")"
    sender_dll="$(realpath "$2")"
elif [[ $# -eq 0 ]]; then
    for sample in ReceiverHost SenderHost; do
        dotnet build "$repo/samples/KernelZones.Samples.$sample/KernelZones.Samples.$sample.csproj" -c Release --nologo -v quiet >&2
    done
    receiver_dll="$repo/samples/KernelZones.Samples.ReceiverHost/bin/Release/net10.0/KernelZones.Samples.ReceiverHost.dll"
    sender_dll="$repo/samples/KernelZones.Samples.SenderHost/bin/Release/net10.0/KernelZones.Samples.SenderHost.dll"
else
    echo "usage: $0 [<ReceiverHost.dll> <SenderHost.dll>]" >&2
    exit 2
fi
for dll in "$receiver_dll" "$sender_dll"; do
    [[ -f "$dll" ]] || { echo "$0: $dll not found" >&2; exit 2; }
done

if [[ $(id -u) -ne 0 ]] || ! command -v ip >/dev/null || ! command -v tc >/dev/null; then
    echo "SKIP: needs root, 'ip' and 'tc' (iproute2)" >&2
    exit 77
fi

dotnet_host="$(command -v "${DOTNET_HOST_PATH:-dotnet}")"
src="kz-src-$$"
dst="kz-dst-$$"
src_if="kzs$$"
dst_if="kzd$$"
src_ip=10.77.0.1
dst_ip=10.77.0.2
peer_timeout=8
work="$(mktemp -d "${TMPDIR:-/tmp}/kz-two-hosts-XXXXXX")"
receiver_pid=""
kvm_receiver_pid=""
migrate_pid=""
child=""
failures=0

cleanup() {
    local pid
    for pid in $child $migrate_pid $receiver_pid $kvm_receiver_pid; do
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    ip netns del "$src" 2>/dev/null || true
    ip netns del "$dst" 2>/dev/null || true
    if [[ "${KZ_TWO_HOSTS_KEEP:-0}" == 1 ]]; then
        echo "kept $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! ip netns add "$src" 2>/dev/null; then
    echo "SKIP: 'ip netns add' is not permitted here" >&2
    exit 77
fi
ip netns add "$dst"
ip link add "$src_if" type veth peer name "$dst_if"
ip link set "$src_if" netns "$src"
ip link set "$dst_if" netns "$dst"
ip -n "$src" addr add "$src_ip/24" dev "$src_if"
ip -n "$dst" addr add "$dst_ip/24" dev "$dst_if"
for ns in "$src" "$dst"; do
    ip -n "$ns" link set lo up
done
ip -n "$src" link set "$src_if" up
ip -n "$dst" link set "$dst_if" up

password="$(head -c 12 /dev/urandom | base64)"
receiver_state="$work/receiver"
sender_state="$work/sender"
remote="root@$dst_ip"

# SenderHost in the source namespace, with its state directory and the password ('ip netns exec' and 'env' exec
# the program, so a background run's $! is the program itself).
sender_command=(ip netns exec "$src" env KZ_STATE_DIR="$sender_state" KZ_PASSWORD="$password" "$dotnet_host" "$sender_dll")
# Each run waits with 'wait', which a signal interrupts (a foreground command would hold the trap until it ends).
sender() {
    "${sender_command[@]}" "$@" &
    child=$!
    wait "$child"
}

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }

# The zone's line in 'zoneadm list -s' output: '<status>' or '<status> <auxiliary state>'; empty when absent.
zone_state() { awk -v zone="$1" '$1 == zone { $1 = ""; sub(/^ +/, ""); print }'; }
sender_state_of() { sender zoneadm list -s | zone_state "$1"; }
receiver_state_of() { [[ -f "$receiver_state/status" ]] && zone_state "$1" <"$receiver_state/status" || true; }

# Waits up to $2 seconds for a file to hold a line matching $3 (extended regex).
wait_for_line() {
    local file=$1 seconds=$2 pattern=$3 i
    for ((i = 0; i < seconds * 10; i++)); do
        grep -Eq "$pattern" "$file" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

create_zone() { # <zone> <memory> [<vCPUs> [<boot option>...]]   (the samples' example zone, samples/Shared/ExampleZone.cs; a test checks that they match)
    local zone=$1 memory=$2 cpus=${3:-2} file="$work/$1.cfg"
    shift $(($# < 3 ? $# : 3))
    cat >"$file" <<EOF
create -b
set brand=solaris-kz
add anet
set id=0
end
add device
set storage=nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}
set id=0
set bootpri=0
end
add virtual-cpu
set ncpus=$cpus
end
add capped-memory
set physical=$memory
end
EOF
    sender zonecfg -z "$zone" -f "$file" >/dev/null
    sender zoneadm -z "$zone" boot "$@"
}

# A completed migration: exit 0, configured on the source, running on the destination.
migrate_and_check() { # <scenario> <zone> [<workload>]
    local scenario=$1 zone=$2 workload=${3:-8} log="$work/$1.log" code=0 started=$SECONDS
    sender zoneadm -z "$zone" migrate --peer-timeout "$peer_timeout" --workload "$workload" "$remote" >"$log" 2>&1 || code=$?
    local on_source on_destination
    on_source="$(sender_state_of "$zone")"
    on_destination="$(receiver_state_of "$zone")"
    if [[ $code -ne 0 ]]; then
        fail "$scenario" "migrate exited $code: $(tail -n 3 "$log" | tr '\n' ' ')"
    elif [[ "$on_source" != configured || "$on_destination" != running ]]; then
        fail "$scenario" "source '$on_source', destination '$on_destination' (expected configured, running)"
    else
        pass "$scenario ($zone in $((SECONDS - started)) s; $(grep -o 'downtime [0-9]* ms' "$log" || echo 'no summary'))"
    fi
}

# Receiver in the destination namespace, fixed ports, short peer timeout.
ip netns exec "$dst" "$dotnet_host" "$receiver_dll" adduser root --state-dir "$receiver_state" <<<"$password" >/dev/null
ip netns exec "$dst" "$dotnet_host" "$receiver_dll" run --state-dir "$receiver_state" --address "$dst_ip" \
    --control-port 12302 --data-port 8102 --peer-timeout "$peer_timeout" >"$work/receiver.log" 2>&1 &
receiver_pid=$!
if ! wait_for_line "$work/receiver.log" 60 '^rad:remote +listening on'; then
    echo "FAIL setup: the receiver did not start: $(tail -n 5 "$work/receiver.log")"
    exit 1
fi

# 1. The bare link.
create_zone kz1 64M
migrate_and_check clean kz1

# 2. 20 ms delay on the source's side of the link (the memory stream's direction); 3. 1% loss, without the delay.
# Both need the kernel's netem qdisc (CONFIG_NET_SCH_NETEM); a kernel without it skips them, saying so.
if ip netns exec "$src" tc qdisc add dev "$src_if" root netem delay 20ms 2>/dev/null; then
    create_zone kz2 64M
    migrate_and_check delay kz2
    create_zone kz3 64M
    ip netns exec "$src" tc qdisc replace dev "$src_if" root netem loss 1%
    migrate_and_check loss kz3
    ip netns exec "$src" tc qdisc del dev "$src_if" root
else
    echo "SKIP delay: this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM): 'tc qdisc add ... netem' fails"
    echo "SKIP loss: this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM): 'tc qdisc add ... netem' fails"
fi

# 4. A slow link: 25 Mbit/s (a token bucket, tbf, which every kernel with traffic control has), so that round 0
# (32 MB of data) takes about 11 s, longer than the peer timeout: a round may outlast the control connection's silence.
# An idle guest: any workload worth the name dirties memory faster than 3 MB/s can carry it.
create_zone kz5 64M
ip netns exec "$src" tc qdisc replace dev "$src_if" root tbf rate 25mbit burst 256kb latency 50ms
migrate_and_check slow kz5 none

# 5. The link taken down one second into the memory transfer. 400 Mbit/s keeps round 0 of 128M at about 3 s.
create_zone kz4 128M
ip netns exec "$src" tc qdisc replace dev "$src_if" root tbf rate 400mbit burst 256kb latency 50ms
cut_log="$work/cut.log"
started=$SECONDS
"${sender_command[@]}" zoneadm -z kz4 migrate --peer-timeout "$peer_timeout" --workload 32 "$remote" >"$cut_log" 2>&1 &
migrate_pid=$!
if wait_for_line "$cut_log" 30 "Starting migration\.$"; then
    sleep 1
fi
ip -n "$src" link set "$src_if" down
code=0
wait "$migrate_pid" || code=$?
migrate_pid=""
elapsed=$((SECONDS - started))
# The destination drops its half of the migration after its peer timeout: wait for the zone to leave migrating-in.
for ((i = 0; i < (peer_timeout + 10) * 10; i++)); do
    [[ "$(receiver_state_of kz4)" == *migrating-in* ]] || break
    sleep 0.1
done
on_source="$(sender_state_of kz4)"
on_destination="$(receiver_state_of kz4)"
outcome="exit $code after ${elapsed} s; source '${on_source}', destination '${on_destination}'"
if [[ "$on_source" == running && "$on_destination" == running ]]; then
    fail cut "the zone runs on both hosts ($outcome)"
elif [[ $code -eq 1 && "$on_source" == running && "$on_destination" != running* ]]; then
    pass "cut (rolled back: $outcome)"
elif [[ $code -eq 3 && "$on_source" == unavailable ]] && grep -q "did not acknowledge the commit" "$cut_log"; then
    pass "cut (in-doubt, reported: $outcome)"
elif [[ $code -eq 0 ]]; then
    fail cut "the migration completed before the cut ($outcome)"
else
    fail cut "$outcome: $(tail -n 3 "$cut_log" | tr '\n' ' ')"
fi
if [[ $elapsed -gt $((peer_timeout * 4)) ]]; then
    fail cut-bounded "migrate took ${elapsed} s after a cut with a ${peer_timeout} s peer timeout"
fi

# 6. A KVM virtual machine (one vCPU, as our KVM guests have) to a second receiver that runs KVM guests, over the bare
# link: the destination's log must show the guest's heartbeats going on from the source's last one.
ip netns exec "$src" tc qdisc del dev "$src_if" root 2>/dev/null || true
ip -n "$src" link set "$src_if" up
if [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
    echo "SKIP kvm: /dev/kvm is not usable here"
else
    kvm_state="$work/receiver-kvm"
    ip netns exec "$dst" "$dotnet_host" "$receiver_dll" adduser root --state-dir "$kvm_state" <<<"$password" >/dev/null
    ip netns exec "$dst" "$dotnet_host" "$receiver_dll" run --state-dir "$kvm_state" --address "$dst_ip" --guest kvm \
        --control-port 12303 --data-port 8103 --peer-timeout "$peer_timeout" >"$work/receiver-kvm.log" 2>&1 &
    kvm_receiver_pid=$!
    if ! wait_for_line "$work/receiver-kvm.log" 60 '^rad:remote +listening on'; then
        fail kvm "the KVM receiver did not start: $(tail -n 3 "$work/receiver-kvm.log" | tr '\n' ' ')"
    else
        create_zone kz6 64M 1 --guest kvm --workload 8:4M
        kvm_log="$work/kvm.log"
        code=0
        started=$SECONDS
        sender zoneadm -z kz6 migrate --peer-timeout "$peer_timeout" "$remote:12303" >"$kvm_log" 2>&1 || code=$?
        last_on_source="$(sed -n 's/^console: heartbeat \([0-9]*\) .*/\1/p' "$kvm_log" | tail -n 1)"
        if [[ $code -ne 0 ]]; then
            fail kvm "migrate exited $code: $(tail -n 3 "$kvm_log" | tr '\n' ' ')"
        elif [[ -z "$last_on_source" ]]; then
            fail kvm "the source printed no heartbeat"
        elif ! wait_for_line "$work/receiver-kvm.log" 30 "Zone 'kz6' console: heartbeat [0-9]+ "; then
            fail kvm "the destination's guest printed no heartbeat: $(tail -n 3 "$work/receiver-kvm.log" | tr '\n' ' ')"
        else
            first_here="$(sed -n "s/.*Zone 'kz6' console: heartbeat \([0-9]*\) .*/\1/p" "$work/receiver-kvm.log" | head -n 1)"
            if ((first_here > last_on_source)) && grep -q "Zone 'kz6' console: heartbeat $first_here .* ok" "$work/receiver-kvm.log"; then
                pass "kvm (kz6 in $((SECONDS - started)) s; heartbeat $last_on_source last on the source, $first_here first on the destination; $(grep -o 'downtime [0-9]* ms' "$kvm_log" || echo 'no summary'))"
            else
                fail kvm "the destination's first heartbeat $first_here does not follow the source's last $last_on_source"
            fi
        fi
    fi
    kill -TERM "$kvm_receiver_pid" 2>/dev/null || true
    wait "$kvm_receiver_pid" 2>/dev/null || true
    kvm_receiver_pid=""
fi

if [[ $failures -ne 0 ]]; then
    echo "two hosts: $failures failure(s); receiver log tail:"
    tail -n 20 "$work/receiver.log"
    exit 1
fi
echo "two hosts: all scenarios passed"
