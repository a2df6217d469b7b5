#!/usr/bin/env bash
# Per-decision cost of the enforcer's exec, file_open, socket_post_create, socket_sendmsg and capable programs at 10,
# 1,000 and 10,000 rules of their class in one endpoint, from the kernel's own bpf_stats (run_time_ns /
# run_cnt), beside a program that decides nothing on the same hook (bench/empty.bpf.c), attached in the same run
# and counted over the same operations: the ratio is what the enforcer adds over BPF-LSM's own floor. Run inside
# a BPF-LSM guest, with nothing else busy on the machine (the guest is emulated: contention shows):
#   src/test/vm/vmrun --mem 2G --timeout 2400 -- bench/bpf-cost.sh
# (BULWARK_TEST_CLASSPATH, given through `env`, spares the guest a Maven run: its JDK 17 has crashed under TCG.)
# Each round starts the packaged agent (without selfProtection, so that bpftool may read its programs' counters)
# with one host policy of N process rules, N file rules, N network rules
# (tcp, each from its own program), N DNS rules (likewise) and N capability rules (net_raw, likewise), none of
# which matches what is measured: 200 execs of /usr/bin/true, files of three path depths opened 2,000 times
# each, 2,000 UDP sockets, 2,000 DNS queries sent to 127.0.0.1:53, 2,000 raw sockets (one CAP_NET_RAW check
# each).
set -euo pipefail
cd "$(dirname "$0")/.."
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
python=/usr/bin/python3
jar=target/quarkus-app/quarkus-run.jar
work=$(mktemp -d)
mkdir -p "$work/d/a/b/c/d/e/f/g/h/i/j"
echo x > "$work/shallow"; echo x > "$work/d/a/b/c/mid"; echo x > "$work/d/a/b/c/d/e/f/g/h/i/j/deep"
sysctl -qw kernel.bpf_stats_enabled=1

# The floor: empty programs on the same hooks, attached for the whole run.
make -s -C bpf vmlinux.h
clang-19 -g -O2 -target bpf -D__TARGET_ARCH_x86 -Ibpf -c bench/empty.bpf.c -o "$work/empty.bpf.o"
classpath=${BULWARK_TEST_CLASSPATH:-}
if [ -z "$classpath" ]; then
    mvn -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >&2
    classpath="target/test-classes:target/classes:$(cat "$work/cp.txt")"
fi
mkfifo "$work/hold"
"$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -cp "$classpath" \
    dev.bulwark.bench.LoadPrograms "$work/empty.bpf.o" < "$work/hold" > "$work/empty.log" 2>&1 &
exec 3> "$work/hold"
for _ in $(seq 1 600); do grep -q attached "$work/empty.log" && break; sleep 0.5; done
grep -q attached "$work/empty.log" || { cat "$work/empty.log" >&2; exit 1; }

stats() { # program name -> "run_time_ns run_cnt"
    bpftool -j prog show name "$1" | $python -c 'import json, sys; d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
print(d.get("run_time_ns", 0), d.get("run_cnt", 0))'
}
measure() { # enforcer program, empty program, python code run with the target as argv[1] -> "ns floor-ns ratio"
    local a0 b0 a1 b1
    a0=$(stats "$1"); b0=$(stats "$2")
    $python -c "$3" "${4:-}"
    a1=$(stats "$1"); b1=$(stats "$2")
    $python - "$a0" "$a1" "$b0" "$b1" <<'PYTHON'
import sys
(t0, c0), (t1, c1), (e0, d0), (e1, d1) = (map(int, a.split()) for a in sys.argv[1:])
ns, floor = (t1 - t0) / (c1 - c0), (e1 - e0) / (d1 - d0)
print("%d | %d | %.1f" % (ns, floor, ns / floor))
PYTHON
}
printf '| rules per class | decision | ns per decision | empty program, ns | ratio |\n|---|---|---|---|---|\n'
for n in 10 1000 10000; do
    mkdir -p "$work/p$n"
    {
        echo "apiVersion: security.kubearmor.com/v1"
        echo "kind: KubeArmorHostPolicy"
        echo "metadata: {name: bench-$n}"
        echo "spec:"
        echo "  nodeSelector: {matchLabels: {kubearmor.io/hostname: '*'}}"
        echo "  action: Block"
        echo "  process:"
        echo "    matchPaths:"
        for i in $(seq 1 "$n"); do echo "    - path: /opt/bench/program-$i"; done
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
        -maxRulesPerEndpoint=100000 -alertThrottling=false -selfProtection=false > "$work/agent-$n.log" 2>&1 &
    agent=$!
    for _ in $(seq 1 900); do curl -sf http://127.0.0.1:32768/q/health/ready > /dev/null && break; sleep 0.5; done
    grep -q "Applied 1 policies" "$work/agent-$n.log" || { tail -20 "$work/agent-$n.log" >&2; exit 1; }
    echo "| $n | exec (/usr/bin/true) | $(measure bulwark_bprm_check empty_bprm_check "
import subprocess
for _ in range(200):
    subprocess.run(['/usr/bin/true'])") |"
    for target in shallow d/a/b/c/mid d/a/b/c/d/e/f/g/h/i/j/deep; do
        depth=$(echo "$work/$target" | tr -cd / | wc -c)
        # One process opening the file 2,000 times: the decisions measured are these opens.
        echo "| $n | file_open, path depth $depth | $(measure bulwark_file_open empty_file_open "
import sys
for _ in range(2000):
    open(sys.argv[1]).close()" "$work/$target") |"
    done
    echo "| $n | socket_post_create (UDP) | $(measure bulwark_socket_post_create empty_socket_post_create "
import socket
for _ in range(2000):
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()") |"
    echo "| $n | socket_sendmsg (DNS query for www.google.com) | $(measure bulwark_socket_sendmsg empty_socket_sendmsg "
import socket
query = bytes.fromhex('123401000001000000000000') + b'\\x03www\\x06google\\x03com\\x00\\x00\\x01\\x00\\x01'
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(2000):
    s.sendto(query, ('127.0.0.1', 53))") |"
    echo "| $n | capable (CAP_NET_RAW) | $(measure bulwark_capable empty_capable "
import socket
for _ in range(2000):
    socket.socket(socket.AF_INET, socket.SOCK_RAW, 1).close()") |"
    kill $agent; wait $agent || true
    rm -rf /sys/fs/bpf/bulwark
done
exec 3>&-
