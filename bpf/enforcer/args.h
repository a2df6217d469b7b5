/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * allowedArgs: the arguments of an exec.
 */
/* ---- allowedArgs: the arguments of an exec, recorded where they are still the caller's memory ---- */

struct args_walk {
	const char *const *argv;
	struct scratch *s;
	struct exec_args *out;
};

static long hash_arg(__u32 i, struct args_walk *a)
{
	const char *arg = 0;
	char *buf = a->s->parent;
	long length;

	if (i >= BULWARK_MAX_ARGS + 1)
		return 1;
	if (bpf_probe_read_user(&arg, sizeof(arg), &a->argv[i + 1]) < 0 || !arg)
		return 1;
	if (i == BULWARK_MAX_ARGS) { /* one more than allowedArgs can list */
		a->out->too_long = 1;
		return 1;
	}
	length = bpf_probe_read_user_str(buf, BULWARK_ARG_MAX, arg);
	if (length <= 0 || length >= BULWARK_ARG_MAX) { /* unreadable, or cut: never equal to a listed one */
		a->out->too_long = 1;
		return 1;
	}
	for (int j = 0; j < BULWARK_ARG_MAX; j++) {
		if (j >= length)
			break;
		sip_byte(&a->s->w.text, buf[j]); /* the NUL included */
	}
	a->out->count++;
	return 0;
}

static __always_inline int record_args(const char *const *argv)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct endpoint_key ep = endpoint_of(task);
	struct exec_args args = {};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct scratch *s;

	/*
	 * Every registered endpoint has modes; namespaces without are governed by where they came from. Only the
	 * host without rules needs no arguments.
	 */
	if (ep.pid_ns == 0 && !bpf_map_lookup_elem(&endpoint_modes, &ep))
		return 0;
	s = scratch();
	if (!s)
		return 0;
	load_key(&s->w);
	sip_start(&s->w, &s->w.text);
	struct args_walk a = {.argv = argv, .s = s, .out = &args};
	bpf_loop(BULWARK_MAX_ARGS + 1, hash_arg, &a, 0);
	args.hash = sip_final(&s->w.text);
	bpf_map_update_elem(&exec_args, &tid, &args, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int bulwark_execve_args(struct trace_event_raw_sys_enter *ctx)
{
	return record_args((const char *const *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int bulwark_execveat_args(struct trace_event_raw_sys_enter *ctx)
{
	return record_args((const char *const *)ctx->args[2]);
}

/* An exec's arguments are kept until its system call returns, whether it failed or not. */
static __always_inline int forget_args(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&exec_args, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int bulwark_execve_done(struct trace_event_raw_sys_exit *ctx)
{
	return forget_args();
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int bulwark_execveat_done(struct trace_event_raw_sys_exit *ctx)
{
	return forget_args();
}
