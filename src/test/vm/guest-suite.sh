#!/usr/bin/env bash
# Runs inside the guest (the `vm` Maven profile boots it once for all of this):
# the @Tag("bpf-lsm") JUnit suite in one JVM, then the packaged agent end to end.
# Usage: guest-suite.sh JAVA CLASSPATH
set -uo pipefail
java=$1
classpath=$2
cd "$(dirname "$0")/../../.."
"$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    --enable-native-access=ALL-UNNAMED -cp "$classpath" dev.bulwark.GuestSuite
suite=$?
JAVA_HOME=$(dirname "$(dirname "$java")") src/test/vm/agent-in-guest.sh
agent=$?
[ $suite = 0 ] && [ $agent = 0 ]
