// SPDX-License-Identifier: GPL-2.0
/*
 * Bulwark's system monitor: process lifecycles and the system calls KubeArmor reports, from raw
 * tracepoints (no kprobes, no LSM: it runs on any kernel with BPF and BTF).
 *
 * A watched call is remembered at entry (its integer arguments, per thread) and reported at exit with its
 * result; strings are read at exit, from the same user memory. Visibility is decided in the kernel per
 * endpoint and class, so what nobody asked for never reaches the ring buffer; what is held back is counted.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "bulwark.h"
#include "task.h"

#define ENOENT 2
#define EINPROGRESS 115

/* x86_64 system call numbers of the watched calls. */
#define SYS_OPEN 2
#define SYS_RMDIR 84
#define SYS_UNLINK 87
#define SYS_CHOWN 92
#define SYS_SOCKET 41
#define SYS_CONNECT 42
#define SYS_ACCEPT 43
#define SYS_SENDTO 44
#define SYS_SENDMSG 46
#define SYS_BIND 49
#define SYS_LISTEN 50
#define SYS_EXECVE 59
#define SYS_PTRACE 101
#define SYS_SETUID 105
#define SYS_SETGID 106
#define SYS_MOUNT 165
#define SYS_UMOUNT2 166
#define SYS_OPENAT 257
#define SYS_FCHOWNAT 260
#define SYS_UNLINKAT 263
#define SYS_ACCEPT4 288
#define SYS_SENDMMSG 307
#define SYS_EXECVEAT 322

#define AF_INET 2
#define DNS_PORT 53

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 21);
} monitor_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct monitor_config);
} monitor_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct endpoint_key);
	__type(value, struct visibility);
} visibility SEC(".maps");

/* LRU: a thread that dies inside a call never reaches its exit; its entry must not leak. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct pending_syscall);
} pending_syscalls SEC(".maps");

/* Events held back by visibility, per scope and class (index scope * BW_CLASS_COUNT + class). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BW_SCOPE_COUNT * BW_CLASS_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} filtered_events SEC(".maps");

/* Events that found the ring buffer full: counted, never lost silently. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} monitor_lost_events SEC(".maps");

/* Room to assemble a path (the working directory, the executable) right to left. */
struct monitor_scratch {
	char path[BULWARK_PATH_MAX];
	struct assembly assemble;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct monitor_scratch);
} monitor_scratch SEC(".maps");

/* The class a watched call is reported in; -1 for calls not watched. */
static __always_inline int class_of(long id)
{
	switch (id) {
	case SYS_OPEN:
	case SYS_OPENAT:
	case SYS_UNLINK:
	case SYS_UNLINKAT:
	case SYS_RMDIR:
	case SYS_CHOWN:
	case SYS_FCHOWNAT:
		return BW_CLASS_FILE;
	case SYS_EXECVE:
	case SYS_EXECVEAT:
	case SYS_PTRACE:
	case SYS_SETUID:
	case SYS_SETGID:
	case SYS_MOUNT:
	case SYS_UMOUNT2:
		return BW_CLASS_PROCESS;
	case SYS_SOCKET:
	case SYS_CONNECT:
	case SYS_ACCEPT:
	case SYS_ACCEPT4:
	case SYS_BIND:
	case SYS_LISTEN:
		return BW_CLASS_NETWORK;
	case SYS_SENDTO:
	case SYS_SENDMSG:
	case SYS_SENDMMSG:
		return BW_CLASS_DNS;
	default:
		return -1;
	}
}

/* Whether the endpoint sees this class; if not, the event is counted as filtered. */
static __always_inline int visible(struct endpoint_key *ep, int rule_class)
{
	struct visibility *own = bpf_map_lookup_elem(&visibility, ep);
	__u32 zero = 0, classes = 0, scope = ep->pid_ns ? BW_SCOPE_CONTAINER : BW_SCOPE_HOST;

	if (own) {
		classes = own->classes;
	} else {
		struct monitor_config *config = bpf_map_lookup_elem(&monitor_config, &zero);
		if (config)
			classes = scope == BW_SCOPE_HOST ? config->host_classes : config->container_classes;
	}
	if (classes & (1U << rule_class))
		return 1;
	__u32 index = scope * BW_CLASS_COUNT + rule_class;
	__u64 *filtered = bpf_map_lookup_elem(&filtered_events, &index);
	if (filtered)
		*filtered += 1;
	return 0;
}

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *lost = bpf_map_lookup_elem(&monitor_lost_events, &zero);

	if (lost)
		__sync_fetch_and_add(lost, 1);
}

