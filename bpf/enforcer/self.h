/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * selfProtection: the agent's BPF objects, signals and ptrace.
 */
/* ---- selfProtection: the agent's BPF objects, signals and ptrace are the agent's alone ---- */

/* Another process than the agent acts while the agent is protected. */
static __always_inline struct self_identity *stranger(void)
{
	struct self_identity *self = live_agent();

	if (!self || is_agent(self, (struct task_struct *)bpf_get_current_task_btf()))
		return 0;
	return self;
}

static __always_inline int protected_object(__u32 kind, __u32 id)
{
	__u64 key = ((__u64)kind << 32) | id;

	return bpf_map_lookup_elem(&protected_objects, &key) != 0;
}

/*
 * Denies and reports what another process tried on the agent, described in s->path. The event goes out under
 * the endpoint the process belongs to (the host's when none governs it).
 */
static __always_inline int deny_stranger(__u8 hook, struct decision *d)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();

	d->task = task;
	if (!governing(task, &d->ep, &d->id)) {
		d->ep.pid_ns = 0;
		d->ep.mnt_ns = 0;
	}
	report(d, hook, BW_CLASS_PROCESS, BW_DECISION_SELF, 0, -EPERM, 0);
	return -EPERM;
}

/* A description of the attempt into the scratch space, for the alert. */
static __always_inline struct scratch *describe(struct decision *d)
{
	d->s = scratch();
	if (d->s)
		d->s->path[0] = 0;
	return d->s;
}

/* A map fd by id or from a pin (BPF_MAP_GET_FD_BY_ID, BPF_OBJ_GET): not of the agent's maps. */
SEC("lsm/bpf_map")
int BPF_PROG(bulwark_bpf_map, struct bpf_map *map, fmode_t fmode)
{
	struct decision d = {};
	__u64 args[1];

	char name[9] = {};

	if (!stranger())
		return 0;
	bpf_probe_read_kernel(name, sizeof(name), map->name);
	/* The rule and glob maps of endpoints are made at run time, all named so (Bpf.createLike). */
	if (!protected_object(BW_OBJECT_MAP, BPF_CORE_READ(map, id)) && !starts_with(name, "bw_rules", 9) &&
	    !starts_with(name, "bw_globs", 9))
		return 0;
	if (!describe(&d))
		return 0;
	args[0] = (__u64)BPF_CORE_READ(map, name);
	bpf_snprintf(d.s->path, BULWARK_EVENT_PATH, "bpf map %s", args, sizeof(args));
	return deny_stranger(BW_HOOK_BPF_MAP, &d);
}

/* A program fd by id or from a pin: not of the agent's programs. */
SEC("lsm/bpf_prog")
int BPF_PROG(bulwark_bpf_prog, struct bpf_prog *prog)
{
	struct decision d = {};
	__u64 args[1];

	if (!stranger() || !protected_object(BW_OBJECT_PROG, BPF_CORE_READ(prog, aux, id)) || !describe(&d))
		return 0;
	args[0] = (__u64)BPF_CORE_READ(prog, aux, name);
	bpf_snprintf(d.s->path, BULWARK_EVENT_PATH, "bpf program %s", args, sizeof(args));
	return deny_stranger(BW_HOOK_BPF_PROG, &d);
}

/* The id of the BPF link a descriptor of the current task refers to (0: none); only links are compared with it. */
static __always_inline __u32 link_of_fd(__u32 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **files = BPF_CORE_READ(fdt, fd);
	struct file *file = 0;
	struct bpf_link *link;

	if (fd >= BPF_CORE_READ(fdt, max_fds) || bpf_probe_read_kernel(&file, sizeof(file), &files[fd & 0xffff]) < 0 ||
	    !file)
		return 0;
	link = BPF_CORE_READ(file, private_data);
	return link ? BPF_CORE_READ(link, id) : 0;
}

/* Links have no LSM hook of their own: taking one by id, detaching or updating one is judged at bpf(). */
SEC("lsm/bpf")
int BPF_PROG(bulwark_bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	struct decision d = {};
	__u32 link = 0;

	if (cmd != BPF_LINK_GET_FD_BY_ID_CMD && cmd != BPF_LINK_DETACH_CMD && cmd != BPF_LINK_UPDATE_CMD)
		return 0;
	if (!stranger())
		return 0;
	if (cmd == BPF_LINK_GET_FD_BY_ID_CMD)
		link = BPF_CORE_READ(attr, link_id);
	else if (cmd == BPF_LINK_DETACH_CMD)
		link = link_of_fd(BPF_CORE_READ(attr, link_detach.link_fd));
	else
		link = link_of_fd(BPF_CORE_READ(attr, link_update.link_fd));
	if (!link || !protected_object(BW_OBJECT_LINK, link) || !describe(&d))
		return 0;
	__u64 args[1] = {cmd};
	bpf_snprintf(d.s->path, BULWARK_EVENT_PATH, "bpf link (command %d)", args, sizeof(args));
	return deny_stranger(BW_HOOK_BPF, &d);
}

/*
 * Signals to the agent from another process (the kernel's own, such as the OOM killer's or cgroup.kill's, never
 * come here): only init, its parent and, where that parent is not init, the parent's other children may stop it:
 * the service manager; the shell that started it; a container runtime's shim and the helpers it runs to
 * signal its container (runc kill). Signal 0 only asks whether it lives.
 */
SEC("lsm/task_kill")
int BPF_PROG(bulwark_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig, const struct cred *cred)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct self_identity *self;
	struct decision d = {};
	__u32 sender, parent;

	if (sig == 0 || !(self = stranger()) || !is_agent(self, p))
		return 0;
	sender = BPF_CORE_READ(task, tgid);
	parent = BPF_CORE_READ(p, group_leader, real_parent, tgid);
	if (sender == 1 || sender == parent ||
	    (parent != 1 && BPF_CORE_READ(task, group_leader, real_parent, tgid) == parent) || !describe(&d))
		return 0;
	__u64 args[2] = {sig, self->tgid};
	bpf_snprintf(d.s->path, BULWARK_EVENT_PATH, "signal %d to the agent (pid %d)", args, sizeof(args));
	return deny_stranger(BW_HOOK_TASK_KILL, &d);
}

/* ptrace, /proc/<pid>/mem, process_vm_writev, pidfd_getfd on the agent: attaching is the agent's own. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(bulwark_ptrace_access_check, struct task_struct *child, unsigned int mode)
{
	struct self_identity *self;
	struct decision d = {};

	if (!(mode & PTRACE_MODE_ATTACH) || !(self = stranger()) || !is_agent(self, child) || !describe(&d))
		return 0;
	__u64 args[1] = {self->tgid};
	bpf_snprintf(d.s->path, BULWARK_EVENT_PATH, "ptrace of the agent (pid %d)", args, sizeof(args));
	return deny_stranger(BW_HOOK_PTRACE_ACCESS_CHECK, &d);
}
