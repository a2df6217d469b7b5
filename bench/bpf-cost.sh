#!/usr/bin/env bash
# Per-decision cost of the enforcer's exec, file_open, socket_post_create, socket_sendmsg and capable programs at 10,
# 1,000 and 10,000 rules of their class in one endpoint, from the kernel's own bpf_stats (run_time_ns /
# run_cnt), beside a program that decides nothing on the same hook (bench/empty.bpf.c), attached in the same run
# and counted over the same operations: the ratio is what the enforcer adds over BPF-LSM's own floor. Run inside
# a BPF-LSM guest, with nothing else busy on the machine (the guest is emulated: contention shows):
#   src/test/vm/vmrun --mem 2G --timeout 2400 -- bench/bpf-cost.sh
# (BULWARK_TEST_CLASSPATH, given through `env`, spares the guest a Maven run: its JDK 17 has crashed under TCG.)
# Each round starts the packaged agent (without selfProtection, so that bpftool may read its programs' counters)
# with one host policy of N process rules, N file rules, N network rules
# (tcp, each from its own program), N DNS rules (likewise) and N capability rules (net_raw, likewise), none of
# which matches what is measured: 200 execs of /usr/bin/true, files of three path depths opened 2,000 times
# each, 2,000 UDP sockets, 2,000 DNS queries sent to 127.0.0.1:53, 2,000 raw sockets (one CAP_NET_RAW check
# each).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/kernel-cost.sh
mkdir -p "$work/d/a/b/c/d/e/f/g/h/i/j"
echo x > "$work/shallow"; echo x > "$work/d/a/b/c/mid"; echo x > "$work/d/a/b/c/d/e/f/g/h/i/j/deep"
printf '| rules per class | decision | ns per decision | empty program, ns | ratio |\n|---|---|---|---|---|\n'
for n in 10 1000 10000; do
    mkdir -p "$work/p$n"
    {
        host_policy bench-$n
        echo "  process:"
        rule_list matchPaths "$n" "path: /opt/bench/program-@"
        echo "  file:"
        rule_list matchPaths "$n" "path: /opt/bench/file-@"
        echo "  network:"
        rule_list matchProtocols "$n" "{protocol: tcp, fromSource: [{path: /opt/bench/src-@}]}"
        rule_list matchDNSQueries "$n" "{domain: host-@.example.org, fromSource: [{path: /opt/bench/src-@}]}"
        echo "  capabilities:"
        rule_list matchCapabilities "$n" "{capability: net_raw, fromSource: [{path: /opt/bench/src-@}]}"
    } > "$work/p$n/policy.yaml"
    start_agent "$work/p$n" "$work/agent-$n.log" -maxRulesPerEndpoint=100000
    echo "| $n | exec (/usr/bin/true) | $(measure bulwark_bprm_check empty_bprm_check "$EXECS") |"
    for target in shallow d/a/b/c/mid d/a/b/c/d/e/f/g/h/i/j/deep; do
        depth=$(echo "$work/$target" | tr -cd / | wc -c)
        # One process opening the file 2,000 times: the decisions measured are these opens.
        echo "| $n | file_open, path depth $depth | $(measure bulwark_file_open empty_file_open "$OPENS" "$work/$target") |"
    done
    echo "| $n | socket_post_create (UDP) | $(measure bulwark_socket_post_create empty_socket_post_create "
import socket
for _ in range(2000):
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()") |"
    echo "| $n | socket_sendmsg (DNS query for www.google.com) | $(measure bulwark_socket_sendmsg empty_socket_sendmsg "
import socket
query = bytes.fromhex('123401000001000000000000') + b'\\x03www\\x06google\\x03com\\x00\\x00\\x01\\x00\\x01'
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(2000):
    s.sendto(query, ('127.0.0.1', 53))") |"
    echo "| $n | capable (CAP_NET_RAW) | $(measure bulwark_capable empty_capable "
import socket
for _ in range(2000):
    socket.socket(socket.AF_INET, socket.SOCK_RAW, 1).close()") |"
    kill $agent; wait $agent || true
    rm -rf /sys/fs/bpf/bulwark
done
exec 3>&-
