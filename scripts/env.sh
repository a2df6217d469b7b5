# Sourced by the scripts: the JDK and Maven the project builds with, installed where the machine allows.
export JAVA_HOME=${BULWARK_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ ! -x "$JAVA_HOME/bin/java" ]; then
    echo "Bulwark needs JDK 25 at $JAVA_HOME (Temurin); set BULWARK_JAVA_HOME to another JDK 25" >&2
    exit 1
fi
export PATH="$JAVA_HOME/bin:$PATH"
if ! command -v mvn >/dev/null 2>&1; then
    echo "Installing Maven from Debian's packages" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null
fi
