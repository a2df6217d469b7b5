#!/usr/bin/env bash
# JMH: alerts per second through feeder.LogService/WatchAlerts to 1 and to 10 gRPC clients on loopback
# (publish, per-client queue, flow-controlled stream, client decode). Usage: bench/grpc-alerts.sh [JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
exec java --enable-native-access=ALL-UNNAMED -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
    org.openjdk.jmh.Main GrpcAlertsBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s "$@"
