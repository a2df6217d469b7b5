#!/usr/bin/env bash
# The native image's points-to analysis of the whole agent, on this machine: no GraalVM distribution is served
# here, but the image builder's jars are on Maven Central and run on Temurin 25's JVMCI. What the distribution
# would add is stood in for: the native-image driver (driver.py: Quarkus's native-image.args to the builder's
# options), its progress helper (reporterchelper.c) and the C headers its queries include (svm_locale.h,
# cpu_headers.py). The analysis stops before code generation (-H:+ReturnAfterAnalysis), so no static JDK
# libraries are needed. About 5 minutes on 2 cores, 7 GB of heap. Usage: scripts/native-analysis.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
here=scripts/native-analysis
work=$PWD/target/native-analysis
mkdir -p "$work/include"

# The builder's jars.
[ -d "$work/lib" ] || mvn -B -q -f $here/pom.xml dependency:copy-dependencies -DoutputDirectory="$work/lib"
# A copy of the JDK with the progress helper where the builder looks for it (java.home/lib/svm/builder/lib).
if [ ! -x "$work/jdk/bin/java" ]; then
    cp -a "$JAVA_HOME" "$work/jdk"
    mkdir -p "$work/jdk/lib/svm/builder/lib"
    gcc -shared -fPIC -O2 -I "$work/jdk/include" -I "$work/jdk/include/linux" \
        -o "$work/jdk/lib/svm/builder/lib/libreporterchelper.so" $here/reporterchelper.c
fi
# The headers of the builder's C queries.
cp $here/svm_locale.h "$JAVA_HOME/include/jni.h" "$JAVA_HOME/include/linux/jni_md.h" "$work/include/"
rm -rf "$work/classes" && mkdir -p "$work/classes"
(cd "$work/classes" && unzip -q "$work"/lib/svm-[0-9]*.jar 'com/oracle/svm/core/*/*LibCHelper*')
python3 $here/cpu_headers.py "$JAVA_HOME/bin/javap" "$work/classes" "$work/include"

# The application as Quarkus hands it to native-image.
mvn -B -q -DskipTests package -Dquarkus.native.enabled=true -Dquarkus.native.sources-only=true

# The builder: its modules on the module path, the JDK's internals it uses exported to it.
modules=$(ls "$work"/lib/*.jar | grep -v '/compiler-' | tr '\n' ':')
to=org.graalvm.nativeimage.builder,org.graalvm.nativeimage.base,org.graalvm.nativeimage.pointsto
to=$to,org.graalvm.nativeimage.objectfile,org.graalvm.nativeimage.configure,jdk.graal.compiler,ALL-UNNAMED
exports=()
for module in java.base jdk.internal.vm.ci jdk.unsupported jdk.management java.management jdk.jfr; do
    for package in $("$JAVA_HOME/bin/java" --describe-module $module | awk '$1 == "contains" {print $2} $1 == "qualified" {print $3}'); do
        exports+=("--add-exports=$module/$package=$to")
    done
done
cat > "$work/builder" <<BUILDER
#!/usr/bin/env bash
# shellcheck disable=SC2086
exec "$work/jdk/bin/java" -Xmx7g \$BUILDER_JVM_OPTIONS -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI \\
    -XX:-UseJVMCICompiler -Dorg.graalvm.version=25.0.2 "-Dorg.graalvm.vendorversion=GraalVM CE 25.0.2" \\
    -Dorg.graalvm.nativeimage.imagecode=buildtime \\
    -Djava.system.class.loader=com.oracle.svm.hosted.NativeImageSystemClassLoader \\
    ${exports[*]} --add-reads=org.graalvm.nativeimage.configure=jdk.internal.vm.ci \\
    --upgrade-module-path "$(ls "$work"/lib/compiler-*.jar)" --module-path "$modules" --add-modules ALL-MODULE-PATH \\
    -m org.graalvm.nativeimage.builder/com.oracle.svm.hosted.NativeImageGeneratorRunner "\$@" -H:CLibraryPath="$work"
BUILDER
chmod +x "$work/builder"
python3 $here/driver.py target/native-sources "$work/builder"
