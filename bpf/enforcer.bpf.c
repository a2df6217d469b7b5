// SPDX-License-Identifier: GPL-2.0
/*
 * Bulwark's BPF-LSM enforcer: exec, file, socket and capability decisions per endpoint.
 *
 * Every endpoint (host or container, told apart by pid and mount namespace) has its own rule map, held in
 * an outer hash-of-maps. A path is hashed once, byte by byte, and every directory prefix met on the way is
 * looked up, so the cost of a decision grows with the path's length and depth, never with the number of
 * rules. Events carry the rule id, so user space never matches again.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bulwark.h"
#include "task.h"

#define EPERM 1
#define EACCES 13
#define FMODE_WRITE 0x2
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

char LICENSE[] SEC("license") = "GPL";

/* The shape of every endpoint's rule map; user space creates one per endpoint. */
struct rules_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rule_key);
	__type(value, struct rule_value);
} rules_template SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4096);
	__type(key, struct endpoint_key);
	__array(values, struct rules_map);
} endpoint_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct endpoint_key);
	__type(value, struct endpoint_modes);
} endpoint_modes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct throttle_config);
} throttle_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct endpoint_key);
	__type(value, struct throttle_state);
} throttle_state SEC(".maps");

/* The arguments of the exec each thread is in the middle of (allowedArgs). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct exec_args);
} exec_args SEC(".maps");

/*
 * Processes that entered a pid namespace they do not live in through setns (kubectl exec, nsenter), and their
 * descendants: the exec preset's sessions.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} entered SEC(".maps");

/* Events that found the ring buffer full: counted, never lost silently. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost_events SEC(".maps");

/* Where decoding a DNS name stands (see dns_name_byte). */
struct dns_name {
	__u32 in;         /* next byte of the message */
	__u32 out;        /* next byte of the name */
	__u32 label_left; /* bytes left in the current label; 0: a length byte comes next */
	int done;         /* 1: complete; -1: malformed or compressed */
};

/*
 * Scratch space (too big for the 512-byte stack): the two paths of a decision, and the buffer a path is
 * assembled in, right to left, with room for one more name past its end for the verifier's sake (a DNS
 * message is copied there too).
 */
