#!/usr/bin/env bash
# Per-decision cost of the file_open, socket_create, socket_sendmsg and capable programs at 10, 1,000 and
# 10,000 rules of their class in one endpoint, from the kernel's own bpf_stats (run_time_ns / run_cnt). Run
# inside a BPF-LSM guest, with nothing else busy on the machine (the guest is emulated: contention shows):
#   src/test/vm/vmrun --mem 2G --timeout 1400 -- bench/bpf-cost.sh
# Each round starts the packaged agent with one host policy of N file rules, N network rules (tcp, each from
# its own program), N DNS rules (likewise) and N capability rules (net_raw, likewise), none of which matches
# what is measured: files of three path depths opened 2,000 times each, 2,000 UDP sockets, 2,000 DNS queries
# sent to 127.0.0.1:53, 2,000 raw sockets (one CAP_NET_RAW check each).
set -euo pipefail
cd "$(dirname "$0")/.."
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
jar=target/quarkus-app/quarkus-run.jar
work=$(mktemp -d)
mkdir -p "$work/d/a/b/c/d/e/f/g/h/i/j"
echo x > "$work/shallow"; echo x > "$work/d/a/b/c/mid"; echo x > "$work/d/a/b/c/d/e/f/g/h/i/j/deep"
sysctl -qw kernel.bpf_stats_enabled=1
stats() { # program id -> "run_time_ns run_cnt"
    bpftool -j prog show id "$1" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d.get("run_time_ns", 0), d.get("run_cnt", 0))'
}
measure() { # program name, python code run with the target as argv[1] -> ns per decision
    local id before after t0 c0 t1 c1
    id=$(bpftool prog show name "$1" | head -1 | cut -d: -f1)
    before=$(stats "$id")
    python3 -c "$2" "${3:-}"
    after=$(stats "$id")
    set -- $before; t0=$1; c0=$2
    set -- $after; t1=$1; c1=$2
    echo $(( (t1 - t0) / (c1 - c0) ))
}
printf '| rules per class | decision | ns per decision |\n|---|---|---|\n'
for n in 10 1000 10000; do
    mkdir -p "$work/p$n"
    {
        echo "apiVersion: security.kubearmor.com/v1"
        echo "kind: KubeArmorHostPolicy"
        echo "metadata: {name: bench-$n}"
        echo "spec:"
        echo "  nodeSelector: {matchLabels: {kubearmor.io/hostname: '*'}}"
        echo "  action: Block"
        echo "  file:"
        echo "    matchPaths:"
        for i in $(seq 1 "$n"); do echo "    - path: /opt/bench/file-$i"; done
        echo "  network:"
        echo "    matchProtocols:"
        for i in $(seq 1 "$n"); do echo "    - {protocol: tcp, fromSource: [{path: /opt/bench/src-$i}]}"; done
        echo "    matchDNSQueries:"
        for i in $(seq 1 "$n"); do echo "    - {domain: host-$i.example.org, fromSource: [{path: /opt/bench/src-$i}]}"; done
        echo "  capabilities:"
        echo "    matchCapabilities:"
        for i in $(seq 1 "$n"); do echo "    - {capability: net_raw, fromSource: [{path: /opt/bench/src-$i}]}"; done
    } > "$work/p$n/policy.yaml"
    "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar $jar run -policyDir="$work/p$n" -healthPort=32768 \
        -maxRulesPerEndpoint=50000 -alertThrottling=false > "$work/agent-$n.log" 2>&1 &
    agent=$!
    for _ in $(seq 1 600); do curl -sf http://127.0.0.1:32768/q/health/ready > /dev/null && break; sleep 0.5; done
    grep -q "Applied 1 policies" "$work/agent-$n.log" || { tail -20 "$work/agent-$n.log" >&2; exit 1; }
    for target in shallow d/a/b/c/mid d/a/b/c/d/e/f/g/h/i/j/deep; do
        depth=$(echo "$work/$target" | tr -cd / | wc -c)
        # One process opening the file 2,000 times: the decisions measured are these opens.
        echo "| $n | file_open, path depth $depth | $(measure bulwark_file_open "
import sys
for _ in range(2000):
    open(sys.argv[1]).close()" "$work/$target") |"
    done
    echo "| $n | socket_create (UDP) | $(measure bulwark_socket_create "
import socket
for _ in range(2000):
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()") |"
    echo "| $n | socket_sendmsg (DNS query for www.google.com) | $(measure bulwark_socket_sendmsg "
import socket
query = bytes.fromhex('123401000001000000000000') + b'\\x03www\\x06google\\x03com\\x00\\x00\\x01\\x00\\x01'
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(2000):
    s.sendto(query, ('127.0.0.1', 53))") |"
    echo "| $n | capable (CAP_NET_RAW) | $(measure bulwark_capable "
import socket
for _ in range(2000):
    socket.socket(socket.AF_INET, socket.SOCK_RAW, 1).close()") |"
    kill $agent; wait $agent || true
    rm -rf /sys/fs/bpf/bulwark
done
