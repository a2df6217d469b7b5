# Sourced by bench/bpf-cost.sh and bench/glob-cost.sh, from the repository root: what both measure with. Sets java,
# python, jar and work (a fresh directory); turns on bpf_stats; loads programs that decide nothing on the
# enforcer's hooks (bench/empty.bpf.c) for the whole run, the floor every decision is set beside; and defines
#   stats PROGRAM                 -> "run_time_ns run_cnt" of a loaded program, by name
#   measure PROGRAM EMPTY CODE [ARG] -> "ns | floor-ns | ratio" of PROGRAM beside EMPTY over what the Python CODE does
#   start_agent, EXECS, OPENS (below)
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
python=/usr/bin/python3
jar=target/quarkus-app/quarkus-run.jar
work=$(mktemp -d)
sysctl -qw kernel.bpf_stats_enabled=1

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

stats() {
    bpftool -j prog show name "$1" | $python -c 'import json, sys; d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
print(d.get("run_time_ns", 0), d.get("run_cnt", 0))'
}
measure() {
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

# start_agent POLICY-DIR LOG [SETTING...]: the packaged agent on that policy directory (selfProtection off, so that
# bpftool may read its programs' counters), once ready and its policy applied; its pid in $agent.
start_agent() {
    local dir=$1 log=$2
    shift 2
    "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar $jar run -policyDir="$dir" -healthPort=18768 \
        -alertThrottling=false -selfProtection=false "$@" > "$log" 2>&1 &
    agent=$!
    for _ in $(seq 1 900); do curl -sf --max-time 5 http://127.0.0.1:18768/q/health/ready > /dev/null && break; sleep 0.5; done
    grep -q "Applied 1 policies" "$log" || { tail -20 "$log" >&2; exit 1; }
}

# What is measured: 200 execs of /usr/bin/true; one process opening argv[1] 2,000 times.
EXECS="
import subprocess
for _ in range(200):
    subprocess.run(['/usr/bin/true'])"
OPENS="
import sys
for _ in range(2000):
    open(sys.argv[1]).close()"

# host_policy NAME: the head of a blocking KubeArmorHostPolicy for every node; the rule blocks follow it.
host_policy() {
    printf '%s\n' "apiVersion: security.kubearmor.com/v1" "kind: KubeArmorHostPolicy" "metadata: {name: $1}" "spec:" \
        "  nodeSelector: {matchLabels: {kubearmor.io/hostname: '*'}}" "  action: Block"
}

# rule_list LIST N ENTRY: "    LIST:" and N entries, each ENTRY with every @ made its number ("{path: /x-@}").
rule_list() {
    echo "    $1:"
    for i in $(seq 1 "$2"); do echo "    - ${3//@/$i}"; done
}