struct scratch {
	char path[BULWARK_PATH_MAX];
	char source[BULWARK_PATH_MAX];
	char parent[BULWARK_PATH_MAX];
	char assemble[BULWARK_PATH_MAX + 256];
	struct dns_name dns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_space SEC(".maps");

/* The best match of each action found so far while walking a path. */
struct walk {
	void *rules;
	const char *path;
	__u64 hash;      /* the path so far */
	__u64 dir_hash;  /* the path up to and including its last slash */
	__u64 name_hash; /* the part after the last slash */
	__u64 ext_hash;  /* the extension of the last part, its dot included (see extension_byte) */
	__u64 source;
	__u32 rule_class;
	struct rule_slot allow, audit, block;
	int done;
};

static __always_inline void take(struct walk *w, struct rule_value *value)
{
	if (!value)
		return;
	if (value->block.rule && !w->block.rule)
		w->block = value->block;
	if (value->audit.rule && !w->audit.rule)
		w->audit = value->audit;
	if (value->allow.rule && !w->allow.rule)
		w->allow = value->allow;
}

/* Looks a target up for any source and for the acting executable. */
static __always_inline void lookup(struct walk *w, __u64 target, __u32 match)
{
	struct rule_key key = {.target = target, .source = 0, .rule_class = w->rule_class, .match = match};

	take(w, bpf_map_lookup_elem(w->rules, &key));
	if (w->source) {
		key.source = w->source;
		take(w, bpf_map_lookup_elem(w->rules, &key));
	}
}

/* One byte of the path: extend the hash; at a slash the prefix so far is a directory with rules. */
static long walk_byte(__u32 i, struct walk *w)
{
	char c;

	if (i >= BULWARK_PATH_MAX)
		return 1;
	c = w->path[i];
	if (c == 0)
		return 1;
	w->hash = (w->hash ^ (__u8)c) * FNV_PRIME;
	if (c == '/') {
		lookup(w, w->hash, BW_MATCH_DIRECTORY_RECURSIVE);
		lookup(w, w->hash ^ (w->ext_hash * FNV_PRIME), BW_MATCH_GLOB_RECURSIVE);
		w->dir_hash = w->hash;
		w->name_hash = FNV_OFFSET;
	} else {
		w->name_hash = (w->name_hash ^ (__u8)c) * FNV_PRIME;
	}
	return 0;
}

/*
 * A first pass over the path for globs: the hash of the last part's extension (".pem"), from its last dot. A
 * slash starts over from a value no extension hashes to, so a last part without a dot matches no extension.
 */
static long extension_byte(__u32 i, struct walk *w)
{
	char c;

	if (i >= BULWARK_PATH_MAX)
		return 1;
	c = w->path[i];
	if (c == 0)
		return 1;
	if (c == '/')
		w->ext_hash = 0;
	else if (c == '.')
		w->ext_hash = (FNV_OFFSET ^ (__u8)'.') * FNV_PRIME;
	else
		w->ext_hash = (w->ext_hash ^ (__u8)c) * FNV_PRIME;
	return 0;
}

/* FNV-1a 64 of a NUL-terminated string: the hash user space computes for rule targets and sources. */
static __always_inline __u64 hash_string(const char *s)
{
	__u64 hash = FNV_OFFSET;

	for (int i = 0; i < BULWARK_PATH_MAX; i++) {
		char c = s[i & (BULWARK_PATH_MAX - 1)];
		if (c == 0)
			break;
		hash = (hash ^ (__u8)c) * FNV_PRIME;
	}
	return hash;
}

/*
 * Whether this endpoint may report one more alert: at most max_alerts_per_sec per second, then silence for
 * throttle_ns, announced by one BW_DECISION_THRESHOLD event (returned as 2). Decisions are never affected.
 */
static __always_inline int may_report(struct endpoint_key *ep)
{
	__u32 zero = 0;
	struct throttle_config *config = bpf_map_lookup_elem(&throttle_config, &zero);
	struct throttle_state *state;
	__u64 now = bpf_ktime_get_boot_ns();

	if (!config || !config->max_alerts_per_sec)
		return 1;
	state = bpf_map_lookup_elem(&throttle_state, ep);
	if (!state) {
		struct throttle_state fresh = {.window_start_ns = now, .count = 1};
		bpf_map_update_elem(&throttle_state, ep, &fresh, BPF_ANY);
		return 1;
	}
	if (state->silent_until_ns > now)
		return 0;
	if (now - state->window_start_ns >= 1000000000ULL) {
		state->window_start_ns = now;
		state->count = 0;
	}
	/* Not atomic: racing CPUs may let a few more through in a burst, never fewer. */
	if (state->count++ < config->max_alerts_per_sec)
		return 1;
	state->silent_until_ns = now + config->throttle_ns;
	return 2;
}

/*
 * Sends one event. The parent's executable is assembled here, only for events, in the scratch space.
 */
static __always_inline void report(struct task_struct *task, struct endpoint_key *ep, __u8 hook, __u32 rule_class,
				   __u8 decision, __u32 rule, int retval, const char *path, const char *source,
				   int truncated, struct scratch *scratch, const struct subject *subject)
{
	int allowed = may_report(ep);
	struct event *e;

	if (!allowed)
		return;
	if (allowed == 2) {
		decision = BW_DECISION_THRESHOLD;
		rule = 0;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__u32 zero = 0;
		__u64 *lost = bpf_map_lookup_elem(&lost_events, &zero);
		if (lost)
			__sync_fetch_and_add(lost, 1);
		return;
	}
	e->timestamp = bpf_ktime_get_boot_ns();
	e->pid = BPF_CORE_READ(task, pid);
	e->tgid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = bpf_get_current_uid_gid() & 0xffffffff;
	unsigned int level = BPF_CORE_READ(task, thread_pid, level);
	e->ns_tgid = ns_pid(task, level);
	e->ns_ppid = ns_pid(BPF_CORE_READ(task, real_parent), level);
	e->pid_ns = ep->pid_ns;
	e->mnt_ns = ep->mnt_ns;
	e->rule = rule;
	e->hook = hook;
	e->rule_class = rule_class;
	e->decision = decision;
	e->path_truncated = truncated;
	e->retval = retval;
	e->subject = *subject;
	e->pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->path, sizeof(e->path), path);
	bpf_probe_read_kernel_str(e->source, sizeof(e->source), source);
	e->parent[0] = 0;
	struct file *parent_exe = BPF_CORE_READ(task, real_parent, mm, exe_file);
	if (parent_exe && scratch && path_of(BPF_CORE_READ(parent_exe, f_path.dentry),
					     BPF_CORE_READ(parent_exe, f_path.mnt), scratch->parent, scratch->assemble) > 0)
		bpf_probe_read_kernel_str(e->parent, sizeof(e->parent), scratch->parent);
	bpf_ringbuf_submit(e, 0);
}

/* A slot's conditions: readOnly concerns writes, ownerOnly non-owners, pts processes on a terminal. */
static __always_inline int applies(struct rule_slot *slot, int write, int owner, int tty)
{
	if (!slot->rule)
		return 0;
	if ((slot->flags & BW_FLAG_READ_ONLY) && !write)
		return 0;
	if ((slot->flags & BW_FLAG_OWNER_ONLY) && owner)
		return 0;
	if ((slot->flags & BW_FLAG_PTS) && !tty)
		return 0;
	return 1;
}

/* Allow slots narrow the other way: a readOnly Allow does not allow writes, an ownerOnly one not others. */
static __always_inline int allows(struct rule_slot *slot, int write, int owner, int tty)
{
	if (!slot->rule)
		return 0;
	if ((slot->flags & BW_FLAG_READ_ONLY) && write)
		return 0;
	if ((slot->flags & BW_FLAG_OWNER_ONLY) && !owner)
		return 0;
	if ((slot->flags & BW_FLAG_PTS) && !tty)
		return 0;
	return 1;
}

