// SPDX-License-Identifier: GPL-2.0
/*
 * Bulwark's BPF-LSM enforcer: exec and file-open decisions per endpoint.
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

/* Events that found the ring buffer full: counted, never lost silently. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost_events SEC(".maps");

/* Scratch space for the two paths of a decision (too big for the 512-byte stack). */
struct scratch {
	char path[BULWARK_PATH_MAX];
	char source[BULWARK_PATH_MAX];
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
		w->dir_hash = w->hash;
		w->name_hash = FNV_OFFSET;
	} else {
		w->name_hash = (w->name_hash ^ (__u8)c) * FNV_PRIME;
	}
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

static __always_inline struct endpoint_key endpoint_of(struct task_struct *task)
{
	struct endpoint_key key = {};
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);

	if (level == 0)
		return key; /* initial pid namespace: the host */
	key.pid_ns = BPF_CORE_READ(task, nsproxy, pid_ns_for_children, ns.inum);
	key.mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	return key;
}

static __always_inline void report(struct task_struct *task, struct endpoint_key *ep, __u8 hook, __u32 rule_class,
				   __u8 decision, __u32 rule, int retval, const char *path, const char *source)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

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
	e->pid_ns = ep->pid_ns;
	e->mnt_ns = ep->mnt_ns;
	e->rule = rule;
	e->hook = hook;
	e->rule_class = rule_class;
	e->decision = decision;
	e->path_truncated = 0;
	e->retval = retval;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->path, sizeof(e->path), path);
	bpf_probe_read_kernel_str(e->source, sizeof(e->source), source);
	bpf_ringbuf_submit(e, 0);
}

/* A slot's conditions: readOnly concerns writes, ownerOnly concerns non-owners. */
static __always_inline int applies(struct rule_slot *slot, int write, int owner)
{
	if (!slot->rule)
		return 0;
	if ((slot->flags & BW_FLAG_READ_ONLY) && !write)
		return 0;
	if ((slot->flags & BW_FLAG_OWNER_ONLY) && owner)
		return 0;
	return 1;
}

/* Allow slots narrow the other way: a readOnly Allow does not allow writes, an ownerOnly one not others. */
static __always_inline int allows(struct rule_slot *slot, int write, int owner)
{
	if (!slot->rule)
		return 0;
	if ((slot->flags & BW_FLAG_READ_ONLY) && write)
		return 0;
	if ((slot->flags & BW_FLAG_OWNER_ONLY) && !owner)
		return 0;
	return 1;
}

/*
 * The decision for one operation of the current task on a path. The source is the executable the task runs
 * (for an exec: the program asking for it, whose image is still in place).
 */
static __always_inline int decide(__u8 hook, __u32 rule_class, struct path *target, struct inode *inode, int write)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct mm_struct *mm = task->mm;
	struct file *source_file = mm ? mm->exe_file : 0;
	struct endpoint_key ep = endpoint_of(task);
	struct endpoint_modes *modes;
	struct scratch *s;
	__u32 zero = 0;
	void *rules;
	long len;
	int owner;

	/* User space writes an endpoint's modes with its rules: no modes, no rule set for this endpoint. */
	modes = bpf_map_lookup_elem(&endpoint_modes, &ep);
	if (!modes)
		return 0;
	rules = bpf_map_lookup_elem(&endpoint_rules, &ep);
	s = bpf_map_lookup_elem(&scratch_space, &zero);
	if (!s)
		return 0;

	struct walk w = {.rules = rules, .path = s->path, .hash = FNV_OFFSET, .rule_class = rule_class};
	s->source[0] = 0;
	if (source_file) {
		len = bpf_d_path((struct path *)&source_file->f_path, s->source, BULWARK_PATH_MAX);
		if (len > 0)
			w.source = hash_string(s->source);
	}
	len = bpf_d_path(target, s->path, BULWARK_PATH_MAX);
	owner = BPF_CORE_READ(inode, i_uid.val) == (bpf_get_current_uid_gid() & 0xffffffff);

	if (len > 0 && rules) {
		bpf_loop(BULWARK_PATH_MAX, walk_byte, &w, 0);
		lookup(&w, w.hash, BW_MATCH_PATH);
		lookup(&w, w.dir_hash, BW_MATCH_DIRECTORY);
		if (rule_class == BW_CLASS_PROCESS)
			lookup(&w, w.name_hash, BW_MATCH_EXEC_NAME);
	}

	if (applies(&w.block, write, owner)) {
		report(task, &ep, hook, rule_class, BW_DECISION_BLOCKED, w.block.rule, -EACCES, s->path, s->source);
		return -EACCES;
	}
	if (applies(&w.audit, write, owner))
		report(task, &ep, hook, rule_class, BW_DECISION_AUDITED, w.audit.rule, 0, s->path, s->source);
	if (allows(&w.allow, write, owner) || rule_class >= BW_CLASS_COUNT || !modes->whitelist[rule_class])
		return 0;
	if (modes->posture_block[rule_class]) {
		report(task, &ep, hook, rule_class, BW_DECISION_POSTURE_BLOCKED, 0, -EACCES, s->path, s->source);
		return -EACCES;
	}
	report(task, &ep, hook, rule_class, BW_DECISION_POSTURE_AUDITED, 0, 0, s->path, s->source);
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(bulwark_file_open, struct file *file)
{
	return decide(BW_HOOK_FILE_OPEN, BW_CLASS_FILE, (struct path *)&file->f_path, file->f_inode, file->f_mode & FMODE_WRITE);
}

SEC("lsm/bprm_check_security")
int BPF_PROG(bulwark_bprm_check, struct linux_binprm *bprm)
{
	/* The exec is judged by the program that asked for it: the image this task still runs. */
	return decide(BW_HOOK_BPRM_CHECK, BW_CLASS_PROCESS, (struct path *)&bprm->file->f_path, bprm->file->f_inode, 0);
}
