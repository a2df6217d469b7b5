/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * Deciding: who the agent is, the decision in the making, the verdict, the path judges.
 */
/* ---- Deciding ---- */

/* ---- selfProtection: who the agent is ---- */

#define USER_HZ_NS 10000000ULL /* nanoseconds per USER_HZ tick (100 a second), as /proc/<pid>/stat counts */
#define PTRACE_MODE_ATTACH 0x02
#define BPF_LINK_UPDATE_CMD 29
#define BPF_LINK_GET_FD_BY_ID_CMD 30
#define BPF_LINK_DETACH_CMD 34

/* The agent, while selfProtection is on and its lease holds; 0 otherwise. */
static __always_inline struct self_identity *live_agent(void)
{
	__u32 zero = 0;
	struct self_identity *self = bpf_map_lookup_elem(&self_identity, &zero);

	if (!self || !self->enabled || !self->tgid || self->lease_until_ns < bpf_ktime_get_ns())
		return 0;
	return self;
}

/* Whether the task is (a thread of) the agent: its process id and its start, so that a reused pid is not. */
static __always_inline int is_agent(struct self_identity *self, struct task_struct *task)
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);

	return BPF_CORE_READ(task, tgid) == self->tgid &&
	       BPF_CORE_READ(leader, start_boottime) / USER_HZ_NS == self->start_ticks;
}

/*
 * Finds the governing endpoint, its modes and rules, and prepares the walk: the acting program (for an exec,
 * the program asking for it, whose image is still in place) is hashed only where the endpoint has keys with
 * sources in this class. 0: the endpoint has no rule set, nothing to decide.
 */
static __always_inline int begin(struct decision *d, __u32 rule_class)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct walk *w;

	if (rule_class >= BW_CLASS_COUNT)
		return 0;
	/* Locals, not d's fields, go into BPF_CORE_READ: it relocates every member access it is given. */
	struct self_identity *self = live_agent();

	if (self && is_agent(self, task))
		return 0; /* the agent is not judged: its own rules (selfProtection's) would lock it out */
	d->task = task;
	d->modes = governing(task, &d->ep, &d->id);
	if (!d->modes)
		return 0;
	d->s = scratch();
	if (!d->s)
		return 0;
	d->rules = bpf_map_lookup_elem(&endpoint_rules, &d->ep);
	d->s->path[0] = 0;
	w = &d->s->w;
	load_key(w);
	w->rule_class = rule_class;
	/* What classes without file conditions are looked up with: only pts tells their contexts apart. */
	w->context = BW_CTX_OWNER | (BPF_CORE_READ(task, signal, tty) ? BW_CTX_TTY : 0);
	w->allow = 0;
	w->allow_args = 0;
	w->audit = 0;
	w->block = 0;
	w->source = 0;
	w->agent_lives = self != 0;
	w->with_source = d->modes->has_source[rule_class];
	if (w->with_source)
		w->source = source_of(d);
	return 1;
}

/* Whether an ARGS key exists for (target, this exec's arguments); its Allow becomes the walk's (none was). */
static __always_inline int args_key(struct decision *d, __u64 target)
{
	struct walk *w = &d->s->w;

	lookup(d->rules, w, target, BW_MATCH_ARGS);
	return w->allow != 0;
}

/* allowedArgs: the exec's arguments, recorded at the system call, are exactly those of an Allow's key. */
static __always_inline int args_allowed(struct decision *d, __u64 path_hash, __u64 name_hash)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct exec_args *args = bpf_map_lookup_elem(&exec_args, &tid);
	__u64 mixed;

	if (!args || args->too_long || !d->rules)
		return 0; /* fail closed */
	mixed = args->hash * BW_MIX;
	if (!args_key(d, path_hash ^ mixed) && !args_key(d, name_hash ^ mixed))
		return 0;
	if (!d->id)
		return 0; /* nowhere to keep what the copied arguments must be: fail closed */
	/* The caller's memory may change until the kernel copies it: compared again once the exec is committed. */
	d->id->state |= BW_TASK_ARGS_PENDING;
	d->id->args_hash = args->hash;
	return 1;
}

/*
 * The verdict on what the lookups found: a Block denies, an Audit reports, and in whitelist mode what no Allow
 * covers falls to the posture.
 */
static __always_inline int verdict(struct decision *d, __u8 hook, __u32 rule_class, __u64 path_hash,
				   __u64 name_hash)
{
	struct walk *w = &d->s->w;

	if (rule_class >= BW_CLASS_COUNT)
		return 0;
	if (w->block) {
		report(d, hook, rule_class, BW_DECISION_BLOCKED, w->block, -EACCES, 0);
		return -EACCES;
	}
	if (w->audit)
		report(d, hook, rule_class, BW_DECISION_AUDITED, w->audit, 0, 0);
	if (w->allow || !d->modes->whitelist[rule_class])
		return 0;
	if (rule_class == BW_CLASS_PROCESS && w->allow_args && args_allowed(d, path_hash, name_hash))
		return 0; /* (only execs have arguments: the compiler drops this for the other classes) */
	if (d->modes->posture_block[rule_class]) {
		report(d, hook, rule_class, BW_DECISION_POSTURE_BLOCKED, 0, -EACCES, 0);
		return -EACCES;
	}
	report(d, hook, rule_class, BW_DECISION_POSTURE_AUDITED, 0, 0, 0);
	return 0;
}