/* One decision in the making: who acts, in which endpoint, under which rules, and the best matches so far. */
struct decision {
	struct task_struct *task;
	struct endpoint_key ep;
	struct endpoint_modes *modes;
	struct scratch *s;
	struct walk w;
	struct subject subject;
	int args_ok; /* exec: an Allow narrowed by allowedArgs found the exec's exact arguments */
};

/*
 * Finds the acting task's endpoint, its modes and rules, and the executable it runs (the source: for an exec,
 * the program asking for it, whose image is still in place). 0: the endpoint has no rule set, nothing to decide.
 */
static __always_inline int begin(struct decision *d, __u32 rule_class)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct file *exe;
	__u32 zero = 0;

	if (rule_class >= BW_CLASS_COUNT)
		return 0;
	/* Locals, not d's fields, go into BPF_CORE_READ: it relocates every member access it is given. */
	d->task = task;
	d->ep = endpoint_of(task);
	/* User space writes an endpoint's modes with its rules: no modes, no rule set for this endpoint. */
	d->modes = bpf_map_lookup_elem(&endpoint_modes, &d->ep);
	if (!d->modes)
		return 0;
	d->s = bpf_map_lookup_elem(&scratch_space, &zero);
	if (!d->s)
		return 0;
	d->w.rules = bpf_map_lookup_elem(&endpoint_rules, &d->ep);
	d->w.path = d->s->path;
	d->w.hash = FNV_OFFSET;
	d->w.rule_class = rule_class;
	d->s->path[0] = 0;
	d->s->source[0] = 0;
	exe = BPF_CORE_READ(task, mm, exe_file);
	if (exe && path_of(BPF_CORE_READ(exe, f_path.dentry), BPF_CORE_READ(exe, f_path.mnt), d->s->source,
			   d->s->assemble) > 0)
		d->w.source = hash_string(d->s->source);
	return 1;
}

/*
 * The verdict on what the lookups found: a Block denies, an Audit reports, and in whitelist mode what no Allow
 * covers falls to the posture.
 */
static __always_inline int verdict(struct decision *d, __u8 hook, __u32 rule_class, int write, int owner, int tty)
{
	struct walk *w = &d->w;
	struct scratch *s = d->s;

	if (rule_class >= BW_CLASS_COUNT)
		return 0;
	if (applies(&w->block, write, owner, tty)) {
		report(d->task, &d->ep, hook, rule_class, BW_DECISION_BLOCKED, w->block.rule, -EACCES, s->path,
		       s->source, 0, s, &d->subject);
		return -EACCES;
	}
	if (applies(&w->audit, write, owner, tty))
		report(d->task, &d->ep, hook, rule_class, BW_DECISION_AUDITED, w->audit.rule, 0, s->path, s->source, 0,
		       s, &d->subject);
	if ((allows(&w->allow, write, owner, tty) && (!(w->allow.flags & BW_FLAG_ARGS) || d->args_ok)) ||
	    !d->modes->whitelist[rule_class])
		return 0;
	if (d->modes->posture_block[rule_class]) {
		report(d->task, &d->ep, hook, rule_class, BW_DECISION_POSTURE_BLOCKED, 0, -EACCES, s->path, s->source, 0,
		       s, &d->subject);
		return -EACCES;
	}
	report(d->task, &d->ep, hook, rule_class, BW_DECISION_POSTURE_AUDITED, 0, 0, s->path, s->source, 0, s,
	       &d->subject);
	return 0;
}

/* Whether an ARGS key exists for (target, this exec's arguments), for any source or this program. */
static __always_inline int args_key(struct walk *w, __u64 target)
{
	struct rule_key key = {.target = target, .source = 0, .rule_class = BW_CLASS_PROCESS, .match = BW_MATCH_ARGS};

	if (bpf_map_lookup_elem(w->rules, &key))
		return 1;
	key.source = w->source;
	return w->source && bpf_map_lookup_elem(w->rules, &key);
}

/* allowedArgs: the exec's arguments, recorded at the system call, are exactly those of an Allow's key. */
static __always_inline int args_allowed(struct decision *d)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct exec_args *args = bpf_map_lookup_elem(&exec_args, &tid);
	__u64 mixed;

	if (!args || args->too_long)
		return 0; /* fail closed */
	mixed = args->hash * FNV_PRIME;
	return args_key(&d->w, d->w.hash ^ mixed) || args_key(&d->w, d->w.name_hash ^ mixed);
}

/*
 * The decision for one operation of the current task on (dentry, mount). A path that cannot be assembled
 * whole matches no Allow and every Block of its class: denied when the class has Block rules or is in
 * whitelist mode with posture block.
 */
static __always_inline int judge_path(struct decision *d, __u8 hook, __u32 rule_class, struct dentry *dentry,
				      struct vfsmount *vfsmnt, int write)
{
	struct task_struct *task = d->task;
	struct inode *inode;
	long len;
	int owner;
	int tty;

	if (rule_class >= BW_CLASS_COUNT)
		return 0;
	len = path_of(dentry, vfsmnt, d->s->path, d->s->assemble);
	inode = BPF_CORE_READ(dentry, d_inode);
	/* A file about to be created has no inode yet: its creator will own it. */
	owner = !inode || BPF_CORE_READ(inode, i_uid.val) == (bpf_get_current_uid_gid() & 0xffffffff);
	/* pts: the process has a controlling terminal (an interactive session). */
	tty = BPF_CORE_READ(task, signal, tty) != 0;

