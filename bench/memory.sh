#!/usr/bin/env bash
# Resident memory of the packaged agent, standalone on this host with the examples and the system monitor on
# (default visibility), 25 s after start, with the default JVM flags and with smaller-footprint ones.
# Usage: bench/memory.sh   (builds the jar first if needed)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
[ -f target/quarkus-app/quarkus-run.jar ] || mvn -B -q -DskipTests package
echo "| JVM flags | ready | RSS after 25 s |"
echo "|---|---|---|"
for flags in "" "-XX:+UseSerialGC -XX:MaxRAMPercentage=75" "-XX:+UseSerialGC -Xmx96m -XX:TieredStopAtLevel=1"; do
    # shellcheck disable=SC2086
    java --enable-native-access=ALL-UNNAMED $flags -jar target/quarkus-app/quarkus-run.jar run -policyDir=examples \
        -healthPort=32898 -grpc=32897 -grpcHealthPort=32896 -policyStorePath="$(mktemp -d)" -logPath=none \
        > /dev/null 2>&1 &
    pid=$!
    sleep 25
    ready=$(curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:32898/q/health/ready || true)
    rss=$(awk '/VmRSS/ {printf "%d MiB", $2 / 1024}' /proc/$pid/status)
    kill $pid && wait $pid 2>/dev/null || true
    echo "| \`${flags:-(defaults)}\` | $ready | $rss |"
done
