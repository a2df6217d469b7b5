#!/usr/bin/env bash
# Regenerates the libbpf bindings with jextract (https://jdk.java.net/jextract/), which this project's
# machines cannot install; the committed classes under src/main/java/dev/bulwark/bpf/libbpf follow its
# output's shape, written by hand, and are the only code that touches Linker and SymbolLookup.
# Differences from raw jextract output: functions that report failure through errno take a captured-state
# segment first (Linker.Option.captureCallState("errno")).
set -euo pipefail
cd "$(dirname "$0")"
jextract --target-package dev.bulwark.bpf.libbpf --header-class-name Libbpf \
    --library libbpf.so.1 @symbols.txt \
    --output ../src/main/java libbpf.h
