/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every struct shared by the BPF programs and the Java side, declared once. The Java layouts
 * (dev.bulwark.bpf.KernelLayout) are pinned to these offsets by KernelLayoutTest.
 */
#ifndef BULWARK_H
#define BULWARK_H

/* Longest path the enforcer assembles; anything longer is handled fail-closed. */
#define BULWARK_PATH_MAX 4096
/* Bytes of a path copied into an event (the rest is cut, the rule id still names the rule). */
#define BULWARK_EVENT_PATH 256

enum bulwark_class {
	BW_CLASS_PROCESS = 0,
	BW_CLASS_FILE = 1,
	BW_CLASS_NETWORK = 2,
	BW_CLASS_CAPABILITIES = 3,
	BW_CLASS_DNS = 4,
	BW_CLASS_COUNT = 5,
};

/* How a key's target is compared: the same order as dev.bulwark.compile.RuleSet.Match. */
enum bulwark_match {
	BW_MATCH_PATH = 0,
	BW_MATCH_EXEC_NAME = 1,
	BW_MATCH_DIRECTORY = 2,
	BW_MATCH_DIRECTORY_RECURSIVE = 3,
	BW_MATCH_GLOB = 4,
	BW_MATCH_PROTOCOL = 5,
	BW_MATCH_CAPABILITY = 6,
	BW_MATCH_DOMAIN = 7,
	BW_MATCH_ARGS = 8, /* an exec's program with its exact arguments (allowedArgs) */
	BW_MATCH_GLOB_RECURSIVE = 9,
	BW_MATCH_ANCESTOR = 10, /* a directory with protected paths below it: renaming or removing it is a write */
};

/*
 * Key targets and sources are SipHash-2-4 hashes (siphash.h) under the secret in hash_key, which the agent
 * draws at load: nobody outside can make a path whose hash meets a rule's.
 *
 * Globs: BW_MATCH_GLOB is a file with an extension right in a directory, BW_MATCH_GLOB_RECURSIVE one anywhere
 * under it (patterns "dir/ *.ext" and "dir/ ** / *.ext", without the spaces); the target is
 * (hash of "/dir/") ^ (hash of ".ext" * BW_MIX).
 *
 * A DNS key's target is the hash of the domain written backwards ("moc.elgoog"), so that one pass from the
 * end of a queried name meets the hash of every parent domain at a dot.
 *
 * The targets of network and capability keys are numbers, not hashes: a socket's protocol (BW_NET_PROTOCOL +
 * IPPROTO_*), its type (BW_NET_TYPE + SOCK_*), any socket (BW_NET_ALL); a capability's number (CAP_*).
 */
#define BW_NET_PROTOCOL 0x100
#define BW_NET_TYPE 0x200
#define BW_NET_ALL 0x300

/* What two hashes are mixed with into one target (glob, allowedArgs): FNV-1a's 64-bit prime. */
#define BW_MIX 0x100000001b3ULL

/* The per-boot secret of the key hashes. */
struct hash_key {
	__u64 k0;
	__u64 k1;
};

/* allowedArgs: at most this many arguments of at most this many bytes each; longer ones never match. */
#define BULWARK_MAX_ARGS 20
#define BULWARK_ARG_MAX 256

/*
 * The arguments an exec was called with (argv[1..]), kept per thread from the system call's entry to its exit,
 * for the LSM decision (and compared with the arguments the kernel copied, once the exec is committed): the key hash of each argument and its terminating NUL, one after the other. A BW_MATCH_ARGS key's
 * target is (target hash of the program's path or name) ^ (args hash * BW_MIX).
 */
struct exec_args {
	__u64 hash;
	__u32 count;
	__u32 too_long; /* an argument longer than BULWARK_ARG_MAX, or more than BULWARK_MAX_ARGS */
};

/* Which endpoint a task belongs to: its pid and mount namespace inodes; the host is (0, 0). */
struct endpoint_key {
	__u32 pid_ns;
	__u32 mnt_ns;
};

/* One key of an endpoint's rule map: FNV-1a 64 hashes of the target and of the source ("" = any). */
struct rule_key {
	__u64 target;
	__u64 source;
	__u32 rule_class;
	__u32 match;
};

