#!/usr/bin/env bash
# JMH: monitor events per second on one core, from ring-buffer-shaped off-heap records to KubeArmor log
# objects (decode, process tree lookup, description). Usage: bench/monitor-decode.sh [JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
exec java --enable-native-access=ALL-UNNAMED -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
    org.openjdk.jmh.Main MonitorDecodeBenchmark -f 1 -t 1 -wi 3 -w 2s -i 5 -r 2s "$@"
