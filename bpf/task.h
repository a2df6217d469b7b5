/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What both BPF programs need to know about the current task: its endpoint (pid and mount namespace), its
 * process ids as its own namespace sees them, and the absolute path of a (dentry, mount) pair.
 */
#ifndef BULWARK_TASK_H
#define BULWARK_TASK_H

/*
 * A value masked where the verifier sees it (an index, a size): the compiler drops a mask it can prove redundant
 * from an earlier check, and the verifier cannot always follow that proof (6.12 loses the bounds of registers
 * linked across a comparison).
 */
static __always_inline __u32 bounded(__u32 value, __u32 mask)
{
	value &= mask;
	barrier_var(value);
	return value & mask;
}

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

/*
 * What path_of returns besides a length: -(enum bulwark_unnamed) when the file has no name to judge it by, or
 * PATH_PSEUDO for a file of a kernel-internal mount (pipe, socket, memfd, eventfd, namespace file), which has
 * no path at all.
 */
#define PATH_PSEUDO (-16)

/* Room to assemble a path right to left, with room for one more name past its end for the verifier's sake. */
struct assembly {
	char buf[BULWARK_PATH_MAX + 256];
	__u32 pos; /* in a map value, not on the stack: up_one branches on it (see bpf/README.md) */
	__u32 pad;
};

/* Walking from a dentry up to the task's root, across mounts, writing names right to left. */
struct path_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	struct assembly *a;
	int result; /* 0 while walking; 1: reached a root; or what path_of returns for a file without a path */
};

/* Internal mounts (kern_mount) carry MNT_NS_INTERNAL, an error pointer, instead of a namespace. */
static __always_inline int internal_mount(struct mnt_namespace *ns)
{
	return !ns || (unsigned long)ns >= (unsigned long)-4095;
}

static long up_one(__u32 i, struct path_walk *u)
{
	/* Plain loads first: inside BPF_CORE_READ they would become CO-RE relocations of this local struct. */
	struct dentry *d = u->dentry;
	struct vfsmount *vfsmnt = u->vfsmnt;
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
	struct dentry *parent;
	struct qstr name;
	__u32 len, pos;

	if (d == u->root_dentry && vfsmnt == u->root_mnt) {
		u->result = 1;
		return 1;
	}
	if (d == BPF_CORE_READ(vfsmnt, mnt_root)) {
		/* The top of a mount: continue from where it is mounted, in the parent mount. */
		struct mount *up_mnt = BPF_CORE_READ(mnt, mnt_parent);
		if (up_mnt == mnt) {
			/*
			 * The root of a mount tree: of a namespace (this task's, above a chroot, or another's through
			 * /proc/<pid>/root), an internal mount's, or one attached nowhere (anonymous namespace, no inode).
			 */
			struct mnt_namespace *ns = BPF_CORE_READ(mnt, mnt_ns);
			if (internal_mount(ns))
				u->result = ns ? PATH_PSEUDO : -BW_UNNAMED_DETACHED;
			else if (BPF_CORE_READ(ns, ns.inum) == 0)
				u->result = -BW_UNNAMED_DETACHED;
			else
				u->result = 1;
			return 1;
		}
		u->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		u->vfsmnt = &up_mnt->mnt;
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (parent == d) {
		/* A root dentry that is not its mount's: a pseudo file's, or one found by handle (disconnected). */
		u->result = internal_mount(BPF_CORE_READ(mnt, mnt_ns)) ? PATH_PSEUDO : -BW_UNNAMED_DISCONNECTED;
		return 1;
	}
	name = BPF_CORE_READ(d, d_name);
	len = name.len & 0xff;
	pos = u->a->pos;
	if (pos < len + 2) { /* keep pos above 0: the copy below takes at most PATH_MAX - 1 bytes */
		u->result = -BW_UNNAMED_TOO_LONG;
		return 1;
	}
	pos -= len;
	bpf_probe_read_kernel(&u->a->buf[pos & (BULWARK_PATH_MAX - 1)], bounded(len, 0xff), name.name);
	pos -= 1;
	u->a->buf[pos & (BULWARK_PATH_MAX - 1)] = '/';
	u->a->pos = pos;
	u->dentry = parent;
	return 0;
}

/*
 * The absolute path of (dentry, mount) as the current task sees it (relative to its root, as d_path), into
 * out. Returns its length; -BW_UNNAMED_* when it has no name to judge it by (too long or deep, disconnected,
 * detached); PATH_PSEUDO for a file without a path (out then holds its dentry's name, e.g. "memfd:x").
 */
static __always_inline long path_of(struct dentry *dentry, struct vfsmount *vfsmnt, char *out, struct assembly *a)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct path_walk u = {
		.dentry = dentry,
		.vfsmnt = vfsmnt,
		.root_dentry = BPF_CORE_READ(task, fs, root.dentry),
		.root_mnt = BPF_CORE_READ(task, fs, root.mnt),
		.a = a,
	};
	__u32 len, pos;

	a->buf[BULWARK_PATH_MAX - 1] = 0;
	a->pos = BULWARK_PATH_MAX - 1;
	bpf_loop(BULWARK_PATH_MAX / 2, up_one, &u, 0);
	if (u.result == PATH_PSEUDO) {
		bpf_probe_read_kernel_str(out, BULWARK_EVENT_PATH, BPF_CORE_READ(dentry, d_name.name));
		return PATH_PSEUDO;
	}
	if (u.result != 1)
		return u.result < 0 ? u.result : -BW_UNNAMED_TOO_LONG;
	pos = a->pos;
	if (pos >= BULWARK_PATH_MAX - 1) { /* the root itself */
		pos = BULWARK_PATH_MAX - 2;
		a->buf[pos] = '/';
	}
	len = BULWARK_PATH_MAX - pos;
	bpf_probe_read_kernel(out, len & (BULWARK_PATH_MAX - 1), &a->buf[pos & (BULWARK_PATH_MAX - 1)]);
	return len - 1;
}

#endif
