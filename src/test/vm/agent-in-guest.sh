#!/usr/bin/env bash
# Inside the guest: the packaged standalone agent, given a policy directory, enforces host policies with
# BPF-LSM, picks up policy edits without a restart, and reports each denial as a JSON alert.
set -uo pipefail
jar=target/quarkus-app/quarkus-run.jar
work=$(mktemp -d)
mkdir -p "$work/policies" "$work/files"
echo secret > "$work/files/secret"
echo other > "$work/files/other"
policy() { # name, path
    cat > "$work/policies/.$1.tmp" <<YAML
apiVersion: security.kubearmor.com/v1
kind: KubeArmorHostPolicy
metadata: {name: $1}
spec:
  nodeSelector: {matchLabels: {kubearmor.io/hostname: "*"}}
  severity: 6
  message: guest smoke test
  file: {matchPaths: [{path: $2}]}
  action: Block
YAML
    mv "$work/policies/.$1.tmp" "$work/policies/$1.yaml"
}
policy smoke "$work/files/secret"
passed=0
failed=0
check() { # description, command...
    local what=$1; shift
    if "$@"; then passed=$((passed + 1)); echo "ok: $what"; else failed=$((failed + 1)); echo "FAILED: $what"; fi
}
started=$(date +%s.%N)
"${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar $jar run -policyDir="$work/policies" -logPath="$work/alerts.json" \
    -healthPort=32768 > "$work/agent.log" 2>&1 &
agent=$!
ready=false
for _ in $(seq 1 240); do
    if curl -sf http://127.0.0.1:32768/q/health/ready > /dev/null; then ready=true; break; fi
    kill -0 $agent 2>/dev/null || break
    sleep 0.5
done
echo "agent ready after $(awk "BEGIN {print $(date +%s.%N) - $started}") s"
check "the agent becomes ready" $ready
check "the agent enforces with BPF-LSM" grep -q 'rules: BPF-LSM' "$work/agent.log"
check "a blocked file cannot be read" bash -c "! cat '$work/files/secret' 2>/dev/null"
check "another file can" cat "$work/files/other" > /dev/null
sleep 1
check "the denial is an alert naming the policy" grep -q '"PolicyName":"smoke".*"Result":"Permission denied"' "$work/alerts.json"
policy smoke "$work/files/other"
for _ in $(seq 1 40); do cat "$work/files/secret" > /dev/null 2>&1 && break; sleep 0.25; done
check "an edited policy applies without a restart" cat "$work/files/secret" > /dev/null
check "and blocks the new path" bash -c "! cat '$work/files/other' 2>/dev/null"
rm "$work/policies/smoke.yaml"
for _ in $(seq 1 40); do cat "$work/files/other" > /dev/null 2>&1 && break; sleep 0.25; done
check "a deleted policy stops blocking" cat "$work/files/other" > /dev/null
kill $agent 2>/dev/null; wait $agent
[ $failed = 0 ] || cat "$work/agent.log"
echo "agent in the guest: $passed passed, $failed failed"
[ $failed = 0 ]