/*
 * The facts of an operation that readOnly, ownerOnly and pts test, as the index of its context: whether it
 * writes, whether the acting user owns the file (for a file being created: its directory), whether the process
 * has a controlling terminal. The compiler resolves every rule's conditions into the contexts it holds in.
 */
#define BW_CTX_WRITE 1
#define BW_CTX_OWNER 2
#define BW_CTX_TTY 4
#define BW_CONTEXTS 8

/* An Allow that holds only for the exec's exact arguments (allowedArgs): the exec's BW_MATCH_ARGS key decides. */
#define BW_RULE_ARGS 0x80000000U
/*
 * A Block of selfProtection's own host policy: it holds only while the agent lives (its lease), so that an agent
 * that is gone leaves its policy directory and pins writable, though its other rules stay in force.
 */
#define BW_RULE_SELF 0x40000000U
#define BW_RULE_FLAGS (BW_RULE_ARGS | BW_RULE_SELF)

/* Per action and context, the rule that holds on this key (0 = none). */
struct rule_value {
	__u32 allow[BW_CONTEXTS];
	__u32 audit[BW_CONTEXTS];
	__u32 block[BW_CONTEXTS];
};

/*
 * An endpoint's glob automaton: the matchPatterns that no hashed key can hold, all compiled into one DFA over a
 * path's bytes, walked once per decision (its cost follows the path, never the number of patterns). Its map has
 * u32 keys (state << BW_GLOB_SHIFT | what) and u32 values; what is
 *   a byte (0..255): the next state on that byte;  BW_GLOB_OTHER: on a byte without a key of its own;
 *   BW_GLOB_RULES + action * BW_CONTEXTS + context (action: allow, audit, block, as in rule_value): the rule an
 *   accepting state holds there;  BW_GLOB_ANCESTOR: the Block rule of a path below, when the state follows a
 *   directory's "name/" that the match depends on (renaming or removing that directory is a write).
 * No next state is state 0: dead, nothing can match any more. Each class starts at BW_GLOB_START + class.
 */
#define BW_GLOB_SHIFT 9
#define BW_GLOB_OTHER 256
#define BW_GLOB_RULES 264
#define BW_GLOB_ANCESTOR 288
#define BW_GLOB_START 1
#define BW_GLOB_MAX_STATE ((1U << (32 - BW_GLOB_SHIFT)) - 1)

/* The glob map's key (state << BW_GLOB_SHIFT | what) and value (a state or a rule id). */
typedef __u32 glob_key;
typedef __u32 glob_value;

/* KubeArmor's presets, as the slots of endpoint_modes. */
enum bulwark_preset {
	BW_PRESET_FILELESS_EXEC = 0,   /* exec of a memfd or of a file in /dev/shm, /run/shm */
	BW_PRESET_ANON_MAP_EXEC = 1,   /* executable anonymous memory from mmap */
	BW_PRESET_PROTECT_ENV = 2,     /* another process's /proc/<pid>/environ */
	BW_PRESET_PROTECT_PROC = 3,    /* any file of another process's /proc/<pid>/ */
	BW_PRESET_EXEC = 4,            /* an exec on a terminal in a session entered from outside (kubectl exec -it) */
	BW_PRESET_COUNT = 5,
};

/*
 * Per endpoint and class: whitelist mode (1), the posture for what no Allow covers (1 = block), whether any
 * Block rule exists (1): a path the enforcer cannot assemble is then denied (fail closed), and whether any key
 * names a source (1: the second lookup per key is worth making). Per preset: the rule id of its Block and of
 * its Audit (0 = none). guard_rule: the rule whose promise the mount guard keeps (0 = no guard): while it is
 * set, the endpoint's processes may not mount, move mounts, pivot_root or chroot (on the host: those that are
 * not root), which would give its files other names.
 */
struct endpoint_modes {
	__u8 whitelist[BW_CLASS_COUNT];
	__u8 posture_block[BW_CLASS_COUNT];
	__u8 has_block[BW_CLASS_COUNT];
	__u8 has_source[BW_CLASS_COUNT];
	__u32 guard_rule;
	__u32 preset_block[BW_PRESET_COUNT];
	__u32 preset_audit[BW_PRESET_COUNT];
};

/*
 * A pid namespace's endpoint, for tasks in namespaces no runtime registered (unshare, clone flags): they stay
 * governed by the container whose pid namespace they live in or descend from. ambiguous: the namespace is
 * shared by several registered endpoints (a pod sharing its process namespace); the task's inherited identity
 * decides instead.
 */