	if (len < 0) {
		d->s->path[0] = 0;
		if (d->modes->has_block[rule_class] ||
		    (d->modes->whitelist[rule_class] && d->modes->posture_block[rule_class])) {
			report(task, &d->ep, hook, rule_class, BW_DECISION_BLOCKED, 0, -EACCES, d->s->path, d->s->source,
			       1, d->s, &d->subject);
			return -EACCES;
		}
		return 0;
	}
	if (d->w.rules) {
		bpf_loop(BULWARK_PATH_MAX, extension_byte, &d->w, 0);
		bpf_loop(BULWARK_PATH_MAX, walk_byte, &d->w, 0);
		lookup(&d->w, d->w.hash, BW_MATCH_PATH);
		lookup(&d->w, d->w.dir_hash, BW_MATCH_DIRECTORY);
		lookup(&d->w, d->w.dir_hash ^ (d->w.ext_hash * FNV_PRIME), BW_MATCH_GLOB);
		if (rule_class == BW_CLASS_PROCESS)
			lookup(&d->w, d->w.name_hash, BW_MATCH_EXEC_NAME);
		if (rule_class == BW_CLASS_PROCESS && (d->w.allow.flags & BW_FLAG_ARGS))
			d->args_ok = args_allowed(d);
	}
	return verdict(d, hook, rule_class, write, owner, tty);
}

static __always_inline int decide(__u8 hook, __u32 rule_class, struct dentry *dentry, struct vfsmount *vfsmnt,
				  int write)
{
	struct decision d = {};

	if (!begin(&d, rule_class))
		return 0;
	return judge_path(&d, hook, rule_class, dentry, vfsmnt, write);
}

/* Whether this endpoint has the preset, as Block or as Audit. */
static __always_inline int has_preset(struct decision *d, __u32 which)
{
	return which < BW_PRESET_COUNT && (d->modes->preset_block[which] || d->modes->preset_audit[which]);
}

/* What a preset that caught an operation does: a Block denies, an Audit reports; both name the preset's rule. */
static __always_inline int preset_verdict(struct decision *d, __u32 which, __u8 hook, __u32 rule_class)
{
	__u32 rule;

	if (which >= BW_PRESET_COUNT || rule_class >= BW_CLASS_COUNT)
		return 0;
	rule = d->modes->preset_block[which];
	if (rule) {
		report(d->task, &d->ep, hook, rule_class, BW_DECISION_BLOCKED, rule, -EACCES, d->s->path, d->s->source,
		       0, d->s, &d->subject);
		return -EACCES;
	}
	rule = d->modes->preset_audit[which];
	if (rule)
		report(d->task, &d->ep, hook, rule_class, BW_DECISION_AUDITED, rule, 0, d->s->path, d->s->source, 0,
		       d->s, &d->subject);
	return 0;
}

/* Whether a string in the scratch space starts with a (short, constant) prefix. */
static __always_inline int starts_with(const char *s, const char *prefix, int length)
{
	for (int i = 0; i < length && i < 16; i++)
		if (s[i] != prefix[i])
			return 0;
	return 1;
}

/*
 * filelessExec: the program is a memfd (an unlinked shmem file whose dentry is its own parent, named
 * "memfd:...") or lies in /dev/shm or /run/shm.
 */
static __always_inline int fileless_exec(struct decision *d, struct file *file)
{
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	char name[6] = {};
	int memfd;

	if (!has_preset(d, BW_PRESET_FILELESS_EXEC))
		return 0;
	bpf_probe_read_kernel(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	memfd = BPF_CORE_READ(dentry, d_parent) == dentry && starts_with(name, "memfd:", 6);
	if (memfd) /* no path to speak of: its name, "memfd:<name given to memfd_create>" */
		bpf_probe_read_kernel_str(d->s->path, BULWARK_EVENT_PATH, BPF_CORE_READ(dentry, d_name.name));
	else if (path_of(dentry, BPF_CORE_READ(file, f_path.mnt), d->s->path, d->s->assemble) < 0)
		d->s->path[0] = 0;
	if (!memfd && !starts_with(d->s->path, "/dev/shm/", 9) && !starts_with(d->s->path, "/run/shm/", 9))
		return 0;
	return preset_verdict(d, BW_PRESET_FILELESS_EXEC, BW_HOOK_BPRM_CHECK, BW_CLASS_PROCESS);
}

/*
 * exec: a program run on a terminal by a process of a session entered from outside the container (setns into
 * its pid namespace, as kubectl exec -it does), as upstream's ExecPreset.
 */
static __always_inline int exec_session(struct decision *d, struct file *file)
{
	struct task_struct *task = d->task;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!has_preset(d, BW_PRESET_EXEC) || !BPF_CORE_READ(task, signal, tty) ||
	    !bpf_map_lookup_elem(&entered, &tgid))
		return 0;
	if (path_of(BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt), d->s->path,
		    d->s->assemble) < 0)
		d->s->path[0] = 0;
	return preset_verdict(d, BW_PRESET_EXEC, BW_HOOK_BPRM_CHECK, BW_CLASS_PROCESS);
}

