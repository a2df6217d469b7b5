/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * Which endpoint governs a task.
 */
/* ---- Which endpoint governs a task ---- */

/*
 * The registered container whose pid namespace the task lives in or descends from: 1 (ep set); 0 when the
 * chain reaches the initial namespace (the host); -1 when it cannot tell (a namespace several containers
 * share, or deeper than it looks).
 */
static __always_inline int pidns_endpoint(struct task_struct *task, struct endpoint_key *ep)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct pid_namespace *ns = 0;

	bpf_probe_read_kernel(&ns, sizeof(ns), (void *)pid + bpf_core_field_offset(struct pid, numbers) +
			      (level & 31) * bpf_core_type_size(struct upid) + bpf_core_field_offset(struct upid, ns));
	for (int i = 0; i < 8; i++) {
		__u32 inum;
		struct pidns_owner *owner;

		if (!ns || BPF_CORE_READ(ns, level) == 0)
			return 0;
		inum = BPF_CORE_READ(ns, ns.inum);
		owner = bpf_map_lookup_elem(&pidns_owners, &inum);
		if (owner) {
			if (owner->ambiguous)
				return -1;
			*ep = owner->ep;
			return 1;
		}
		ns = BPF_CORE_READ(ns, parent);
	}
	return -1;
}

/*
 * The endpoint that governs a task, and its modes (NULL: no rules). Namespaces a runtime registered are their
 * container's; any others (unshare, clone flags, setns into unregistered ones) never mean "no rules": they are
 * the container's whose pid namespace the task lives in or descends from, else what the task inherited, else
 * the host's. A task in registered namespaces keeps that endpoint in its storage for its children.
 */
static __always_inline struct endpoint_modes *governing(struct task_struct *task, struct endpoint_key *ep,
							 struct task_identity **identity)
{
	struct task_identity *id = bpf_task_storage_get(&task_identities, task, 0, 0);
	struct endpoint_modes *modes;
	int owner;

	*ep = endpoint_of(task);
	modes = bpf_map_lookup_elem(&endpoint_modes, ep);
	if (modes) {
		if (!id || !(id->state & BW_TASK_KNOWN) || id->ep.pid_ns != ep->pid_ns || id->ep.mnt_ns != ep->mnt_ns) {
			if (!id)
				id = bpf_task_storage_get(&task_identities, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
			if (id) {
				id->ep = *ep;
				id->state |= BW_TASK_KNOWN;
			}
		}
		*identity = id;
		return modes;
	}
	*identity = id;
	owner = pidns_endpoint(task, ep);
	if (owner == 0 || (owner < 0 && !(id && (id->state & BW_TASK_KNOWN)))) {
		ep->pid_ns = 0;
		ep->mnt_ns = 0;
	} else if (owner < 0) {
		*ep = id->ep;
	}
	return bpf_map_lookup_elem(&endpoint_modes, ep);
}
