#!/usr/bin/env bash
# Build (if needed) and run the agent standalone with its embedded defaults; alerts and logs as JSON on stdout.
# Extra arguments are KubeArmor-style settings, e.g. -policyDir=examples -hostDefaultFilePosture=block
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
if [ ! -f target/quarkus-app/quarkus-run.jar ] || [ -n "$(find src pom.xml -newer target/quarkus-app/quarkus-run.jar -print -quit)" ]; then
    mvn -B -q -DskipTests package >&2  # stdout carries only the JSON lines
fi
exec java --enable-native-access=ALL-UNNAMED -jar target/quarkus-app/quarkus-run.jar run -logPath=stdout "$@"