#define PROC_SUPER_MAGIC 0x9fa0

/*
 * protectProc and protectEnv: a file of /proc/<pid>/ (environ for protectEnv) where <pid> is another process.
 * The process a proc inode belongs to is its struct pid; this task's is its thread group leader's (its own
 * thread's for /proc/<pid>/task/<tid>/).
 */
static __always_inline int proc_presets(struct decision *d, struct file *file)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	struct task_struct *task = d->task;
	struct proc_inode *proc;
	struct pid *owner;
	char name[8] = {};
	int environ;

	if (!has_preset(d, BW_PRESET_PROTECT_PROC) && !has_preset(d, BW_PRESET_PROTECT_ENV))
		return 0;
	if (!inode || BPF_CORE_READ(inode, i_sb, s_magic) != PROC_SUPER_MAGIC)
		return 0;
	proc = (struct proc_inode *)((void *)inode - bpf_core_field_offset(struct proc_inode, vfs_inode));
	owner = BPF_CORE_READ(proc, pid);
	if (!owner || owner == BPF_CORE_READ(task, group_leader, thread_pid) || owner == BPF_CORE_READ(task, thread_pid))
		return 0;
	if (path_of(dentry, BPF_CORE_READ(file, f_path.mnt), d->s->path, d->s->assemble) < 0)
		d->s->path[0] = 0;
	bpf_probe_read_kernel(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	environ = starts_with(name, "environ", 8);
	if (environ && has_preset(d, BW_PRESET_PROTECT_ENV))
		return preset_verdict(d, BW_PRESET_PROTECT_ENV, BW_HOOK_FILE_OPEN, BW_CLASS_FILE);
	return preset_verdict(d, BW_PRESET_PROTECT_PROC, BW_HOOK_FILE_OPEN, BW_CLASS_FILE);
}

/* Operations on a name in a directory: the name's path, in the directory's mount. */
static __always_inline int decide_entry(__u8 hook, const struct path *dir, struct dentry *dentry)
{
	return decide(hook, BW_CLASS_FILE, dentry, BPF_CORE_READ(dir, mnt), 1);
}

static __always_inline int decide_path(__u8 hook, const struct path *path, int write)
{
	return decide(hook, BW_CLASS_FILE, BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt), write);
}

#define MAY_WRITE 0x2
#define MAY_APPEND 0x8

SEC("lsm/file_open")
int BPF_PROG(bulwark_file_open, struct file *file)
{
	struct decision d = {};
	int ret;

	if (!begin(&d, BW_CLASS_FILE))
		return 0;
	ret = proc_presets(&d, file);
	if (ret)
		return ret;
	d.s->path[0] = 0;
	return judge_path(&d, BW_HOOK_FILE_OPEN, BW_CLASS_FILE, BPF_CORE_READ(file, f_path.dentry),
			  BPF_CORE_READ(file, f_path.mnt), file->f_mode & FMODE_WRITE);
}

/* Writes through descriptors opened before the rules came. */
SEC("lsm/file_permission")
int BPF_PROG(bulwark_file_permission, struct file *file, int mask)
{
	if (!(mask & (MAY_WRITE | MAY_APPEND)))
		return 0;
	return decide_path(BW_HOOK_FILE_PERMISSION, &file->f_path, 1);
}

SEC("lsm/bprm_check_security")
int BPF_PROG(bulwark_bprm_check, struct linux_binprm *bprm)
{
	struct file *file = bprm->file;
	struct decision d = {};
	int ret;

	if (!begin(&d, BW_CLASS_PROCESS))
		return 0;
	ret = fileless_exec(&d, file);
	if (!ret)
		ret = exec_session(&d, file);
	if (ret)
		return ret;
	return judge_path(&d, BW_HOOK_BPRM_CHECK, BW_CLASS_PROCESS, BPF_CORE_READ(file, f_path.dentry),
			  BPF_CORE_READ(file, f_path.mnt), 0);
}

SEC("lsm/path_unlink")
int BPF_PROG(bulwark_path_unlink, const struct path *dir, struct dentry *dentry)
{
	return decide_entry(BW_HOOK_PATH_UNLINK, dir, dentry);
}

SEC("lsm/path_mkdir")
int BPF_PROG(bulwark_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode)
{
	return decide_entry(BW_HOOK_PATH_MKDIR, dir, dentry);
}

SEC("lsm/path_rmdir")
int BPF_PROG(bulwark_path_rmdir, const struct path *dir, struct dentry *dentry)
{
	return decide_entry(BW_HOOK_PATH_RMDIR, dir, dentry);
}

SEC("lsm/path_mknod")
int BPF_PROG(bulwark_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode, unsigned int dev)
{
	return decide_entry(BW_HOOK_PATH_MKNOD, dir, dentry);
}

SEC("lsm/path_symlink")
int BPF_PROG(bulwark_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name)
{
	return decide_entry(BW_HOOK_PATH_SYMLINK, dir, dentry);
}

