/* The libbpf API Bulwark binds, as jextract would read it: the headers of Debian's libbpf-dev 1.1. */
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
