/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * Programs: exec, and every other way to run one.
 */
/* ---- Programs: exec, and every other way to run one ---- */

#define ET_DYN 3
#define PT_INTERP 3

/*
 * Whether the ELF program being exec'd loads its own program: a shared object without an interpreter, as the
 * dynamic loader (ld.so) is when run directly ("ld.so /usr/bin/od"). Its first executable mapping of another
 * file is then the program that really runs. Reads the start of the file the kernel holds in bprm->buf.
 */
static __always_inline int loads_itself(struct scratch *s, struct linux_binprm *bprm)
{
	char *elf = s->elf;
	int wide;
	__u64 phoff;
	__u16 phnum, type;

	if (bpf_probe_read_kernel(elf, sizeof(s->elf), bprm->buf) < 0)
		return 0;
	if (elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F')
		return 0;
	wide = elf[4] == 2; /* ELFCLASS64 */
	type = *(__u16 *)&elf[16];
	if (type != ET_DYN)
		return 0;
	phoff = wide ? *(__u64 *)&elf[32] : *(__u32 *)&elf[28];
	phnum = wide ? *(__u16 *)&elf[56] : *(__u16 *)&elf[44];
	for (int i = 0; i < 8; i++) {
		__u64 at = phoff + (__u64)i * (wide ? 56 : 32);

		if (i >= phnum)
			return 1;
		if (at > sizeof(s->elf) - 4)
			return 1; /* headers past what the kernel read: judged as a loader (fail closed) */
		if (*(__u32 *)&elf[at] == PT_INTERP)
			return 0;
	}
	return 1;
}

SEC("lsm/bprm_check_security")
int BPF_PROG(bulwark_bprm_check, struct linux_binprm *bprm)
{
	struct file *file = bprm->file;
	struct task_struct *task;
	struct decision d = {};
	int ret;

	if (!begin(&d, BW_CLASS_PROCESS))
		return 0;
	task = d.task;
	if (!d.id)
		d.id = bpf_task_storage_get(&task_identities, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (d.id) {
		d.id->state &= ~BW_TASK_LOADER_PENDING;
		if (BPF_CORE_READ(bprm, interp) == BPF_CORE_READ(bprm, filename)) {
			/* The exec's first program (no interpreter put in front yet): its arguments as called. */
			d.id->state &= ~BW_TASK_ARGS_PENDING;
			d.id->exec_argc = BPF_CORE_READ(bprm, argc);
		}
		if (loads_itself(d.s, bprm)) {
			/* The loaded program will be judged as this exec would be: with this exec's caller as source. */
			d.id->state |= BW_TASK_LOADER_PENDING;
			d.id->exec_source = source_of(&d);
		}
	}
	ret = fileless_exec(&d, file);
	if (!ret)
		ret = exec_session(&d, file);
	if (ret)
		return ret;
	d.s->path[0] = 0;
	return judge_path(&d, BW_HOOK_BPRM_CHECK, BW_CLASS_PROCESS, BPF_CORE_READ(file, f_path.dentry),
			  BPF_CORE_READ(file, f_path.mnt), 0, 0);
}

static long received_arg(__u32 i, struct args_reading *reading)
{
	struct scratch *s = reading->s;
	struct args_read *r = &s->args;
	char *buf = s->parent;
	long length;

	if (r->at >= r->end)
		return 1;
	length = bpf_probe_read_user_str(buf, BULWARK_ARG_MAX, (const void *)r->p);
	if (length <= 0 || (length >= BULWARK_ARG_MAX && r->at >= r->skip)) {
		r->failed = 1;
		return 1;
	}
	if (length >= BULWARK_ARG_MAX) { /* a long interpreter argument: find its end */
		length = bpf_probe_read_user_str(s->path, BULWARK_PATH_MAX, (const void *)r->p);
		if (length <= 0) {
			r->failed = 1;
			return 1;
		}
	}
	if (r->at >= r->skip) {
		for (int j = 0; j < BULWARK_ARG_MAX; j++) {
			if (j >= length)
				break;
			sip_byte(&s->w.text, buf[j]); /* the NUL included, as record_args hashes */
		}
	}
	r->p += length;
	r->at++;
	return 0;
}

/*
 * The key hash of the arguments the new program received (argv[1..] as the exec was called, after whatever
 * interpreters were put in front), read from the new image's memory, where the kernel copied them; 0 when
 * they cannot be read or are more than allowedArgs can list.
 */
static __always_inline __u64 received_args(struct scratch *s, struct linux_binprm *bprm, __u32 exec_argc)
{
	struct args_reading reading = {.s = s};
	struct args_read *r = &s->args;
	__u32 argc = BPF_CORE_READ(bprm, argc);

	if (exec_argc == 0 || exec_argc > argc || exec_argc > BULWARK_MAX_ARGS + 1)
		return 0;
	r->p = BPF_CORE_READ(bprm, p);
	r->at = 0;
	r->skip = argc - exec_argc + 1;
	r->end = argc;
	r->failed = 0;
	load_key(&s->w);
	sip_start(&s->w, &s->w.text);
	bpf_loop(BULWARK_MAX_ARGS + 8, received_arg, &reading, 0);
	if (r->failed || r->at != r->end)
		return 0;
	return sip_final(&s->w.text);
}

#define SIGKILL 9

/*
 * An exec allowed by its arguments received other ones (another thread rewrote them before the kernel copied
 * them): past the point of no return, so the posture's Block kills it before its first instruction.
 */
static __always_inline void arguments_changed(struct linux_binprm *bprm)
{
	struct decision d = {};
	struct file *file = BPF_CORE_READ(bprm, file);

	if (!begin(&d, BW_CLASS_PROCESS))
		return;
	if (path_of(BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt), d.s->path,
		    &d.s->assemble) < 0)
		d.s->path[0] = 0;
	if (d.modes->posture_block[BW_CLASS_PROCESS]) {
		bpf_send_signal(SIGKILL);
		report(&d, BW_HOOK_BPRM_COMMITTED_CREDS, BW_CLASS_PROCESS, BW_DECISION_POSTURE_BLOCKED, 0, -EACCES, 0);
	} else {
		report(&d, BW_HOOK_BPRM_COMMITTED_CREDS, BW_CLASS_PROCESS, BW_DECISION_POSTURE_AUDITED, 0, 0, 0);
	}
}

/*
 * The exec went through: a new program runs, a loader's pending state becomes its own, and arguments an Allow
 * held with are compared with those the program received.
 */
SEC("lsm/bprm_committed_creds")
int BPF_PROG(bulwark_bprm_committed, struct linux_binprm *bprm)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct task_identity *id = bpf_task_storage_get(&task_identities, task, 0, 0);
	struct scratch *s;

	if (!id)
		return 0;
	id->program = 0;
	id->exe = 0;
	if (id->state & BW_TASK_LOADER_PENDING)
		id->state = (id->state & ~BW_TASK_LOADER_PENDING) | BW_TASK_LOADER;
	else
		id->state &= ~BW_TASK_LOADER;
	if (id->state & BW_TASK_ARGS_PENDING) {
		id->state &= ~BW_TASK_ARGS_PENDING;
		s = scratch();
		if (!s || received_args(s, bprm, id->exec_argc) != id->args_hash)
			arguments_changed(bprm);
	}
	return 0;
}

