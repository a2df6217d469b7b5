/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * The exec preset's sessions.
 */
/* ---- The exec preset's sessions: who entered a pid namespace from outside, and who descends from them ---- */

/* The inode of the pid namespace a task lives in (not the one its children will). */
static __always_inline __u32 own_pid_ns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct pid_namespace *ns = 0;

	bpf_probe_read_kernel(&ns, sizeof(ns), (void *)pid + bpf_core_field_offset(struct pid, numbers) +
			      (level & 31) * bpf_core_type_size(struct upid) + bpf_core_field_offset(struct upid, ns));
	return BPF_CORE_READ(ns, ns.inum);
}

SEC("tracepoint/syscalls/sys_exit_setns")
int bulwark_setns(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u8 yes = 1;

	if (ctx->ret == 0 && BPF_CORE_READ(task, nsproxy, pid_ns_for_children, ns.inum) != own_pid_ns(task))
		bpf_map_update_elem(&entered, &tgid, &yes, BPF_ANY);
	return 0;
}

SEC("tracepoint/sched/sched_process_fork")
int bulwark_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	__u32 parent = bpf_get_current_pid_tgid() >> 32;
	__u32 child = ctx->child_pid;
	__u8 yes = 1;

	if (bpf_map_lookup_elem(&entered, &parent))
		bpf_map_update_elem(&entered, &child, &yes, BPF_ANY);
	return 0;
}
