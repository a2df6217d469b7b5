/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * Mounts: no other names for an endpoint's files.
 */
/* ---- Mounts: no other names for an endpoint's files ---- */

/*
 * A mount, a moved mount, pivot_root or chroot gives files names the rules do not know. While an endpoint's
 * rules could be escaped that way (its guard_rule is set), its processes may do none of them; on the host,
 * root may (it is trusted with the node), other users (through a user namespace) may not.
 */
static __always_inline int guard(__u8 hook, struct dentry *dentry, struct vfsmount *vfsmnt)
{
	struct decision d = {};

	struct task_struct *task;

	if (!begin(&d, BW_CLASS_FILE) || !d.modes->guard_rule)
		return 0;
	task = d.task;
	if (d.ep.pid_ns == 0 && d.ep.mnt_ns == 0 && BPF_CORE_READ(task, cred, uid.val) == 0)
		return 0;
	if (!dentry || path_of(dentry, vfsmnt, d.s->path, &d.s->assemble) < 0)
		d.s->path[0] = 0;
	report(&d, hook, BW_CLASS_FILE, BW_DECISION_GUARDED, d.modes->guard_rule, -EPERM, 0);
	return -EPERM;
}

#define MS_REMOUNT 32
#define MS_BIND 4096
#define MS_UNBINDABLE (1 << 17)
#define MS_PRIVATE (1 << 18)
#define MS_SLAVE (1 << 19)
#define MS_SHARED (1 << 20)

/* mount(2): remounts and propagation changes give no new names; binds, moves and new mounts do. */
SEC("lsm/sb_mount")
int BPF_PROG(bulwark_sb_mount, const char *dev_name, const struct path *path, const char *type, unsigned long flags,
	     void *data)
{
	if (flags & MS_REMOUNT)
		return 0;
	if (!(flags & MS_BIND) && (flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)))
		return 0;
	return guard(BW_HOOK_SB_MOUNT, BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt));
}

/* move_mount(2): attaching a tree made by open_tree or fsmount, or moving one. */
SEC("lsm/move_mount")
int BPF_PROG(bulwark_move_mount, const struct path *from_path, const struct path *to_path)
{
	return guard(BW_HOOK_MOVE_MOUNT, BPF_CORE_READ(to_path, dentry), BPF_CORE_READ(to_path, mnt));
}

SEC("lsm/sb_pivotroot")
int BPF_PROG(bulwark_sb_pivotroot, const struct path *old_path, const struct path *new_path)
{
	return guard(BW_HOOK_SB_PIVOTROOT, BPF_CORE_READ(new_path, dentry), BPF_CORE_READ(new_path, mnt));
}

SEC("lsm/path_chroot")
int BPF_PROG(bulwark_path_chroot, const struct path *path)
{
	return guard(BW_HOOK_PATH_CHROOT, BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt));
}