/* A fresh event with everything about the task filled in; strings empty. */
static __always_inline struct monitor_event *start_event(struct task_struct *task, struct endpoint_key *ep,
							  __u32 kind)
{
	struct monitor_event *e = bpf_ringbuf_reserve(&monitor_events, sizeof(*e), 0);

	if (!e) {
		count_lost();
		return 0;
	}
	unsigned int level = BPF_CORE_READ(task, thread_pid, level);

	e->timestamp = bpf_ktime_get_boot_ns();
	e->start_time = BPF_CORE_READ(task, group_leader, start_time);
	e->pid = BPF_CORE_READ(task, pid);
	e->tgid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = BPF_CORE_READ(task, cred, uid.val);
	e->ns_tgid = ns_pid(task, level);
	e->ns_ppid = ns_pid(BPF_CORE_READ(task, real_parent), level);
	e->pid_ns = ep->pid_ns;
	e->mnt_ns = ep->mnt_ns;
	e->kind = kind;
	e->syscall = -1;
	e->retval = 0;
	for (int i = 0; i < 6; i++)
		e->args[i] = 0;
	e->visible = 1;
	e->argc = 0;
	e->argv_len = 0;
	e->pad = 0;
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), BPF_CORE_READ(task, comm));
	e->tty[0] = 0;
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	if (tty)
		bpf_probe_read_kernel_str(e->tty, sizeof(e->tty), BPF_CORE_READ(tty, name));
	e->path[0] = 0;
	e->path2[0] = 0;
	e->cwd[0] = 0;
	e->data[0] = 0;
	e->argv[0] = 0;
	return e;
}

/* The task's working directory, into the event (cut to its size). */
static __always_inline void fill_cwd(struct task_struct *task, struct monitor_event *e)
{
	__u32 zero = 0;
	struct monitor_scratch *s = bpf_map_lookup_elem(&monitor_scratch, &zero);

	if (s && path_of(BPF_CORE_READ(task, fs, pwd.dentry), BPF_CORE_READ(task, fs, pwd.mnt), s->path,
			 &s->assemble) > 0)
		bpf_probe_read_kernel_str(e->cwd, sizeof(e->cwd), s->path);
}

SEC("raw_tracepoint/sys_enter")
int bulwark_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	long id = ctx->args[1];
	int rule_class = class_of(id);

	if (rule_class < 0)
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct endpoint_key ep = endpoint_of(task);

	if (!visible(&ep, rule_class))
		return 0;
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	struct pending_syscall pending = {.syscall = id};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	pending.args[0] = BPF_CORE_READ(regs, di);
	pending.args[1] = BPF_CORE_READ(regs, si);
	pending.args[2] = BPF_CORE_READ(regs, dx);
	pending.args[3] = BPF_CORE_READ(regs, r10);
	pending.args[4] = BPF_CORE_READ(regs, r8);
	pending.args[5] = BPF_CORE_READ(regs, r9);
	bpf_map_update_elem(&pending_syscalls, &tid, &pending, BPF_ANY);
	return 0;
}

/* The peer of a connected IPv4 socket, from the descriptor table; family 0 if there is none. */
static __always_inline void socket_peer(struct task_struct *task, int fd, struct sockaddr_in *peer)
{
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	struct file *file = 0;

	if (fd < 0 || fd >= BPF_CORE_READ(task, files, fdt, max_fds))
		return;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	if (!file)
		return;
	struct socket *sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return;
	struct sock *sk = BPF_CORE_READ(sock, sk);

	if (!sk || BPF_CORE_READ(sk, __sk_common.skc_family) != AF_INET)
		return;
	peer->sin_family = AF_INET;
	peer->sin_port = BPF_CORE_READ(sk, __sk_common.skc_dport);
	peer->sin_addr.s_addr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
}

/*
 * A UDP send to port 53 is a DNS query: its destination (given, or the connected peer) and the start of the
 * payload go out; any other send is not reported. sendto names both directly; sendmsg, and sendmmsg (glibc's
 * resolver sends the A and AAAA questions in one) through a message header, whose first message is read.
 */
static __always_inline int dns_query(struct task_struct *task, struct pending_syscall *p, struct monitor_event *e)
{
	struct sockaddr_in to = {};
	const void *name = (const void *)p->args[4];
	const void *payload = (const void *)p->args[1];

	if (p->syscall != SYS_SENDTO) {
		struct user_msghdr msg = {};
		struct iovec iov = {};

		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)p->args[1]) || !msg.msg_iov || !msg.msg_iovlen ||
		    bpf_probe_read_user(&iov, sizeof(iov), msg.msg_iov))
			return 0;
		name = msg.msg_name;
		payload = iov.iov_base;
	}
	if (name)
		bpf_probe_read_user(&to, sizeof(to), name);
	else
		socket_peer(task, (int)p->args[0], &to);
	if (to.sin_family != AF_INET || to.sin_port != bpf_htons(DNS_PORT))
		return 0;
	__builtin_memcpy(e->data, &to, sizeof(to));
	bpf_probe_read_user(e->path2, sizeof(e->path2), payload);
	return 1;
}

