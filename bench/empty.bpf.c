// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of a BPF-LSM decision: a program that decides nothing, on each hook bench/bpf-cost.sh measures.
 * What the enforcer's programs cost is reported against these, measured side by side in one run.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("lsm/file_open")
int BPF_PROG(empty_file_open, struct file *file)
{
	return 0;
}

SEC("lsm/bprm_check_security")
int BPF_PROG(empty_bprm_check, struct linux_binprm *bprm)
{
	return 0;
}

SEC("lsm/socket_post_create")
int BPF_PROG(empty_socket_post_create, struct socket *sock, int family, int type, int protocol, int kern)
{
	return 0;
}

SEC("lsm/socket_sendmsg")
int BPF_PROG(empty_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	return 0;
}

SEC("lsm/capable")
int BPF_PROG(empty_capable, const struct cred *cred, struct user_namespace *ns, int cap, unsigned int opts)
{
	return 0;
}
