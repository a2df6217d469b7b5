#!/usr/bin/env bash
# grpc-tls.sh DIR NAME [NAME...]
#
# Makes what the agent's gRPC port (32767) needs to speak TLS as `karmor --secure` and the relay expect: a CA
# (DIR/ca.crt, which the clients are given), the agent's certificate for every NAME the clients dial (DNS names
# and IP addresses, all in subjectAltName: DIR/server.crt, DIR/server.key), a client certificate signed by the
# same CA (DIR/client.crt, DIR/client.key, for policyServiceClientCertificate) and a PKCS#12 trust store of the
# CA for the server's side of client authentication (DIR/clients.p12, password changeit).
# docs/grpc-tls.md shows the configuration; PolicyServiceTlsTest runs this very script.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: grpc-tls.sh DIR NAME [NAME...]" >&2; exit 2; }
dir=$1; shift
mkdir -p "$dir"
cd "$dir"
san=""
for name in "$@"; do
    if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then san+="${san:+,}IP:$name"; else san+="${san:+,}DNS:$name"; fi
done
keytool=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/keytool
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=bulwark-grpc-ca -keyout ca.key -out ca.crt 2>/dev/null
sign() { # name common-name extension
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$1.key" -out "$1.csr" ${3:+-addext "$3"} 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -copy_extensions copy \
        -out "$1.crt" 2>/dev/null
    rm -f "$1.csr"
}
sign server "$1" "subjectAltName=$san"
sign client karmor ""
rm -f clients.p12
"$keytool" -importcert -noprompt -alias ca -file ca.crt -keystore clients.p12 -storetype PKCS12 \
    -storepass changeit >/dev/null
echo "made $dir/{ca.crt,server.crt,server.key,client.crt,client.key,clients.p12} for $san"
