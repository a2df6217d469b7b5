/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * Reporting: the alert budgets and the events.
 */
/* ---- Reporting ---- */

/*
 * Whether this endpoint may report one more alert of this budget: at most max_alerts_per_sec per second, then
 * silence for throttle_ns, announced by one BW_DECISION_THRESHOLD event (returned as 2). Decisions are never
 * affected.
 */
static __always_inline int may_report(struct endpoint_key *ep, __u32 budget)
{
	__u32 zero = 0;
	struct throttle_config *config = bpf_map_lookup_elem(&throttle_config, &zero);
	struct throttle_state *state;
	struct throttle_window *window;
	__u64 now = bpf_ktime_get_boot_ns();

	if (!config || !config->max_alerts_per_sec)
		return 1;
	state = bpf_map_lookup_elem(&throttle_state, ep);
	if (!state) {
		struct throttle_state fresh = {};

		fresh.policy.window_start_ns = now;
		fresh.posture.window_start_ns = now;
		if (budget == BW_BUDGET_POLICY)
			fresh.policy.count = 1;
		else
			fresh.posture.count = 1;
		bpf_map_update_elem(&throttle_state, ep, &fresh, BPF_ANY);
		return 1;
	}
	window = budget == BW_BUDGET_POLICY ? &state->policy : &state->posture;
	if (window->silent_until_ns > now)
		return 0;
	if (now - window->window_start_ns >= 1000000000ULL) {
		window->window_start_ns = now;
		window->count = 0;
	}
	/* Not atomic: racing CPUs may let a few more through in a burst, never fewer. */
	if (window->count++ < config->max_alerts_per_sec)
		return 1;
	window->silent_until_ns = now + config->throttle_ns;
	return 2;
}

/* One more alert of this rule (0: the posture's) that a budget held back. */
static __always_inline void count_suppressed(struct endpoint_key *ep, __u32 rule)
{
	struct suppressed_key key = {.ep = *ep, .rule = rule};
	__u64 one = 1, *count = bpf_map_lookup_elem(&suppressed_alerts, &key);

	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&suppressed_alerts, &key, &one, BPF_NOEXIST);
}

/* One decision in the making: who acts, in which endpoint, under which rules. */
struct decision {
	struct task_struct *task;
	struct endpoint_key ep;
	struct endpoint_modes *modes;
	struct task_identity *id;
	void *rules;
	struct scratch *s;
	struct subject subject;
	int source_named;   /* s->source holds the acting program's path */
	long source_length; /* its length */
	long path_length;   /* of s->path, once judge_path has assembled it (-1: no name) */
};

/* The acting program's path into s->source (and its length): the program a loader loaded, else the executable. */
static __always_inline void name_source(struct decision *d)
{
	struct task_struct *task = d->task;
	struct file *exe;
	char *loaded;
	long length;

	if (d->source_named)
		return;
	d->source_named = 1;
	d->source_length = 0;
	d->s->source[0] = 0;
	if (d->id && d->id->program) {
		__u64 program = d->id->program;
		loaded = bpf_map_lookup_elem(&loaded_programs, &program);
		length = loaded ? bpf_probe_read_kernel_str(d->s->source, BULWARK_EVENT_PATH, loaded) : 0;
		d->source_length = length > 0 ? length - 1 : 0;
		return;
	}
	exe = BPF_CORE_READ(task, mm, exe_file);
	length = exe ? path_of(BPF_CORE_READ(exe, f_path.dentry), BPF_CORE_READ(exe, f_path.mnt), d->s->source,
			       &d->s->assemble) : -1;
	if (length < 0)
		d->s->source[0] = 0;
	else
		d->source_length = length;
}

/*
 * The key hash of the acting program: the program a loader loaded, else the executable's path, kept in task
 * storage with the executable it was taken of so that its path is walked once per exec, not per decision.
 */
static __always_inline __u64 source_of(struct decision *d)
{
	struct task_struct *task = d->task; /* a local: CO-RE reads start at a kernel type, not at struct decision */
	struct file *exe;
	__u64 hash = 0;

	if (d->id && d->id->program)
		return d->id->program;
	exe = BPF_CORE_READ(task, mm, exe_file);
	if (d->id && d->id->exe && d->id->exe == (__u64)exe)
		return d->id->source_hash;
	name_source(d);
	if (d->s->source[0])
		hash = hash_text(d->s, d->s->source, d->source_length);
	if (d->id) {
		d->id->exe = (__u64)exe;
		d->id->source_hash = hash;
	}
	return hash;
}

/* Sends one event. The parent's executable is assembled here, only for events, in the scratch space. */
static __always_inline void report(struct decision *d, __u8 hook, __u32 rule_class, __u8 decision, __u32 rule,
				   int retval, int unnamed)
{
	struct task_struct *task = d->task;
	struct scratch *s = d->s;
	__u32 budget = rule && decision != BW_DECISION_POSTURE_BLOCKED && decision != BW_DECISION_POSTURE_AUDITED ?
			       BW_BUDGET_POLICY : BW_BUDGET_POSTURE;
	int allowed = may_report(&d->ep, budget);
	struct event *e;

	if (allowed != 1) {
		count_suppressed(&d->ep, rule & ~BW_RULE_FLAGS);
		if (!allowed)
			return;
		decision = BW_DECISION_THRESHOLD;
		rule = budget;
	}
	name_source(d);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__u32 zero = 0;
		__u64 *lost = bpf_map_lookup_elem(&lost_events, &zero);
		if (lost)
			__sync_fetch_and_add(lost, 1);
		return;
	}
	e->timestamp = bpf_ktime_get_boot_ns();
	e->pid = BPF_CORE_READ(task, pid);
	e->tgid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = bpf_get_current_uid_gid() & 0xffffffff;
	unsigned int level = BPF_CORE_READ(task, thread_pid, level);
	e->ns_tgid = ns_pid(task, level);
	e->ns_ppid = ns_pid(BPF_CORE_READ(task, real_parent), level);
	e->pid_ns = d->ep.pid_ns;
	e->mnt_ns = d->ep.mnt_ns;
	e->rule = rule & ~BW_RULE_FLAGS;
	e->hook = hook;
	e->rule_class = rule_class;
	e->decision = decision;
	e->path_truncated = unnamed;
	e->retval = retval;
	e->subject = d->subject;
	e->pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->path, sizeof(e->path), s->path);
	bpf_probe_read_kernel_str(e->source, sizeof(e->source), s->source);
	e->parent[0] = 0;
	struct file *parent_exe = BPF_CORE_READ(task, real_parent, mm, exe_file);
	if (parent_exe && path_of(BPF_CORE_READ(parent_exe, f_path.dentry), BPF_CORE_READ(parent_exe, f_path.mnt),
				  s->parent, &s->assemble) > 0)
		bpf_probe_read_kernel_str(e->parent, sizeof(e->parent), s->parent);
	bpf_ringbuf_submit(e, 0);
}
