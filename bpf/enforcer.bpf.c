// SPDX-License-Identifier: GPL-2.0
/*
 * Bulwark's BPF-LSM enforcer: exec, file, socket and capability decisions per endpoint.
 *
 * Every endpoint (host or container, told apart by pid and mount namespace) has its own rule map, held in
 * an outer hash-of-maps. A task in namespaces no runtime registered stays governed by the endpoint it came
 * from. A path is hashed once, byte by byte, with a keyed hash, and every directory prefix met on the way is
 * looked up, so the cost of a decision grows with the path's length and depth, never with the number of
 * rules. Every rule that applies is taken into account (a Block anywhere denies), and events carry the rule
 * id, so user space never matches again.
 *
 * The code is in enforcer/, one part per concern (the maps, the path walk, reporting, deciding, presets, and
 * the hooks by what they guard), included below in order.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bulwark.h"
#include "siphash.h"
#include "task.h"

#define EPERM 1
#define EACCES 13
#define FMODE_WRITE 0x2
#define FMODE_NOACCOUNT 0x20000000 /* a file the kernel opened for itself (overlayfs' backing files): 6.1 and 6.12 */
#define FMODE_BACKING 0x2000000    /* from 6.6: a backing file, whose f_path is the real one, not the user's */
#define S_IFMT 00170000
#define S_IFDIR 0040000

char LICENSE[] SEC("license") = "GPL";

#include "enforcer/state.h"
#include "enforcer/governing.h"
#include "enforcer/lookup.h"
#include "enforcer/report.h"
#include "enforcer/decide.h"
#include "enforcer/presets.h"
#include "enforcer/tasks.h"
#include "enforcer/programs.h"
#include "enforcer/files.h"
#include "enforcer/mounts.h"
#include "enforcer/sockets.h"
#include "enforcer/dns.h"
#include "enforcer/args.h"
#include "enforcer/sessions.h"
#include "enforcer/self.h"
