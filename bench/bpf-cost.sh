#!/usr/bin/env bash
# Per-decision cost of the file_open program at 10, 1,000 and 10,000 rules in one endpoint, from the
# kernel's own bpf_stats (run_time_ns / run_cnt). Run inside a BPF-LSM guest:
#   src/test/vm/vmrun --mem 2G --timeout 900 -- bench/bpf-cost.sh
# Each round starts the packaged agent with one host policy of N file rules (none of which matches the
# files read), opens files of three path depths 2,000 times each, and reads the counters.
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
printf '| rules | path depth | ns per file_open decision |\n|---|---|---|\n'
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
    } > "$work/p$n/policy.yaml"
    "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar $jar run -policyDir="$work/p$n" -healthPort=32768 \
        -maxRulesPerEndpoint=20000 -alertThrottling=false > "$work/agent-$n.log" 2>&1 &
    agent=$!
    for _ in $(seq 1 600); do curl -sf http://127.0.0.1:32768/q/health/ready > /dev/null && break; sleep 0.5; done
    grep -q "Applied 1 policies" "$work/agent-$n.log" || { tail -20 "$work/agent-$n.log" >&2; exit 1; }
    id=$(bpftool prog show name bulwark_file_open | head -1 | cut -d: -f1)
    for target in shallow d/a/b/c/mid d/a/b/c/d/e/f/g/h/i/j/deep; do
        before=$(stats "$id")
        # One process opening the file 2,000 times: the decisions measured are these opens.
        python3 -c "
import sys
for _ in range(2000):
    open(sys.argv[1]).close()" "$work/$target"
        after=$(stats "$id")
        set -- $before; t0=$1; c0=$2
        set -- $after; t1=$1; c1=$2
        depth=$(echo "$work/$target" | tr -cd / | wc -c)
        echo "| $n | $depth | $(( (t1 - t0) / (c1 - c0) )) |"
    done
    kill $agent; wait $agent || true
    rm -rf /sys/fs/bpf/bulwark
done
