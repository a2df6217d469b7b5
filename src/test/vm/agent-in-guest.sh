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
# The health port is below Linux's ephemeral range (32768-60999): a probe's own source port is then never the port
# it probes (a self-connected socket would hold the port and the agent's bind would fail).
start_agent() {
    local started
    started=$(date +%s.%N)
    "${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar $jar run \
        -policyDir="$work/policies" -logPath="$work/alerts.json" -healthPort=18768 -maxRulesPerEndpoint=200 "$@" \
        >> "$work/agent.log" 2>&1 &
    agent=$!
    ready=false
    for _ in $(seq 1 240); do
        if curl -sf --max-time 5 http://127.0.0.1:18768/q/health/ready > /dev/null; then ready=true; break; fi
        kill -0 $agent 2>/dev/null || break
        sleep 0.5
    done
    echo "agent ready after $(awk "BEGIN {print $(date +%s.%N) - $started}") s"
}
# These checks edit the policy directory as an operator does where selfProtection is off; it is on at the end.
start_agent -selfProtection=false
check "the agent becomes ready" $ready
check "the agent enforces with BPF-LSM" grep -q 'rules: BPF-LSM' "$work/agent.log"
check "a blocked file cannot be read" bash -c "! cat '$work/files/secret' 2>/dev/null"
check "another file can" cat "$work/files/other" > /dev/null
sleep 1
check "the denial is an alert naming the policy" grep -q '"policyName":"smoke".*"result":"Permission denied"' "$work/alerts.json"
policy smoke "$work/files/other"
for _ in $(seq 1 120); do cat "$work/files/secret" > /dev/null 2>&1 && break; sleep 0.25; done
check "an edited policy applies without a restart" cat "$work/files/secret" > /dev/null
check "and blocks the new path" bash -c "! cat '$work/files/other' 2>/dev/null"
rm "$work/policies/smoke.yaml"
for _ in $(seq 1 120); do cat "$work/files/other" > /dev/null 2>&1 && break; sleep 0.25; done
check "a deleted policy stops blocking" cat "$work/files/other" > /dev/null
# "Applied" means in force: the moment the agent says so, the rule holds, with no waiting.
echo fresh > "$work/files/fresh"
policy fresh "$work/files/fresh"
for _ in $(seq 1 600); do grep -q "Applied 1 policies from $work/policies/fresh.yaml" "$work/agent.log" && break; sleep 0.05; done
check "the moment a policy is reported applied, it is in force" bash -c "! cat '$work/files/fresh' 2>/dev/null"
# A policy the kernel cannot take (more entries than -maxRulesPerEndpoint) is not reported as applied.
{
    echo "apiVersion: security.kubearmor.com/v1"
    echo "kind: KubeArmorHostPolicy"
    echo "metadata: {name: big}"
    echo "spec:"
    echo "  nodeSelector: {matchLabels: {kubearmor.io/hostname: '*'}}"
    echo "  file:"
    echo "    matchPaths:"
    for i in $(seq 1 300); do echo "    - path: $work/files/big-$i"; done
    echo "  action: Block"
} > "$work/policies/.big.tmp"
mv "$work/policies/.big.tmp" "$work/policies/big.yaml"
for _ in $(seq 1 600); do grep -q "big.yaml: read, but not in force" "$work/agent.log" && break; sleep 0.05; done
check "a policy the kernel cannot take is reported as not in force" grep -q "big.yaml: read, but not in force" "$work/agent.log"
check "and not as applied" bash -c "! grep -q 'Applied 1 policies from $work/policies/big.yaml' '$work/agent.log'"
check "and the rules in force stay" bash -c "! cat '$work/files/fresh' 2>/dev/null"
rm "$work/policies/big.yaml" "$work/policies/fresh.yaml"
for _ in $(seq 1 120); do cat "$work/files/fresh" > /dev/null 2>&1 && break; sleep 0.25; done
# A container (new pid and mount namespaces) registered through the OCI-hook command before its first exec.
cat > "$work/policies/ksp.yaml" <<YAML
apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: web-secret, namespace: guest}
spec:
  selector: {matchLabels: {app: web}}
  file: {matchPaths: [{path: $work/files/csecret}]}
  action: Block
