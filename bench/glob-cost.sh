#!/usr/bin/env bash
# Per-decision cost of the glob automaton: the enforcer's file_open and exec programs at 10, 1,000 and 10,000
# matchPatterns of the automaton's kind (a `*` inside the path: no hashed form holds them) in one endpoint, from the
# kernel's own bpf_stats (run_time_ns / run_cnt), beside a program that decides nothing on the same hook
# (bench/empty.bpf.c) in the same run, over the same operations. Run inside a BPF-LSM guest, nothing else busy:
#   src/test/vm/vmrun --mem 2G --timeout 2400 -- bench/glob-cost.sh
# Each round starts the packaged agent (selfProtection off, so that bpftool may read its programs' counters) with
# one host policy of N file patterns /opt/bench/app-<i>/*/data-*.db and N program patterns /opt/bench/tool-<i>-*,
# none of which matches what is measured: 200 execs of /usr/bin/true; 2,000 opens each of a file outside /opt
# (the automaton gives up after a byte or two), of a deep one, and of a near miss that walks the automaton to its
# last byte (/opt/bench/app-7/x/data-1.dbx). The automaton's size per round comes from `bulwark compile`.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/kernel-cost.sh
mkdir -p "$work/d/a/b/c/d/e/f/g/h/i/j" /opt/bench/app-7/x
echo x > "$work/shallow"; echo x > "$work/d/a/b/c/d/e/f/g/h/i/j/deep"; echo x > /opt/bench/app-7/x/data-1.dbx
printf '| patterns per class | automaton states / kernel entries | decision | ns per decision | empty program, ns | ratio |\n'
printf '|---|---|---|---|---|---|\n'
for n in ${ROUNDS:-10 1000 10000}; do
    mkdir -p "$work/p$n"
    {
        host_policy globs-$n
        echo "  process:"
        rule_list matchPatterns "$n" "pattern: /opt/bench/tool-@-*"
        echo "  file:"
        rule_list matchPatterns "$n" "pattern: /opt/bench/app-@/*/data-*.db"
    } > "$work/p$n/policy.yaml"
    "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar $jar compile --max-glob-states=1000000 "$work/p$n/policy.yaml" > "$work/compiled-$n.json" \
        2> "$work/compile-$n.err" || { tail -20 "$work/compile-$n.err" >&2; exit 1; }
    size=$($python -c 'import json, sys; a = json.load(open(sys.argv[1])).get("automaton", {})
print("%s / %s" % (a.get("states"), a.get("kernelEntries")))' "$work/compiled-$n.json")
    start_agent "$work/p$n" "$work/agent-$n.log" -maxGlobStates=1000000
    echo "| $n | $size | exec (/usr/bin/true) | $(measure bulwark_bprm_check empty_bprm_check "$EXECS") |"
    for target in "$work/shallow" "$work/d/a/b/c/d/e/f/g/h/i/j/deep" /opt/bench/app-7/x/data-1.dbx; do
        label="$(echo "$target" | tr -cd / | wc -c) deep"
        [ "$target" = /opt/bench/app-7/x/data-1.dbx ] && label="near miss $target"
        echo "| $n | $size | file_open, $label | $(measure bulwark_file_open empty_file_open "$OPENS" "$target") |"
    done
    kill $agent; wait $agent || true
    rm -rf /sys/fs/bpf/bulwark
done
exec 3>&-
