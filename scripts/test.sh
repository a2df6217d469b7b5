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
echo "CLI checks: 2 passed, 0 failed"