/* A hard link is a second name for the same file: the old name must be writable as well as the new. */
SEC("lsm/path_link")
int BPF_PROG(bulwark_path_link, struct dentry *old_dentry, const struct path *new_dir, struct dentry *new_dentry)
{
	int ret = decide(BW_HOOK_PATH_LINK, BW_CLASS_FILE, old_dentry, BPF_CORE_READ(new_dir, mnt), 1);

	return ret ? ret : decide_entry(BW_HOOK_PATH_LINK, new_dir, new_dentry);
}

/* A rename removes the old name and creates the new one: both must be writable. */
SEC("lsm/path_rename")
int BPF_PROG(bulwark_path_rename, const struct path *old_dir, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry)
{
	int ret = decide_entry(BW_HOOK_PATH_RENAME, old_dir, old_dentry);

	return ret ? ret : decide_entry(BW_HOOK_PATH_RENAME, new_dir, new_dentry);
}

SEC("lsm/path_chmod")
int BPF_PROG(bulwark_path_chmod, const struct path *path, umode_t mode)
{
	return decide_path(BW_HOOK_PATH_CHMOD, path, 1);
}

SEC("lsm/path_truncate")
int BPF_PROG(bulwark_path_truncate, const struct path *path)
{
	return decide_path(BW_HOOK_PATH_TRUNCATE, path, 1);
}

#define AF_INET 2
#define AF_INET6 10
#define AF_PACKET 17
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_PACKET 10
#define SOCK_TYPE_MASK 0xf
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

/*
 * A socket's decision, by a handful of lookups whatever the number of rules: its protocol (an inet stream or
 * datagram socket without one is TCP or UDP), its type (an AF_PACKET socket is "packet" too), and "all".
 */
static __always_inline int decide_socket(__u8 hook, __u32 family, __u32 type, __u32 protocol)
{
	struct decision d = {};

	if (!begin(&d, BW_CLASS_NETWORK))
		return 0;
	type &= SOCK_TYPE_MASK;
	if ((family == AF_INET || family == AF_INET6) && protocol == 0) {
		if (type == SOCK_STREAM)
			protocol = IPPROTO_TCP;
		else if (type == SOCK_DGRAM)
			protocol = IPPROTO_UDP;
	}
	d.subject.family = family;
	d.subject.sock_type = type;
	d.subject.protocol = protocol;
	if (d.w.rules) {
		if (protocol)
			lookup(&d.w, BW_NET_PROTOCOL + protocol, BW_MATCH_PROTOCOL);
		lookup(&d.w, BW_NET_TYPE + type, BW_MATCH_PROTOCOL);
		if (family == AF_PACKET && type != SOCK_PACKET)
			lookup(&d.w, BW_NET_TYPE + SOCK_PACKET, BW_MATCH_PROTOCOL);
		lookup(&d.w, BW_NET_ALL, BW_MATCH_PROTOCOL);
	}
	return verdict(&d, hook, BW_CLASS_NETWORK, 0, 1, 0);
}

static __always_inline int decide_open_socket(__u8 hook, struct socket *sock)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);

	if (!sk)
		return 0;
	return decide_socket(hook, BPF_CORE_READ(sk, __sk_common.skc_family), BPF_CORE_READ(sock, type),
			     BPF_CORE_READ(sk, sk_protocol));
}

SEC("lsm/socket_create")
int BPF_PROG(bulwark_socket_create, int family, int type, int protocol, int kern)
{
	if (kern)
		return 0; /* the kernel's own sockets */
	return decide_socket(BW_HOOK_SOCKET_CREATE, family, type, protocol);
}

SEC("lsm/socket_connect")
int BPF_PROG(bulwark_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen)
{
	return decide_open_socket(BW_HOOK_SOCKET_CONNECT, sock);
}

SEC("lsm/socket_accept")
int BPF_PROG(bulwark_socket_accept, struct socket *sock, struct socket *newsock)
{
	return decide_open_socket(BW_HOOK_SOCKET_ACCEPT, sock);
}

/*
 * A capability the task would otherwise have (the capability module decides first and stops at a refusal):
 * one lookup by its number. Checks the kernel makes without auditing are decided alike but not reported.
 */
#define CAP_OPT_NOAUDIT 2

SEC("lsm/capable")
int BPF_PROG(bulwark_capable, const struct cred *cred, struct user_namespace *ns, int cap, unsigned int opts)
{
	struct decision d = {};

	if (cap < 0 || cap > 63 || !begin(&d, BW_CLASS_CAPABILITIES))
		return 0;
	d.subject.capability = cap;
	if (d.w.rules)
		lookup(&d.w, cap, BW_MATCH_CAPABILITY);
	if (opts & CAP_OPT_NOAUDIT) {
		if (applies(&d.w.block, 0, 1, 0) || (d.modes->whitelist[BW_CLASS_CAPABILITIES] &&
						     d.modes->posture_block[BW_CLASS_CAPABILITIES] &&
						     !allows(&d.w.allow, 0, 1, 0)))
			return -EPERM;
		return 0;
	}
	return verdict(&d, BW_HOOK_CAPABLE, BW_CLASS_CAPABILITIES, 0, 1, 0);
}

#define PROT_EXEC 0x4