YAML
cat > "$work/policies/ksp-db.yaml" <<YAML
apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: db-only, namespace: guest}
spec:
  selector: {matchLabels: {app: db}}
  file: {matchPaths: [{path: $work/files/other}]}
  action: Block
YAML
echo container-secret > "$work/files/csecret"
mkfifo "$work/go"
unshare --pid --mount --fork bash -c "read go < '$work/go'; cat '$work/files/csecret'; echo status=\$?;
    cat '$work/files/other' > /dev/null; echo other=\$?" \
    > "$work/container.out" 2>&1 &
unshare=$!
child=
for _ in $(seq 1 600); do   # up to 30 s: forks are slow under emulation when the machine is busy
    child=$(cat /proc/$unshare/task/$unshare/children 2>/dev/null | awk '{print $1}')
    [ -n "$child" ] && break
    sleep 0.05
done
[ -n "$child" ] || echo "unshare started no child within 30 s"
echo "{\"ociVersion\": \"1.0.2\", \"id\": \"c1\", \"status\": \"creating\", \"pid\": $child}" \
    | "${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
        -jar $jar hook create \
        --annotation io.kubernetes.pod.namespace=guest --annotation io.kubernetes.container.name=web \
        --annotation bulwark.io/labels=app=web > "$work/hook.out" 2>&1
check "the hook registers the container" grep -q '^ok: registered container guest/' "$work/hook.out"
echo go > "$work/go"
wait $unshare
check "the container's first exec is governed by its policy" grep -q 'status=1' "$work/container.out"
check "and not by a policy for other labels" grep -q 'other=0' "$work/container.out"
check "the host is not" cat "$work/files/csecret" > /dev/null
sleep 1
check "the alert names the container" grep -q '"namespaceName":"guest".*"containerName":"web".*"policyName":"web-secret"' \
    "$work/alerts.json"
# Pinned enforcement outlives the agent, and a new agent takes the pinned maps over.
echo persist > "$work/files/persist"
policy persist "$work/files/persist"
for _ in $(seq 1 120); do cat "$work/files/persist" > /dev/null 2>&1 || break; sleep 0.25; done
kill $agent 2>/dev/null; wait $agent
check "a stopped agent leaves its rules in force" bash -c "! cat '$work/files/persist' 2>/dev/null"
# The restarted agent has selfProtection (the default): another root process can neither edit the policies, nor
# take the pinned maps, nor kill the agent; its parent stops it as usual, and the next agent takes over at once.
start_agent
check "a restarted agent becomes ready" $ready
check "and the rules stayed in force throughout" bash -c "! cat '$work/files/persist' 2>/dev/null"
# Its own read-only rules reach the kernel through the pinned maps: the new agent rules them.
check "the new agent rules the pinned maps: the policy directory is read-only to others" \
    bash -c "! touch '$work/policies/intruder.yaml' 2>/dev/null"
check "the pinned maps are the agent's" bash -c "! /usr/sbin/bpftool map dump pinned /sys/fs/bpf/bulwark/endpoint_modes \
    > /dev/null 2>&1"
# (a subshell of a child: neither the agent's parent nor a child of it, as the runtime's helpers are)
check "a process that is not its parent cannot kill it" bash -c "! (kill -9 $agent 2>/dev/null) && kill -0 $agent"
sleep 1
check "the attempts are alerts" grep -q '"policyName":"bulwark-self-protection".*signal 9 to the agent' "$work/alerts.json"
kill $agent 2>/dev/null; wait $agent
check "a stopped agent leaves its policy directory writable" rm "$work/policies/persist.yaml"
start_agent -selfProtection=false
check "its parent stopped it, and a new agent takes the pins over" $ready
for _ in $(seq 1 120); do cat "$work/files/persist" > /dev/null 2>&1 && break; sleep 0.25; done
check "and rules them (the deleted policy stops blocking)" cat "$work/files/persist" > /dev/null
kill $agent 2>/dev/null; wait $agent
rm -rf /sys/fs/bpf/bulwark
[ $failed = 0 ] || { cat "$work/agent.log"; cat "$work/hook.out" "$work/container.out" 2>/dev/null; }
echo "agent in the guest: $passed passed, $failed failed"
[ $failed = 0 ]