/* How judge_path treats an operation. */
#define JUDGE_DIRECTORY_NAME 1 /* it renames, removes or changes a name that may be a directory with rules below */
#define JUDGE_BLOCK_ONLY 2     /* only a Block decides (an executable mapping of a file): no audits, no posture */
#define JUDGE_CREATE 4         /* the name is being created: its directory's owner is the owner */

/*
 * The decision for one operation of the current task on (dentry, mount). A file of a kernel-internal mount
 * (pipe, socket, memfd) has no path: file rules never concern it, and for an exec it matches no rule. A file
 * that cannot be named (too long or deep, disconnected, detached) matches no Allow and every Block of its
 * class: denied when the class has Block rules or is in whitelist mode with posture block.
 */
static __always_inline int judge_path(struct decision *d, __u8 hook, __u32 rule_class, struct dentry *dentry,
				      struct vfsmount *vfsmnt, int write, int how)
{
	struct task_struct *task = d->task;
	struct scratch *s = d->s;
	struct walk *w = &s->w;
	struct walk_ctx x = {.rules = d->rules, .s = s};
	struct inode *inode;
	__u64 path_hash = 0, name_hash = 0;
	void *globs;
	__u32 fsuid;
	long len;
	int owner, directory;

	if (rule_class >= BW_CLASS_COUNT)
		return 0;
	len = path_of(dentry, vfsmnt, s->path, &s->assemble);
	d->path_length = len;
	if (len == PATH_PSEUDO) {
		if (rule_class != BW_CLASS_PROCESS || (how & JUDGE_BLOCK_ONLY))
			return 0;
		return verdict(d, hook, rule_class, 0, 0);
	}
	if (len < 0) {
		s->path[0] = 0;
		if (d->modes->has_block[rule_class] ||
		    (d->modes->whitelist[rule_class] && d->modes->posture_block[rule_class])) {
			report(d, hook, rule_class, BW_DECISION_BLOCKED, 0, -EACCES, -len);
			return -EACCES;
		}
		return 0;
	}
	/* The owner as the kernel checks permissions: the file system uid of the task's credentials. */
	fsuid = BPF_CORE_READ(task, cred, fsuid.val);
	inode = BPF_CORE_READ(dentry, d_inode);
	if ((how & JUDGE_CREATE) || !inode)
		owner = BPF_CORE_READ(dentry, d_parent, d_inode, i_uid.val) == fsuid;
	else
		owner = BPF_CORE_READ(inode, i_uid.val) == fsuid;
	w->context = (write ? BW_CTX_WRITE : 0) | (owner ? BW_CTX_OWNER : 0) |
		     (BPF_CORE_READ(task, signal, tty) ? BW_CTX_TTY : 0);
	w->length = len;
	/* A directory being renamed or removed: that moves or drops whatever rules below protect. */
	directory = (how & JUDGE_DIRECTORY_NAME) && inode && (BPF_CORE_READ(inode, i_mode) & S_IFMT) == S_IFDIR &&
		    len > 1;
	/* Only path decisions walk the automaton: its map is looked up here, not for every decision. */
	globs = bpf_map_lookup_elem(&endpoint_globs, &d->ep);
	if (globs)
		glob_walk(globs, s, rule_class, directory);
	if (d->rules) {
		w->name_at = 0;
		w->ext_at = len;
		bpf_loop(256, last_part_byte, &x, 0);
		sip_start(w, &w->name);
		sip_start(w, &w->ext);
		bpf_loop(256, name_byte, &x, 0);
		w->ext_hash = w->ext_at < w->length ? sip_final(&w->ext) : 0;
		name_hash = sip_final(&w->name);
		sip_start(w, &w->path);
		w->dir_hash = 0;
		bpf_loop(BULWARK_PATH_MAX, walk_byte, &x, 0);
		path_hash = sip_final(&w->path);
		lookup(d->rules, w, w->dir_hash, BW_MATCH_DIRECTORY);
		if (w->ext_hash)
			lookup(d->rules, w, w->dir_hash ^ (w->ext_hash * BW_MIX), BW_MATCH_GLOB);
		if (rule_class == BW_CLASS_PROCESS)
			lookup(d->rules, w, name_hash, BW_MATCH_EXEC_NAME);
		lookup(d->rules, w, path_hash, BW_MATCH_PATH);
		if (directory) {
			sip_byte(&w->path, '/');
			lookup(d->rules, w, sip_final(&w->path), BW_MATCH_ANCESTOR);
		}
	}
	if (how & JUDGE_BLOCK_ONLY) {
		if (!w->block)
			return 0;
		report(d, hook, rule_class, BW_DECISION_BLOCKED, w->block, -EACCES, 0);
		return -EACCES;
	}
	return verdict(d, hook, rule_class, path_hash, name_hash);
}

