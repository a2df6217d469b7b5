/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What both BPF programs need to know about the current task: its endpoint (pid and mount namespace), its
 * process ids as its own namespace sees them, and the absolute path of a (dentry, mount) pair.
 */
#ifndef BULWARK_TASK_H
#define BULWARK_TASK_H

/* A task's process id as seen in the namespace at `level` (0 when it has none there). */
static __always_inline __u32 ns_pid(struct task_struct *task, unsigned int level)
{
	struct pid *pid = BPF_CORE_READ(task, group_leader, thread_pid);
	struct upid upid = {};

	if (!pid || BPF_CORE_READ(pid, level) < level)
		return 0;
	bpf_probe_read_kernel(&upid, sizeof(upid), (void *)pid + bpf_core_field_offset(struct pid, numbers) +
				      (level & 31) * bpf_core_type_size(struct upid));
	return upid.nr;
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

/* Walking from a dentry up to the task's root, across mounts, writing names right to left. */
struct path_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	char *buf;
	__u32 pos;
	int complete;   /* reached the root */
	int incomplete; /* ran out of room */
};

static long up_one(__u32 i, struct path_walk *u)
{
	/* Plain loads first: inside BPF_CORE_READ they would become CO-RE relocations of this local struct. */
	struct dentry *d = u->dentry;
	struct vfsmount *vfsmnt = u->vfsmnt;
	struct dentry *parent;
	struct mount *mnt;
	struct qstr name;
	__u32 len;

	if (d == u->root_dentry && vfsmnt == u->root_mnt) {
		u->complete = 1;
		return 1;
	}
	if (d == BPF_CORE_READ(vfsmnt, mnt_root)) {
		/* The top of a mount: continue from where it is mounted, in the parent mount. */
		mnt = container_of(vfsmnt, struct mount, mnt);
		struct mount *up_mnt = BPF_CORE_READ(mnt, mnt_parent);
		if (up_mnt == mnt) {
			u->complete = 1;
			return 1;
		}
		u->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		u->vfsmnt = &up_mnt->mnt;
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (parent == d) {
		u->complete = 1;
		return 1;
	}
	name = BPF_CORE_READ(d, d_name);
	len = name.len & 0xff;
	if (u->pos < len + 1) {
		u->incomplete = 1;
		return 1;
	}
	u->pos -= len;
	bpf_probe_read_kernel(&u->buf[u->pos & (BULWARK_PATH_MAX - 1)], len, name.name);
	u->pos -= 1;
	u->buf[u->pos & (BULWARK_PATH_MAX - 1)] = '/';
	u->dentry = parent;
	return 0;
}

/*
 * The absolute path of (dentry, mount) as the current task sees it (relative to its root, as d_path), into
 * out. Returns its length, or -1 when it is deeper or longer than BULWARK_PATH_MAX allows.
 */
static __always_inline long path_of(struct dentry *dentry, struct vfsmount *vfsmnt, char *out, char *buf)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct path_walk u = {
		.dentry = dentry,
		.vfsmnt = vfsmnt,
		.root_dentry = BPF_CORE_READ(task, fs, root.dentry),
		.root_mnt = BPF_CORE_READ(task, fs, root.mnt),
		.buf = buf,
		.pos = BULWARK_PATH_MAX - 1,
	};
	__u32 len;

	buf[BULWARK_PATH_MAX - 1] = 0;
	bpf_loop(BULWARK_PATH_MAX / 2, up_one, &u, 0);
	if (u.incomplete || !u.complete)
		return -1;
	if (u.pos == BULWARK_PATH_MAX - 1) {
		u.pos -= 1;
		buf[u.pos & (BULWARK_PATH_MAX - 1)] = '/';
	}
	len = BULWARK_PATH_MAX - u.pos;
	bpf_probe_read_kernel(out, len & (BULWARK_PATH_MAX - 1), &buf[u.pos & (BULWARK_PATH_MAX - 1)]);
	return len - 1;
}

#endif