struct pidns_owner {
	struct endpoint_key ep;
	__u32 ambiguous;
	__u32 pad;
};

/* The task storage of the enforcer: what a task inherits at fork and carries across namespaces. */
enum bulwark_task_state {
	BW_TASK_KNOWN = 1,          /* ep holds the endpoint the task was last governed by */
	BW_TASK_LOADER_PENDING = 2, /* the exec under way runs a program that loads its own program (ld.so run directly) */
	BW_TASK_LOADER = 4,         /* the running program is such a loader: its first executable mapping is the program */
	BW_TASK_ARGS_PENDING = 8,   /* the exec under way is allowed by its recorded arguments: compared once copied */
};

struct task_identity {
	struct endpoint_key ep;
	__u32 state;
	__u32 pad;
	__u64 program;     /* key hash of the program a loader loaded: the source of the task's operations (0: none) */
	__u64 exec_source; /* key hash of the program that exec'd the loader: the source the loaded program is judged with */
	__u64 exe;         /* the executable file source_hash was taken of (its address; 0: none yet) */
	__u64 source_hash; /* key hash of that executable's path: decisions need not walk it again until it changes */
	__u64 args_hash;   /* BW_TASK_ARGS_PENDING: the recorded arguments an Allow held with, to compare once copied */
	__u32 exec_argc;   /* the exec's argc as called (before interpreters were put in front) */
	__u32 pad2;
};

enum bulwark_decision {
	BW_DECISION_BLOCKED = 1,        /* a Block rule matched: denied */
	BW_DECISION_AUDITED = 2,        /* an Audit rule matched: allowed, reported */
	BW_DECISION_POSTURE_BLOCKED = 3, /* whitelist mode, nothing allowed it, posture block: denied */
	BW_DECISION_POSTURE_AUDITED = 4, /* whitelist mode, nothing allowed it, posture audit: reported */
	BW_DECISION_THRESHOLD = 5,   /* the endpoint passed max_alerts_per_sec: alerts pause, enforcement does not */
	BW_DECISION_GUARDED = 6,     /* a mount, chroot or pivot_root would give the endpoint's files other names: denied */
	BW_DECISION_SELF = 7,        /* selfProtection: the agent's BPF objects, signals or ptrace by another process: denied */
};

/*
 * The agent, for selfProtection: written by the agent when it starts, its lease renewed every second. Only this
 * process may use the enforcer's BPF objects, signal or ptrace the agent; an agent that died (its lease ran out)
 * is protected no longer, so that its successor can take the pinned objects over.
 */
struct self_identity {
	__u32 tgid;           /* the agent's process id, as the initial pid namespace numbers it */
	__u32 enabled;        /* selfProtection */
	__u64 start_ticks;    /* its start, in USER_HZ ticks since boot (/proc/<pid>/stat field 22) */
	__u64 lease_until_ns; /* CLOCK_MONOTONIC (System.nanoTime, bpf_ktime_get_ns): protection holds until then */
};

/* protected_objects keys: the kind of a BPF object in the upper 32 bits, its id in the lower. */
enum bulwark_object {
	BW_OBJECT_MAP = 1,
	BW_OBJECT_PROG = 2,
	BW_OBJECT_LINK = 3,
};

/* Why a path could not be judged by name (event.path_truncated): denied where a Block or block posture applies. */
enum bulwark_unnamed {
	BW_UNNAMED_TOO_LONG = 1,     /* longer or deeper than BULWARK_PATH_MAX */
	BW_UNNAMED_DISCONNECTED = 2, /* a dentry without a way up to its mount's root (open_by_handle_at) */
	BW_UNNAMED_DETACHED = 3,     /* in a mount tree attached to no namespace (open_tree, fsmount, lazy umount) */
	/* DNS: a query that cannot be judged by its name, denied where a Block or block posture applies */
	BW_UNNAMED_NOT_READABLE = 4, /* not in the sender's memory (sendfile, splice) or not readable */
	BW_UNNAMED_MALFORMED = 5,    /* not one whole message of one question with a plain name */
	BW_UNNAMED_HANDMADE = 6,     /* IP_HDRINCL: packets built by hand */
};

