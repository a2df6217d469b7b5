/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * Presets: filelessExec, anonymousMapExec, protectEnv, protectProc, exec.
 */
/* ---- Presets ---- */

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
		report(d, hook, rule_class, BW_DECISION_BLOCKED, rule, -EACCES, 0);
		return -EACCES;
	}
	rule = d->modes->preset_audit[which];
	if (rule)
		report(d, hook, rule_class, BW_DECISION_AUDITED, rule, 0, 0);
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
	else if (path_of(dentry, BPF_CORE_READ(file, f_path.mnt), d->s->path, &d->s->assemble) < 0)
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
		    &d->s->assemble) < 0)
		d->s->path[0] = 0;
	return preset_verdict(d, BW_PRESET_EXEC, BW_HOOK_BPRM_CHECK, BW_CLASS_PROCESS);
}

#define PROC_SUPER_MAGIC 0x9fa0

/*
 * Whether a proc inode belongs to another process than this task: the process a proc inode belongs to is its
 * struct pid; this task's is its thread group leader's (its own thread's for /proc/<pid>/task/<tid>/).
 */
static __always_inline int of_another_process(struct task_struct *task, struct inode *inode)
{
	struct proc_inode *proc;
	struct pid *owner;

	if (!inode || BPF_CORE_READ(inode, i_sb, s_magic) != PROC_SUPER_MAGIC)
		return 0;
	proc = (struct proc_inode *)((void *)inode - bpf_core_field_offset(struct proc_inode, vfs_inode));
	owner = BPF_CORE_READ(proc, pid);
	return owner && owner != BPF_CORE_READ(task, group_leader, thread_pid) && owner != BPF_CORE_READ(task, thread_pid);
}

/* protectProc and protectEnv: a file of /proc/<pid>/ (environ for protectEnv) where <pid> is another process. */
static __always_inline int proc_presets(struct decision *d, struct file *file)
{
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	char name[8] = {};
	int environ;

	if (!has_preset(d, BW_PRESET_PROTECT_PROC) && !has_preset(d, BW_PRESET_PROTECT_ENV))
		return 0;
	if (!of_another_process(d->task, BPF_CORE_READ(file, f_inode)))
		return 0;
	if (path_of(dentry, BPF_CORE_READ(file, f_path.mnt), d->s->path, &d->s->assemble) < 0)
		d->s->path[0] = 0;
	bpf_probe_read_kernel(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	environ = starts_with(name, "environ", 8);
	if (environ && has_preset(d, BW_PRESET_PROTECT_ENV))
		return preset_verdict(d, BW_PRESET_PROTECT_ENV, BW_HOOK_FILE_OPEN, BW_CLASS_FILE);
	return preset_verdict(d, BW_PRESET_PROTECT_PROC, BW_HOOK_FILE_OPEN, BW_CLASS_FILE);
}

/*
 * protectProc for the links of /proc/<pid>/ (fd/N, cwd, root, exe, map_files/, ns/): followed, they lead into
 * another process's files by its names, not by any path the rules know; read, they tell where it works.
 */
static __always_inline int proc_link(__u8 hook, struct dentry *dentry)
{
	struct decision d = {};
	struct vfsmount *mnt;

	if (!begin(&d, BW_CLASS_FILE) || !has_preset(&d, BW_PRESET_PROTECT_PROC))
		return 0;
	if (!of_another_process(d.task, BPF_CORE_READ(dentry, d_inode)))
		return 0;
	mnt = mount_of(dentry);
	if (!mnt || path_of(dentry, mnt, d.s->path, &d.s->assemble) < 0)
		bpf_probe_read_kernel_str(d.s->path, BULWARK_EVENT_PATH, BPF_CORE_READ(dentry, d_name.name));
	return preset_verdict(&d, BW_PRESET_PROTECT_PROC, hook, BW_CLASS_FILE);
}

SEC("lsm/inode_follow_link")
int BPF_PROG(bulwark_inode_follow_link, struct dentry *dentry, struct inode *inode, bool rcu)
{
	return proc_link(BW_HOOK_INODE_FOLLOW_LINK, dentry);
}

SEC("lsm/inode_readlink")
int BPF_PROG(bulwark_inode_readlink, struct dentry *dentry)
{
	return proc_link(BW_HOOK_INODE_READLINK, dentry);
}