/*
 * An executable mapping of a file (not the task's own executable, which its exec judged). For a loader run
 * directly, the first such mapping is the program it runs: judged as an exec, with the loader's caller as
 * source, and from then on the task's program (the source of what it does). Any other executable mapping of a
 * file a process Block covers is denied, so that no loader of any kind runs a blocked program's code.
 */
static __always_inline int executable_mapping(__u8 hook, struct file *file)
{
	struct task_struct *task;
	struct decision d = {};
	struct dentry *dentry;
	struct vfsmount *mnt;
	struct walk *w;
	int ret;

	if (!begin(&d, BW_CLASS_PROCESS))
		return 0;
	task = d.task;
	if (file == BPF_CORE_READ(task, mm, exe_file))
		return 0;
	w = &d.s->w;
	user_path(file, &dentry, &mnt);
	if (d.id && (d.id->state & BW_TASK_LOADER) && !d.id->program) {
		w->source = d.id->exec_source;
		d.s->source[0] = 0;
		d.source_named = 1;
		ret = judge_path(&d, hook, BW_CLASS_PROCESS, dentry, mnt, 0, 0);
		if (!ret) {
			__u64 program = hash_text(d.s, d.s->path, d.path_length);

			bpf_map_update_elem(&loaded_programs, &program, d.s->path, BPF_ANY);
			d.id->program = program;
		}
		return ret;
	}
	if (!d.modes->has_block[BW_CLASS_PROCESS])
		return 0;
	return judge_path(&d, hook, BW_CLASS_PROCESS, dentry, mnt, 0, JUDGE_BLOCK_ONLY);
}