/* anonymousMapExec: executable memory that no file backs. */
SEC("lsm/mmap_file")
int BPF_PROG(bulwark_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot, unsigned long flags)
{
	struct decision d = {};

	if (file || !(prot & PROT_EXEC) || !begin(&d, BW_CLASS_FILE) || !has_preset(&d, BW_PRESET_ANON_MAP_EXEC))
		return 0;
	d.subject.prot = prot;
	d.subject.map_flags = flags;
	return preset_verdict(&d, BW_PRESET_ANON_MAP_EXEC, BW_HOOK_MMAP_FILE, BW_CLASS_FILE);
}

/* ---- DNS queries (matchDNSQueries) ---- */

#define DNS_PORT_BE 0x3500 /* 53, in network byte order */
#define DNS_HEADER 12
#define DNS_MESSAGE_MAX 300 /* a header and a name of up to 255 bytes, with room */
#define DNS_NAME_MAX 253  /* the longest name DNS allows, dots included */
#define DNS_NAME_MASK 255 /* indexes into the name stay below this, for the verifier */

/* The 6.1 kernel's name for what later kernels call __iov. */
struct iov_iter___v61 {
	const struct iovec *iov;
} __attribute__((preserve_access_index));

/* Where the data of a send begins in user memory: a single buffer, or the first of an iovec. */
static __always_inline const void *send_buffer(struct msghdr *msg)
{
	struct iov_iter *iter = &msg->msg_iter;
	__u8 type = BPF_CORE_READ(iter, iter_type);
	const struct iovec *iov;
	size_t offset = BPF_CORE_READ(iter, iov_offset);

	if (bpf_core_enum_value_exists(enum iter_type, ITER_UBUF) && type == bpf_core_enum_value(enum iter_type, ITER_UBUF))
		return (const char *)BPF_CORE_READ(iter, ubuf) + offset;
	if (type != bpf_core_enum_value(enum iter_type, ITER_IOVEC))
		return 0;
	if (bpf_core_field_exists(struct iov_iter___v61, iov))
		iov = BPF_CORE_READ((struct iov_iter___v61 *)iter, iov);
	else
		iov = BPF_CORE_READ(iter, __iov);
	return (const char *)BPF_CORE_READ(iov, iov_base) + offset;
}

/*
 * Decoding a query's first name into "www.google.com", lower case, label by label. The state lives in the
 * scratch map, not on the stack: the 6.1 verifier checks a bpf_loop callback once, with the state it has at
 * the call, and would hard-wire branches on values it believes constant there.
 */
struct dns_decoding {
	struct scratch *s; /* bpf_loop passes only stack pointers: the state is behind this one */
};

static long dns_name_byte(__u32 i, struct dns_decoding *decoding)
{
	struct scratch *s = decoding->s;
	struct dns_name *n = &s->dns;
	__u8 c;

	if (n->in >= DNS_MESSAGE_MAX || n->out >= DNS_NAME_MAX) {
		n->done = -1;
		return 1;
	}
	c = s->assemble[n->in++];
	if (n->label_left == 0) {
		if (c == 0) {
			n->done = 1;
			return 1;
		}
		if (c > 63) { /* a compression pointer: not in a question */
			n->done = -1;
			return 1;
		}
		if (n->out > 0)
			s->path[n->out++ & DNS_NAME_MASK] = '.';
		n->label_left = c;
		return 0;
	}
	if (c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	s->path[n->out++ & DNS_NAME_MASK] = c;
	n->label_left--;
	return 0;
}

/* Walking a name backwards: at each dot, and at its start, the hash so far is that of a domain it is in. */
struct dns_walk {
	struct walk *w;
	const char *name;
	__u32 length;
	__u64 hash;
};

static long dns_suffix_byte(__u32 i, struct dns_walk *v)
{
	__u32 at;
	char c;

	if (i >= v->length)
		return 1;
	at = v->length - 1 - i;
	c = v->name[at & DNS_NAME_MASK];
	if (c == '.') /* what lies right of the dot is a parent domain */
		lookup(v->w, v->hash, BW_MATCH_DOMAIN);
	v->hash = (v->hash ^ (__u8)c) * FNV_PRIME;
	if (at == 0)
		lookup(v->w, v->hash, BW_MATCH_DOMAIN);
	return 0;
}

/*
 * A UDP datagram to port 53 (the destination given with it or the connected peer's): the question's name and
 * every parent domain are looked up, one per label. A name that cannot be decoded matches no Allow.
 */
SEC("lsm/socket_sendmsg")
int BPF_PROG(bulwark_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);
	struct dns_decoding decoding;
	struct decision d = {};
	struct dns_name *n;
	struct sockaddr *to;
	const void *data;
	__u32 length;
	__u16 family;
	__u16 port;

	if (!sk || BPF_CORE_READ(sock, type) != SOCK_DGRAM)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	to = BPF_CORE_READ(msg, msg_name);
	if (to)
		bpf_probe_read_kernel(&port, sizeof(port), (char *)to + 2); /* sin_port and sin6_port alike */
	else
		port = BPF_CORE_READ(sk, __sk_common.skc_dport);
	if (port != DNS_PORT_BE || !begin(&d, BW_CLASS_DNS))
		return 0;
	data = send_buffer(msg);
	d.subject.family = family;
	d.subject.sock_type = SOCK_DGRAM;
	d.subject.protocol = IPPROTO_UDP;
	/* Only the message's own bytes: reading past them may reach an unmapped page and fail. */
	length = size <= 0 ? 0 : size < DNS_MESSAGE_MAX ? size : DNS_MESSAGE_MAX;
	if (!data || length <= DNS_HEADER || bpf_probe_read_user(d.s->assemble, length & 511, data) < 0)
		return verdict(&d, BW_HOOK_SOCKET_SENDMSG, BW_CLASS_DNS, 0, 1, 0);
	d.s->assemble[length & 511] = 0; /* a name running past the message ends with it */
	n = &d.s->dns;
	n->in = DNS_HEADER;
	n->out = 0;
	n->label_left = 0;
	n->done = 0;
	decoding.s = d.s;
	bpf_loop(DNS_MESSAGE_MAX, dns_name_byte, &decoding, 0);
	if (n->done != 1 || n->out == 0) {
		d.s->path[0] = 0;
		return verdict(&d, BW_HOOK_SOCKET_SENDMSG, BW_CLASS_DNS, 0, 1, 0);
	}
	d.s->path[n->out & DNS_NAME_MASK] = 0;
	if (d.w.rules) {
		struct dns_walk v = {.w = &d.w, .name = d.s->path, .length = n->out, .hash = FNV_OFFSET};

		bpf_loop(DNS_NAME_MAX, dns_suffix_byte, &v, 0);
	}
	return verdict(&d, BW_HOOK_SOCKET_SENDMSG, BW_CLASS_DNS, 0, 1, 0);
}