/* Alert throttling, set by user space (maxAlertPerSec, throttleSec); max_alerts_per_sec 0 = off. */
struct throttle_config {
	__u32 max_alerts_per_sec;
	__u32 pad;
	__u64 throttle_ns;
};

/*
 * Alerts have two budgets per endpoint, so that noise cannot hide what a policy's rule matched: BW_BUDGET_POLICY
 * for decisions a rule made, BW_BUDGET_POSTURE for the posture's (and fail-closed ones). A BW_DECISION_THRESHOLD
 * event's rule is the budget that ran out.
 */
enum bulwark_budget {
	BW_BUDGET_POLICY = 0,
	BW_BUDGET_POSTURE = 1,
};

/* One budget: the current one-second window and, when throttled, until when its alerts pause. */
struct throttle_window {
	__u64 window_start_ns;
	__u64 silent_until_ns;
	__u32 count;
	__u32 pad;
};

/* Per endpoint, both budgets. */
struct throttle_state {
	struct throttle_window policy;
	struct throttle_window posture;
};

/* Alerts a budget held back, per endpoint and rule (0: the posture's), counted for user space to read. */
struct suppressed_key {
	struct endpoint_key ep;
	__u32 rule;
	__u32 pad;
};

/* The LSM hook that decided; alerts show it as Data "lsm=SECURITY_...". */
enum bulwark_hook {
	BW_HOOK_BPRM_CHECK = 1,
	BW_HOOK_FILE_OPEN = 2,
	BW_HOOK_FILE_PERMISSION = 3,
	BW_HOOK_PATH_UNLINK = 4,
	BW_HOOK_PATH_MKDIR = 5,
	BW_HOOK_PATH_RMDIR = 6,
	BW_HOOK_PATH_RENAME = 7,
	BW_HOOK_PATH_CHMOD = 8,
	BW_HOOK_PATH_TRUNCATE = 9,
	BW_HOOK_PATH_SYMLINK = 10,
	BW_HOOK_PATH_LINK = 11,
	BW_HOOK_PATH_MKNOD = 12,
	BW_HOOK_SOCKET_CREATE = 13,
	BW_HOOK_SOCKET_CONNECT = 14,
	BW_HOOK_SOCKET_ACCEPT = 15,
	BW_HOOK_CAPABLE = 16,
	BW_HOOK_MMAP_FILE = 17,
	BW_HOOK_SOCKET_SENDMSG = 18,
	BW_HOOK_PATH_CHOWN = 19,
	BW_HOOK_INODE_SETATTR = 20,
	BW_HOOK_INODE_SETXATTR = 21,
	BW_HOOK_INODE_REMOVEXATTR = 22,
	BW_HOOK_FILE_TRUNCATE = 23,
	BW_HOOK_FILE_MPROTECT = 24,
	BW_HOOK_SB_MOUNT = 25,
	BW_HOOK_MOVE_MOUNT = 26,
	BW_HOOK_SB_PIVOTROOT = 27,
	BW_HOOK_PATH_CHROOT = 28,
	BW_HOOK_INODE_SET_ACL = 29,
	BW_HOOK_INODE_REMOVE_ACL = 30,
	BW_HOOK_SOCKET_RECVMSG = 31,
	BW_HOOK_SOCKET_SETSOCKOPT = 32,
	BW_HOOK_INODE_FOLLOW_LINK = 33,
	BW_HOOK_INODE_READLINK = 34,
	BW_HOOK_BPRM_COMMITTED_CREDS = 35,
	BW_HOOK_BPF = 36,
	BW_HOOK_BPF_MAP = 37,
	BW_HOOK_BPF_PROG = 38,
	BW_HOOK_TASK_KILL = 39,
	BW_HOOK_PTRACE_ACCESS_CHECK = 40,
};

/* What a network, capability or memory decision was about (zero where it does not apply). */
struct subject {
	__u32 family;     /* the socket's address family (AF_INET...) */
	__u32 sock_type;  /* its type (SOCK_STREAM...) */
	__u32 protocol;   /* its protocol (IPPROTO_TCP...) */
	__u32 capability; /* the capability asked for (CAP_NET_RAW = 13) */
	__u32 prot;       /* mmap: the protection asked for (PROT_EXEC...) */
	__u32 map_flags;  /* mmap: its flags (MAP_ANONYMOUS...) */
};

