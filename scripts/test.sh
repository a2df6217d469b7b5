#!/usr/bin/env bash
# Everything CI runs: unit and Quarkus tests, golden files, generated-CRD check, example validation.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
mvn -B verify
# The packaged CLI itself: examples are valid, and an invalid policy is refused with exit status 1.
java -jar target/quarkus-app/quarkus-run.jar validate examples/*.yaml
broken=$(mktemp --suffix=.yaml)
sed 's|path: /etc/shadow|path: etc/shadow|' examples/hsp-protect-shadow.yaml > "$broken"
if java -jar target/quarkus-app/quarkus-run.jar validate "$broken"; then
    echo "bulwark validate accepted a broken policy" >&2
    exit 1
fi
rm -f "$broken"

# The agent starts standalone with no Kubernetes around, becomes ready, and stays up.
jar=target/quarkus-app/quarkus-run.jar
log=$(mktemp)
java -jar $jar run -policyDir=examples -healthPort=32798 -grpc=32797 -logPath=stdout > "$log" 2>&1 &
agent=$!
for _ in $(seq 1 60); do
    curl -sf http://127.0.0.1:32798/q/health/ready > /dev/null && break
    sleep 0.5
done
sleep 3
if ! kill -0 $agent 2>/dev/null || ! curl -sf http://127.0.0.1:32798/q/health/ready > /dev/null; then
    cat "$log" >&2
    echo "the standalone agent did not stay up and ready" >&2
    exit 1
fi
kill $agent && wait $agent || true
grep -q '"Message":"Applied 1 policies from examples/hsp-protect-shadow.yaml"' "$log"

# A bad setting stops the start, naming its key.
if java -jar $jar run -defaultFilePosture=deny > "$log" 2>&1; then
    echo "the agent started with defaultFilePosture=deny" >&2
    exit 1
fi
grep -q 'bulwark.defaultFilePosture' "$log"
rm -f "$log"
echo "CLI and agent checks: 4 passed, 0 failed"