/* ---- allowedArgs: the arguments of an exec, recorded where they are still the caller's memory ---- */

struct args_walk {
	const char *const *argv;
	struct exec_args *out;
	char *buf;
};

static long hash_arg(__u32 i, struct args_walk *a)
{
	const char *arg = 0;
	long length;

	if (i >= BULWARK_MAX_ARGS + 1)
		return 1;
	if (bpf_probe_read_user(&arg, sizeof(arg), &a->argv[i + 1]) < 0 || !arg)
		return 1;
	if (i == BULWARK_MAX_ARGS) { /* one more than allowedArgs can list */
		a->out->too_long = 1;
		return 1;
	}
	length = bpf_probe_read_user_str(a->buf, BULWARK_ARG_MAX, arg);
	if (length <= 0 || length >= BULWARK_ARG_MAX) { /* unreadable, or cut: never equal to a listed one */
		a->out->too_long = 1;
		return 1;
	}
	for (int j = 0; j < BULWARK_ARG_MAX; j++) {
		if (j >= length)
			break;
		a->out->hash = (a->out->hash ^ (__u8)a->buf[j]) * FNV_PRIME;
	}
	a->out->count++;
	return 0;
}

static __always_inline int record_args(const char *const *argv)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct endpoint_key ep = endpoint_of(task);
	struct exec_args args = {.hash = FNV_OFFSET};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct scratch *s;
	__u32 zero = 0;

	if (!bpf_map_lookup_elem(&endpoint_modes, &ep))
		return 0; /* no rules for this endpoint */
	s = bpf_map_lookup_elem(&scratch_space, &zero);
	if (!s)
		return 0;
	struct args_walk a = {.argv = argv, .out = &args, .buf = s->parent};
	bpf_loop(BULWARK_MAX_ARGS + 1, hash_arg, &a, 0);
	bpf_map_update_elem(&exec_args, &tid, &args, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int bulwark_execve_args(struct trace_event_raw_sys_enter *ctx)
{
	return record_args((const char *const *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int bulwark_execveat_args(struct trace_event_raw_sys_enter *ctx)
{
	return record_args((const char *const *)ctx->args[2]);
}

/* ---- The exec preset's sessions: who entered a pid namespace from outside, and who descends from them ---- */

/* The inode of the pid namespace a task lives in (not the one its children will). */
static __always_inline __u32 own_pid_ns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct pid_namespace *ns = 0;

	bpf_probe_read_kernel(&ns, sizeof(ns), (void *)pid + bpf_core_field_offset(struct pid, numbers) +
			      (level & 31) * bpf_core_type_size(struct upid) + bpf_core_field_offset(struct upid, ns));
	return BPF_CORE_READ(ns, ns.inum);
}

SEC("tracepoint/syscalls/sys_exit_setns")
int bulwark_setns(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u8 yes = 1;

	if (ctx->ret == 0 && BPF_CORE_READ(task, nsproxy, pid_ns_for_children, ns.inum) != own_pid_ns(task))
		bpf_map_update_elem(&entered, &tgid, &yes, BPF_ANY);
	return 0;
}

SEC("tracepoint/sched/sched_process_fork")
int bulwark_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	__u32 parent = bpf_get_current_pid_tgid() >> 32;
	__u32 child = ctx->child_pid;
	__u8 yes = 1;

	if (bpf_map_lookup_elem(&entered, &parent))
		bpf_map_update_elem(&entered, &child, &yes, BPF_ANY);
	return 0;
}