/* What the ring buffer carries for every decision worth reporting. */
struct event {
	__u64 timestamp;
	__u32 pid;     /* host thread id */
	__u32 tgid;    /* host process id */
	__u32 ppid;    /* host parent process id */
	__u32 uid;
	__u32 ns_tgid; /* process id in its own pid namespace (as the container sees it) */
	__u32 ns_ppid; /* parent process id in that namespace (0 when the parent is outside it) */
	__u32 pid_ns;
	__u32 mnt_ns;
	__u32 rule;
	__u8 hook;
	__u8 rule_class;
	__u8 decision;
	__u8 path_truncated; /* enum bulwark_unnamed: why the path could not be judged by name (0: it was) */
	__s32 retval;
	struct subject subject;
	char comm[16];
	char path[BULWARK_EVENT_PATH];
	char source[BULWARK_EVENT_PATH];
	char parent[BULWARK_EVENT_PATH]; /* the parent process's executable */
	__u32 pad; /* explicit, so that both sides agree on the 8-byte aligned size */
};

/* ---- The system monitor (monitor.bpf.c) ---- */

/* Bytes of the argument vector an exec event carries (NUL-separated, cut at the end). */
#define BULWARK_MONITOR_ARGV 512
/* Bytes of raw data an event carries: a socket address, a file system type, the start of a DNS query. */
#define BULWARK_MONITOR_DATA 128

enum bulwark_monitor_kind {
	BW_MONITOR_EXEC = 1,    /* a process runs a new program (sched_process_exec) */
	BW_MONITOR_FORK = 2,    /* a new process (sched_process_fork; args[0] = child pid, args[1] = its start) */
	BW_MONITOR_EXIT = 3,    /* a process ended (sched_process_exit of its last thread) */
	BW_MONITOR_SYSCALL = 4, /* a watched system call returned */
};

/* Endpoint scopes, for the visibility defaults and the drop counters. */
enum bulwark_scope {
	BW_SCOPE_HOST = 0,
	BW_SCOPE_CONTAINER = 1,
	BW_SCOPE_COUNT = 2,
};

/*
 * Which classes (bit 1 << bulwark_class) the monitor reports, for endpoints without their own entry in the
 * visibility map: the host's and any container's.
 */
struct monitor_config {
	__u32 host_classes;
	__u32 container_classes;
};

/* One endpoint's own visibility (bits 1 << bulwark_class). */
struct visibility {
	__u32 classes;
	__u32 pad;
};

/* A watched system call between its entry and its exit, per thread. */
struct pending_syscall {
	__u64 args[6];
	__s32 syscall;
	__u32 pad;
};

/* What the monitor's ring buffer carries. Strings are NUL-terminated and cut at their size. */
struct monitor_event {
	__u64 timestamp;  /* boot clock, ns */
	__u64 start_time; /* the process's start (boot clock, ns): with tgid, names one process for good */
	__u32 pid;        /* host thread id */
	__u32 tgid;       /* host process id */
	__u32 ppid;       /* host parent process id */
	__u32 uid;
	__u32 ns_tgid;    /* process id in its own pid namespace */
	__u32 ns_ppid;    /* parent process id in that namespace (0 when the parent is outside it) */
	__u32 pid_ns;
	__u32 mnt_ns;
	__u32 kind;       /* enum bulwark_monitor_kind */
	__s32 syscall;    /* x86_64 system call number; exec: that of the exec call */
	__s64 retval;
	__u64 args[6];    /* the call's integer arguments */
	__u8 visible;     /* exec, fork, exit: whether the process class is visible (the tree needs them anyway) */
	__u8 argc;        /* arguments in argv (exec) */
	__u16 argv_len;   /* bytes used in argv */
	__u32 pad;
	char comm[16];
	char tty[16];     /* the controlling terminal's name ("" = none) */
	char path[BULWARK_EVENT_PATH];  /* the path argument; exec: the program's absolute path */
	char path2[BULWARK_EVENT_PATH]; /* a second path (mount target) */
	char cwd[BULWARK_EVENT_PATH];   /* the working directory, sent with exec events and relative paths */
	__u8 data[BULWARK_MONITOR_DATA];
	char argv[BULWARK_MONITOR_ARGV];
};

#endif
