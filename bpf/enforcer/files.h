/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * Files: opens, writes and the path hooks.
 */
/* ---- Files ---- */

#define MAY_WRITE 0x2
#define MAY_APPEND 0x8

SEC("lsm/file_open")
int BPF_PROG(bulwark_file_open, struct file *file)
{
	struct decision d = {};
	int ret;

	if (file->f_mode & (FMODE_NOACCOUNT | FMODE_BACKING))
		return 0; /* the kernel's own second open (overlayfs): the open the task asked for was judged */
	if (!begin(&d, BW_CLASS_FILE))
		return 0;
	ret = proc_presets(&d, file);
	if (ret)
		return ret;
	d.s->path[0] = 0;
	return judge_path(&d, BW_HOOK_FILE_OPEN, BW_CLASS_FILE, BPF_CORE_READ(file, f_path.dentry),
			  BPF_CORE_READ(file, f_path.mnt), file->f_mode & FMODE_WRITE, 0);
}

static __always_inline int spliced_query(struct file *file);

/* Writes through descriptors opened before the rules came; sends into DNS sockets the rules cannot read. */
SEC("lsm/file_permission")
int BPF_PROG(bulwark_file_permission, struct file *file, int mask)
{
	int ret;

	if (!(mask & (MAY_WRITE | MAY_APPEND)) || (file->f_mode & (FMODE_NOACCOUNT | FMODE_BACKING)))
		return 0;
	ret = spliced_query(file);
	if (ret)
		return ret;
	return decide_path(BW_HOOK_FILE_PERMISSION, &file->f_path, 1, 0);
}

SEC("lsm/path_unlink")
int BPF_PROG(bulwark_path_unlink, const struct path *dir, struct dentry *dentry)
{
	return decide_entry(BW_HOOK_PATH_UNLINK, dir, dentry, 0);
}

SEC("lsm/path_mkdir")
int BPF_PROG(bulwark_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode)
{
	return decide_entry(BW_HOOK_PATH_MKDIR, dir, dentry, JUDGE_CREATE);
}

SEC("lsm/path_rmdir")
int BPF_PROG(bulwark_path_rmdir, const struct path *dir, struct dentry *dentry)
{
	return decide_entry(BW_HOOK_PATH_RMDIR, dir, dentry, JUDGE_DIRECTORY_NAME);
}

/* Also every file an open(O_CREAT) creates. */
SEC("lsm/path_mknod")
int BPF_PROG(bulwark_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode, unsigned int dev)
{
	return decide_entry(BW_HOOK_PATH_MKNOD, dir, dentry, JUDGE_CREATE);
}

SEC("lsm/path_symlink")
int BPF_PROG(bulwark_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name)
{
	return decide_entry(BW_HOOK_PATH_SYMLINK, dir, dentry, JUDGE_CREATE);
}

/* A hard link is a second name for the same file: the old name must be writable as well as the new. */
SEC("lsm/path_link")
int BPF_PROG(bulwark_path_link, struct dentry *old_dentry, const struct path *new_dir, struct dentry *new_dentry)
{
	int ret = decide(BW_HOOK_PATH_LINK, BW_CLASS_FILE, old_dentry, BPF_CORE_READ(new_dir, mnt), 1, 0);

	return ret ? ret : decide_entry(BW_HOOK_PATH_LINK, new_dir, new_dentry, JUDGE_CREATE);
}

/*
 * A rename removes the old name and creates the new one: both must be writable, and a directory with
 * protected paths below must not move (its files would leave their rules behind).
 */
SEC("lsm/path_rename")
int BPF_PROG(bulwark_path_rename, const struct path *old_dir, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry)
{
	int ret = decide_entry(BW_HOOK_PATH_RENAME, old_dir, old_dentry, JUDGE_DIRECTORY_NAME);

	return ret ? ret : decide_entry(BW_HOOK_PATH_RENAME, new_dir, new_dentry, JUDGE_DIRECTORY_NAME);
}

SEC("lsm/path_chmod")
int BPF_PROG(bulwark_path_chmod, const struct path *path, umode_t mode)
{
	return decide_path(BW_HOOK_PATH_CHMOD, path, 1, JUDGE_DIRECTORY_NAME);
}

/* chown, fchown, lchown: whoever owns a file is what ownerOnly rules are about. */
SEC("lsm/path_chown")
int BPF_PROG(bulwark_path_chown, const struct path *path)
{
	return decide_path(BW_HOOK_PATH_CHOWN, path, 1, JUDGE_DIRECTORY_NAME);
}

/* truncate(2), and before 6.2 also ftruncate and open(O_TRUNC). */
SEC("lsm/path_truncate")
int BPF_PROG(bulwark_path_truncate, const struct path *path)
{
	return decide_path(BW_HOOK_PATH_TRUNCATE, path, 1, 0);
}

/* ftruncate and open(O_TRUNC) from 6.2 (loaded only where the kernel has the hook). */
SEC("lsm/file_truncate")
int BPF_PROG(bulwark_file_truncate, struct file *file)
{
	return decide_path(BW_HOOK_FILE_TRUNCATE, &file->f_path, 1, 0);
}

#define ATTR_MODE (1 << 0)
#define ATTR_UID (1 << 1)
#define ATTR_GID (1 << 2)
#define ATTR_SIZE (1 << 3)
#define ATTR_ATIME (1 << 4)
#define ATTR_MTIME (1 << 5)

/* Times (utimes, touch): what the path hooks do not see. Mode, owner and size changes they judge already. */
static __always_inline int setattr(struct dentry *dentry, struct iattr *attr)
{
	unsigned int valid = BPF_CORE_READ(attr, ia_valid);

	if (!(valid & (ATTR_ATIME | ATTR_MTIME)) || (valid & (ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_SIZE)))
		return 0;
	return decide_inode(BW_HOOK_INODE_SETATTR, dentry);
}

