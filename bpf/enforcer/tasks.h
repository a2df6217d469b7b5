/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * Tasks: what they inherit.
 */
/* ---- Tasks: what they inherit ---- */

/* A new task (process or thread) carries on its creator's endpoint and running program. */
SEC("lsm/task_alloc")
int BPF_PROG(bulwark_task_alloc, struct task_struct *task, unsigned long clone_flags)
{
	struct task_struct *parent = (struct task_struct *)bpf_get_current_task_btf();
	struct task_identity *from, *child;
	struct endpoint_key ep;

	if (!governing(parent, &ep, &from))
		return 0; /* nothing governs the creator: its namespaces will tell when rules come */
	child = bpf_task_storage_get(&task_identities, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!child)
		return 0;
	child->ep = ep;
	child->state = BW_TASK_KNOWN;
	child->program = 0;
	child->exec_source = 0;
	child->exe = 0;
	child->source_hash = 0;
	if (from) {
		child->state |= from->state & BW_TASK_LOADER;
		child->program = from->program;
		child->exec_source = from->exec_source;
		child->exe = from->exe;
		child->source_hash = from->source_hash;
	}
	return 0;
}