SEC("raw_tracepoint/sys_exit")
int bulwark_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending_syscall *p = bpf_map_lookup_elem(&pending_syscalls, &tid);

	if (!p)
		return 0;
	struct pending_syscall call = *p;
	long ret = ctx->args[1];

	bpf_map_delete_elem(&pending_syscalls, &tid);
	/* As upstream: a missing file and a connection still in progress are not news. */
	if (ret == -ENOENT || ret == -EINPROGRESS)
		return 0;
	/* A successful exec is reported by sched_process_exec, with the new program's path and arguments. */
	if ((call.syscall == SYS_EXECVE || call.syscall == SYS_EXECVEAT) && ret == 0)
		return 0;
	/* Sends are watched only for DNS; failed ones carry nothing worth reading. */
	if (class_of(call.syscall) == BW_CLASS_DNS && ret < 0)
		return 0;

	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct endpoint_key ep = endpoint_of(task);
	struct monitor_event *e = start_event(task, &ep, BW_MONITOR_SYSCALL);

	if (!e)
		return 0;
	e->syscall = call.syscall;
	e->retval = ret;
	for (int i = 0; i < 6; i++)
		e->args[i] = call.args[i];

	const char *path = 0;
	switch (call.syscall) {
	case SYS_OPEN:
	case SYS_UNLINK:
	case SYS_RMDIR:
	case SYS_CHOWN:
	case SYS_EXECVE:
	case SYS_UMOUNT2:
		path = (const char *)call.args[0];
		break;
	case SYS_OPENAT:
	case SYS_UNLINKAT:
	case SYS_FCHOWNAT:
	case SYS_EXECVEAT:
		path = (const char *)call.args[1];
		break;
	case SYS_MOUNT:
		path = (const char *)call.args[0];
		bpf_probe_read_user_str(e->path2, sizeof(e->path2), (const char *)call.args[1]);
		bpf_probe_read_user_str(e->data, sizeof(e->data), (const char *)call.args[2]);
		break;
	case SYS_CONNECT:
	case SYS_BIND:
		if (call.args[1])
			bpf_probe_read_user(e->data, sizeof(e->data), (void *)call.args[1]);
		break;
	case SYS_ACCEPT:
	case SYS_ACCEPT4:
		if (call.args[1] && ret >= 0)
			bpf_probe_read_user(e->data, sizeof(e->data), (void *)call.args[1]);
		break;
	case SYS_SENDTO:
	case SYS_SENDMSG:
	case SYS_SENDMMSG:
		if (!dns_query(task, &call, e)) {
			bpf_ringbuf_discard(e, 0);
			return 0;
		}
		break;
	}
	if (path) {
		bpf_probe_read_user_str(e->path, sizeof(e->path), path);
		if (e->path[0] != '/' && e->path[0] != 0)
			fill_cwd(task, e);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* The program's absolute path, its argument vector and working directory: the tree's record of a process. */
SEC("raw_tracepoint/sched_process_exec")
int bulwark_exec(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx->args[0];
	struct endpoint_key ep = endpoint_of(task);
	int shown = visible(&ep, BW_CLASS_PROCESS);
	struct monitor_event *e = start_event(task, &ep, BW_MONITOR_EXEC);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 zero = 0;

	if (!e)
		return 0;
	e->visible = shown;
	struct pending_syscall *p = bpf_map_lookup_elem(&pending_syscalls, &tid);
	e->syscall = p ? p->syscall : SYS_EXECVE;

	struct monitor_scratch *s = bpf_map_lookup_elem(&monitor_scratch, &zero);
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	if (s && exe && path_of(BPF_CORE_READ(exe, f_path.dentry), BPF_CORE_READ(exe, f_path.mnt), s->path,
				&s->assemble) > 0)
		bpf_probe_read_kernel_str(e->path, sizeof(e->path), s->path);
	else
		bpf_probe_read_kernel_str(e->path, sizeof(e->path),
					  BPF_CORE_READ((struct linux_binprm *)ctx->args[2], filename));

	/* The new image's argument vector, NUL-separated, as the process's memory holds it. */
	unsigned long arg_start = BPF_CORE_READ(task, mm, arg_start);
	__u32 len = BPF_CORE_READ(task, mm, arg_end) - arg_start;
	if (len >= BULWARK_MONITOR_ARGV)
		len = BULWARK_MONITOR_ARGV - 1;
	len &= BULWARK_MONITOR_ARGV - 1;
	if (len > 0 && bpf_probe_read_user(e->argv, len, (void *)arg_start) == 0)
		e->argv_len = len;
	fill_cwd(task, e);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("raw_tracepoint/sched_process_fork")
int bulwark_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (struct task_struct *)ctx->args[0];
	struct task_struct *child = (struct task_struct *)ctx->args[1];

	/* A new thread is not a new process. */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	/* The event describes the parent; the child is in its arguments. */
	struct endpoint_key ep = endpoint_of(parent);
	struct monitor_event *e = start_event(parent, &ep, BW_MONITOR_FORK);

	if (!e)
		return 0;
	e->visible = 0;
	e->args[0] = BPF_CORE_READ(child, tgid);
	e->args[1] = BPF_CORE_READ(child, start_time);
	e->args[2] = ns_pid(child, BPF_CORE_READ(child, thread_pid, level));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("raw_tracepoint/sched_process_exit")
int bulwark_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx->args[0];

	/* Only the process's end: its last thread (the signal's live count has dropped to zero). */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	struct endpoint_key ep = endpoint_of(task);
	struct monitor_event *e = start_event(task, &ep, BW_MONITOR_EXIT);

	if (!e)
		return 0;
	e->visible = 0;
	e->retval = BPF_CORE_READ(task, exit_code);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