/* Before 6.3 (the agent loads the variant whose arguments the kernel's hook has). */
SEC("lsm/inode_setattr")
int BPF_PROG(bulwark_inode_setattr, struct dentry *dentry, struct iattr *attr)
{
	return setattr(dentry, attr);
}

SEC("lsm/inode_setattr")
int BPF_PROG(bulwark_inode_setattr_idmap, void *idmap, struct dentry *dentry, struct iattr *attr)
{
	return setattr(dentry, attr);
}

/* Extended attributes: ACLs before 6.2, file capabilities, security labels, user attributes. */
SEC("lsm/inode_setxattr")
int BPF_PROG(bulwark_inode_setxattr, void *ns, struct dentry *dentry)
{
	return decide_inode(BW_HOOK_INODE_SETXATTR, dentry);
}

SEC("lsm/inode_removexattr")
int BPF_PROG(bulwark_inode_removexattr, void *ns, struct dentry *dentry)
{
	return decide_inode(BW_HOOK_INODE_REMOVEXATTR, dentry);
}

/* POSIX ACLs from 6.2, which no longer pass through the xattr hooks (loaded where the kernel has them). */
SEC("lsm/inode_set_acl")
int BPF_PROG(bulwark_inode_set_acl, void *idmap, struct dentry *dentry)
{
	return decide_inode(BW_HOOK_INODE_SET_ACL, dentry);
}

SEC("lsm/inode_remove_acl")
int BPF_PROG(bulwark_inode_remove_acl, void *idmap, struct dentry *dentry)
{
	return decide_inode(BW_HOOK_INODE_REMOVE_ACL, dentry);
}

#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define MAP_TYPE 0x0f
#define MAP_SHARED 0x01
#define MAP_SHARED_VALIDATE 0x03
#define VM_WRITE 0x2
#define VM_EXEC 0x4
#define VM_SHARED 0x8

/* anonymousMapExec: executable memory that no file backs. */
/*
 * Shared anonymous memory (MAP_SHARED | MAP_ANONYMOUS, or a shared mapping of /dev/zero) is backed by an
 * unlinked shmem file the kernel names "dev/zero" on its internal mount: anonymous all the same.
 */
static __always_inline int shared_anonymous(struct file *file)
{
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	void *vfsmnt = BPF_CORE_READ(file, f_path.mnt);
	struct mount *mnt = (struct mount *)(vfsmnt - bpf_core_field_offset(struct mount, mnt));
	char name[9] = {};

	if (!internal_mount(BPF_CORE_READ(mnt, mnt_ns)))
		return 0;
	bpf_probe_read_kernel(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	return starts_with(name, "dev/zero", 9);
}

static __always_inline int anonymous_exec(__u8 hook, unsigned long prot, unsigned long flags)
{
	struct decision d = {};

	if (!begin(&d, BW_CLASS_FILE) || !has_preset(&d, BW_PRESET_ANON_MAP_EXEC))
		return 0;
	d.subject.prot = prot;
	d.subject.map_flags = flags;
	return preset_verdict(&d, BW_PRESET_ANON_MAP_EXEC, hook, BW_CLASS_FILE);
}

/*
 * Memory maps: executable ones (a program run by a loader, or anonymous for anonymousMapExec), and shared
 * writable ones of a file, which write it without write() (the descriptor may be older than the rule).
 */
SEC("lsm/mmap_file")
int BPF_PROG(bulwark_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot, unsigned long flags)
{
	unsigned long address = 0;
	int ret = 0;

	/*
	 * The file is NULL for anonymous memory, yet newer verifiers take an LSM hook's pointer arguments for
	 * non-NULL and drop the test: it is read as a number.
	 */
	bpf_probe_read_kernel(&address, sizeof(address), &ctx[0]);
	if (!address)
		return (prot & PROT_EXEC) ? anonymous_exec(BW_HOOK_MMAP_FILE, prot, flags) : 0;
	if (prot & PROT_EXEC)
		ret = executable_mapping(BW_HOOK_MMAP_FILE, file);
	if (!ret && (prot & PROT_WRITE) && ((flags & MAP_TYPE) == MAP_SHARED || (flags & MAP_TYPE) == MAP_SHARED_VALIDATE))
		ret = decide_path(BW_HOOK_MMAP_FILE, &file->f_path, 1, 0);
	return ret;
}

/* mprotect adding what mmap would have been asked for: execution, or writing to a shared file mapping. */
SEC("lsm/file_mprotect")
int BPF_PROG(bulwark_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot, unsigned long prot)
{
	unsigned long vm_flags = BPF_CORE_READ(vma, vm_flags);
	struct file *file = BPF_CORE_READ(vma, vm_file);
	int ret = 0;

	if ((prot & PROT_EXEC) && !(vm_flags & VM_EXEC)) {
		if (!file || shared_anonymous(file))
			return anonymous_exec(BW_HOOK_FILE_MPROTECT, prot, (vm_flags & VM_SHARED) ? MAP_SHARED : 0);
		ret = executable_mapping(BW_HOOK_FILE_MPROTECT, file);
	}
	if (!ret && file && (prot & PROT_WRITE) && !(vm_flags & VM_WRITE) && (vm_flags & VM_SHARED)) {
		struct dentry *dentry;
		struct vfsmount *mnt;

		user_path(file, &dentry, &mnt);
		ret = decide(BW_HOOK_FILE_MPROTECT, BW_CLASS_FILE, dentry, mnt, 1, 0);
	}
	return ret;
}