static __always_inline int decide(__u8 hook, __u32 rule_class, struct dentry *dentry, struct vfsmount *vfsmnt,
				  int write, int how)
{
	struct decision d = {};

	if (!begin(&d, rule_class))
		return 0;
	return judge_path(&d, hook, rule_class, dentry, vfsmnt, write, how);
}

/* Operations on a name in a directory: the name's path, in the directory's mount. */
static __always_inline int decide_entry(__u8 hook, const struct path *dir, struct dentry *dentry, int how)
{
	return decide(hook, BW_CLASS_FILE, dentry, BPF_CORE_READ(dir, mnt), 1, how);
}

static __always_inline int decide_path(__u8 hook, const struct path *path, int write, int how)
{
	return decide(hook, BW_CLASS_FILE, BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt), write, how);
}

/* Up to 6.14 a super block lists its mounts in a list_head; later kernels chain them through the mounts. */
struct super_block___v61 {
	struct list_head s_mounts;
} __attribute__((preserve_access_index));

struct mount___v61 {
	struct list_head mnt_instance;
} __attribute__((preserve_access_index));

/*
 * The mount an inode hook's dentry is seen through (inode hooks get no path): the task's root mount for a file
 * of its root file system, else the first mount of the file's file system in the task's mount namespace.
 */
static __always_inline struct vfsmount *mount_of(struct dentry *dentry)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct vfsmount *root = BPF_CORE_READ(task, fs, root.mnt);
	struct mnt_namespace *ns = BPF_CORE_READ(task, nsproxy, mnt_ns);
	struct super_block *sb = BPF_CORE_READ(dentry, d_sb);
	struct mount *mnt = 0;
	struct list_head *at = 0;
	void *head = 0;

	if (BPF_CORE_READ(root, mnt_sb) == sb)
		return root;
	if (bpf_core_field_exists(struct mount, mnt_next_for_sb)) {
		mnt = BPF_CORE_READ(sb, s_mounts);
	} else {
		struct super_block___v61 *old = (void *)sb;

		head = (void *)sb + bpf_core_field_offset(struct super_block___v61, s_mounts);
		at = BPF_CORE_READ(old, s_mounts.next);
	}
	for (int i = 0; i < 16; i++) {
		if (!bpf_core_field_exists(struct mount, mnt_next_for_sb)) {
			if (!at || (void *)at == head)
				break;
			mnt = (struct mount *)((void *)at - bpf_core_field_offset(struct mount___v61, mnt_instance));
		}
		if (!mnt)
			break;
		if (BPF_CORE_READ(mnt, mnt_ns) == ns)
			return (struct vfsmount *)((void *)mnt + bpf_core_field_offset(struct mount, mnt));
		if (bpf_core_field_exists(struct mount, mnt_next_for_sb))
			mnt = BPF_CORE_READ(mnt, mnt_next_for_sb);
		else
			at = BPF_CORE_READ(at, next);
	}
	return 0;
}

/* A change to a file's metadata that only an inode hook sees (times, extended attributes, ACLs): a write. */
static __always_inline int decide_inode(__u8 hook, struct dentry *dentry)
{
	struct decision d = {};
	struct task_struct *task;
	struct vfsmount *mnt;

	if (!begin(&d, BW_CLASS_FILE))
		return 0;
	task = d.task;
	/* The kernel acting with borrowed credentials (overlayfs on its backing files): the task's own call was judged. */
	if (BPF_CORE_READ(task, cred) != BPF_CORE_READ(task, real_cred))
		return 0;
	mnt = mount_of(dentry);
	if (!mnt) {
		/* Nowhere in the task's namespace: nameless, so denied where a Block or block posture applies. */
		if (d.modes->has_block[BW_CLASS_FILE] ||
		    (d.modes->whitelist[BW_CLASS_FILE] && d.modes->posture_block[BW_CLASS_FILE])) {
			report(&d, hook, BW_CLASS_FILE, BW_DECISION_BLOCKED, 0, -EACCES, BW_UNNAMED_DETACHED);
			return -EACCES;
		}
		return 0;
	}
	return judge_path(&d, hook, BW_CLASS_FILE, dentry, mnt, 1, JUDGE_DIRECTORY_NAME);
}

/*
 * The path a file was opened by. A mapping of an overlayfs file holds the backing file instead (the kernel
 * swaps it in at mmap); from 6.6 that file's f_path is the layer's path, hidden from the task, and the path the
 * task used is kept beside it (struct backing_file).
 */
static __always_inline void user_path(struct file *file, struct dentry **dentry, struct vfsmount **mnt)
{
	if (bpf_core_type_exists(struct backing_file) && (BPF_CORE_READ(file, f_mode) & FMODE_BACKING)) {
		struct backing_file *backing = (struct backing_file *)((void *)file -
								       bpf_core_field_offset(struct backing_file, file));
		*dentry = BPF_CORE_READ(backing, user_path.dentry);
		*mnt = BPF_CORE_READ(backing, user_path.mnt);
		return;
	}
	*dentry = BPF_CORE_READ(file, f_path.dentry);
	*mnt = BPF_CORE_READ(file, f_path.mnt);
}
