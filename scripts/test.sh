#!/usr/bin/env bash
# Everything CI runs: unit and Quarkus tests on the host, the BPF objects rebuilt and compared, the
# enforcement suite and the packaged agent inside a BPF-LSM kernel (qemu guest), and CLI/agent checks.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

# Tools for the BPF build and the guest, and the container runtimes the monitor tests start themselves
# (containerd, dockerd: no systemd here), and Debian's Python gRPC for the compatibility test. Debian packages,
# installed only when missing.
need=()
for pkg in qemu-system-x86 busybox-static cpio xz-utils e2fsprogs clang-19 llvm-19 libbpf-dev bpftool gcc linux-libc-dev curl \
    containerd docker.io runc python3-grpcio python3-grpc-tools; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "Installing ${need[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The committed BPF object must be what the sources build to.
make -s -C bpf check

# The guests themselves (each kernel of the matrix is downloaded once): boot, run, power off.
for kernel in 6.1 6.12; do
    start=$(date +%s.%N)
    src/test/vm/vmrun --kernel $kernel -- true
    echo "vmrun --kernel $kernel -- true: $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $start}") s"
done

start=$(date +%s.%N)
mvn -B verify -Pvm
echo "mvn verify -Pvm (host tests + the guest suites on 6.1 and 6.12): $(awk "BEGIN {printf \"%.0f\", $(date +%s.%N) - $start}") s"

# The packaged CLI and agent: each check below that holds counts itself; a failing one stops the script.
checks=0
passed() { checks=$((checks + 1)); echo "check passed: $1"; }

# The packaged CLI itself: examples are valid, and an invalid policy is refused with exit status 1.
jar=target/quarkus-app/quarkus-run.jar
java -jar $jar validate examples/*.yaml
passed "the examples validate"
broken=$(mktemp --suffix=.yaml)
sed 's|path: /etc/shadow|path: etc/shadow|' examples/hsp-protect-shadow.yaml > "$broken"
if java -jar $jar validate "$broken"; then
    echo "bulwark validate accepted a broken policy" >&2
    exit 1
fi
rm -f "$broken"
passed "a broken policy is refused"

# On this host's kernel (no BPF-LSM) the agent starts standalone in audit-only mode, becomes ready, stays up.
log=$(mktemp)
store=$(mktemp -d)
# Ports below Linux's ephemeral range (32768-60999): no outgoing connection of this machine can hold them.
start_agent() {
    java -jar $jar run -policyDir=examples -healthPort=18798 -grpc=18797 -grpcHealthPort=18796 \
        -policyStorePath="$store" -logPath=stdout > "$log" 2>&1 &
    agent=$!
    for _ in $(seq 1 60); do
        curl -sf http://127.0.0.1:18798/q/health/ready > /dev/null && break
        sleep 0.5
    done
}
start_agent
sleep 3
if ! kill -0 $agent 2>/dev/null || ! curl -sf http://127.0.0.1:18798/q/health/ready > /dev/null; then
    cat "$log" >&2
    echo "the standalone agent did not stay up and ready" >&2
    exit 1
fi
grep -q '"message":"Applied 1 policies from examples/hsp-protect-shadow.yaml"' "$log"
grep -q 'Running in audit-only mode' "$log"
passed "the standalone agent starts in audit-only mode and stays ready"

# A policy applied through gRPC PolicyService (stubs the Python compatibility test generated) survives a restart.
/usr/bin/python3 - <<'PYTHON'
import json, sys
sys.path.insert(0, "target/python-stubs")
import grpc, policy_pb2, policy_pb2_grpc
body = {"type": "ADDED", "object": {"metadata": {"name": "grpc-restart"}, "spec": {
    "nodeSelector": {"matchLabels": {"kubearmor.io/hostname": "*"}},
    "file": {"matchPaths": [{"path": "/etc/grpc-restart"}]}, "action": "Block"}}}
stub = policy_pb2_grpc.PolicyServiceStub(grpc.insecure_channel("localhost:18797"))
status = stub.hostPolicy(policy_pb2.policy(policy=json.dumps(body).encode()), timeout=30).status
sys.exit(0 if status == policy_pb2.Applied else "hostPolicy answered %s, not Applied" % status)
PYTHON
kill $agent && wait $agent || true
start_agent
kill $agent && wait $agent || true
if ! grep -q 'Restored KubeArmorHostPolicy grpc-restart' "$log"; then
    cat "$log" >&2
    echo "the policy applied through gRPC was not restored at restart" >&2
    exit 1
fi
rm -rf "$store"
passed "a gRPC policy survives a restart"

# A bad setting stops the start, naming its key.
if java -jar $jar run -defaultFilePosture=deny > "$log" 2>&1; then
    echo "the agent started with defaultFilePosture=deny" >&2
    exit 1
fi
grep -q 'bulwark.defaultFilePosture' "$log"
rm -f "$log"
passed "a bad setting stops the start, naming its key"
echo "CLI and agent checks: $checks passed"
