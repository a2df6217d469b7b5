#!/usr/bin/env bash
# Time from a policy change to its enforcement, per source (a file in the policy directory, a gRPC
# PolicyService call, a KubeArmorHostPolicy on the API server), as p50/p99 over ROUNDS changes each, and whether
# any source said "applied" before the rule was in the kernel. Run inside a BPF-LSM guest after `mvn package`:
#   src/test/vm/vmrun --mem 2G --timeout 1800 -- bench/policy-latency.sh [ROUNDS]
# The agent runs in Kubernetes mode against fabric8's mock API server (CRUD mode), with a policy directory and
# gRPC as well (dev.bulwark.bench.PolicyLatency).
set -euo pipefail
cd "$(dirname "$0")/.."
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
classpath=${BULWARK_TEST_CLASSPATH:-}
if [ -z "$classpath" ]; then
    mvn -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/bulwark-cp.txt >&2
    classpath="target/test-classes:target/classes:$(cat /tmp/bulwark-cp.txt)"
fi
export KUBEARMOR_NODENAME=vmrun
"$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -cp "$classpath" \
    dev.bulwark.bench.PolicyLatency target/quarkus-app/quarkus-run.jar "${1:-20}"
