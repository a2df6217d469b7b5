/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * Sockets and capabilities.
 */
/* ---- Sockets and capabilities ---- */

#define AF_INET 2
#define AF_INET6 10
#define AF_PACKET 17
#define AF_SMC 43
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_SEQPACKET 5
#define SOCK_PACKET 10
#define SOCK_TYPE_MASK 0xf
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_SCTP 132
#define IPPROTO_UDPLITE 136
#define IPPROTO_RAW 255
#define IPPROTO_SMC 256
#define IPPROTO_MPTCP 262

/*
 * What a socket speaks on the wire, as a rule names it: MPTCP and SMC fall back to TCP (and SMC is set up over
 * it), UDP-Lite is UDP with a partial checksum, and an inet socket without a protocol has its type's (stream:
 * TCP, datagram: UDP, sequenced packets: SCTP). 0: no protocol a rule names (unix, netlink, packet sockets).
 */
static __always_inline __u32 wire_protocol(__u32 family, __u32 type, __u32 protocol)
{
	if (family == AF_SMC)
		return type == SOCK_STREAM ? IPPROTO_TCP : 0;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (protocol == IPPROTO_MPTCP || protocol == IPPROTO_SMC)
		return IPPROTO_TCP;
	if (protocol == IPPROTO_UDPLITE)
		return IPPROTO_UDP;
	if (protocol == 0) {
		if (type == SOCK_STREAM)
			return IPPROTO_TCP;
		if (type == SOCK_DGRAM)
			return IPPROTO_UDP;
		if (type == SOCK_SEQPACKET)
			return IPPROTO_SCTP;
	}
	return protocol < 256 ? protocol : 0;
}

/*
 * Judging again what was allowed before (a socket made before the rules came, or passed in from outside):
 * only what denies decides, and only a denial is reported (audits were reported when the socket was made).
 */
static __always_inline int denial(struct decision *d, __u8 hook, __u32 rule_class)
{
	struct walk *w = &d->s->w;

	if (rule_class >= BW_CLASS_COUNT)
		return 0;
	if (w->block) {
		report(d, hook, rule_class, BW_DECISION_BLOCKED, w->block, -EACCES, 0);
		return -EACCES;
	}
	if (!w->allow && d->modes->whitelist[rule_class] && d->modes->posture_block[rule_class]) {
		report(d, hook, rule_class, BW_DECISION_POSTURE_BLOCKED, 0, -EACCES, 0);
		return -EACCES;
	}
	return 0;
}

/*
 * A socket's decision, by a handful of lookups whatever the number of rules: its protocol on the wire, its type
 * (an AF_PACKET socket is "packet" too), and "all". JUDGE_BLOCK_ONLY: a socket already open, judged again.
 */
static __always_inline int decide_socket(__u8 hook, __u32 family, __u32 type, __u32 protocol, int how)
{
	struct decision d = {};
	struct walk *w;

	if (!begin(&d, BW_CLASS_NETWORK))
		return 0;
	if ((how & JUDGE_BLOCK_ONLY) && !d.modes->has_block[BW_CLASS_NETWORK] &&
	    !(d.modes->whitelist[BW_CLASS_NETWORK] && d.modes->posture_block[BW_CLASS_NETWORK]))
		return 0; /* nothing could deny: the common case of every send and receive */
	w = &d.s->w;
	type &= SOCK_TYPE_MASK;
	/*
	 * Through the scratch space: the verifier would otherwise follow the rest of the decision once for every
	 * protocol wire_protocol can return, past its instruction limit.
	 */
	w->protocol = wire_protocol(family, type, protocol);
	protocol = w->protocol;
	d.subject.family = family;
	d.subject.sock_type = type;
	d.subject.protocol = protocol;
	if (d.rules) {
		if (protocol)
			lookup(d.rules, w, BW_NET_PROTOCOL + protocol, BW_MATCH_PROTOCOL);
		lookup(d.rules, w, BW_NET_TYPE + type, BW_MATCH_PROTOCOL);
		if (family == AF_PACKET && type != SOCK_PACKET)
			lookup(d.rules, w, BW_NET_TYPE + SOCK_PACKET, BW_MATCH_PROTOCOL);
		lookup(d.rules, w, BW_NET_ALL, BW_MATCH_PROTOCOL);
	}
	if (how & JUDGE_BLOCK_ONLY)
		return denial(&d, hook, BW_CLASS_NETWORK);
	return verdict(&d, hook, BW_CLASS_NETWORK, 0, 0);
}

/* A socket by what the kernel made of it: its family, type and protocol as they are final. */
static __always_inline int decide_open_socket(__u8 hook, struct socket *sock, int how)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);
	__u16 family;

	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	/* Sockets on the wire are judged again at each use; unix and netlink ones only when made and connected. */
	if ((how & JUDGE_BLOCK_ONLY) && family != AF_INET && family != AF_INET6 && family != AF_SMC &&
	    family != AF_PACKET)
		return 0;
	return decide_socket(hook, family, BPF_CORE_READ(sock, type), BPF_CORE_READ(sk, sk_protocol), how);
}

/* After the protocol family made the socket: what it asked for may not be what it got (IPPROTO_IP, MPTCP). */
SEC("lsm/socket_post_create")
int BPF_PROG(bulwark_socket_post_create, struct socket *sock, int family, int type, int protocol, int kern)
{
	if (kern)
		return 0; /* the kernel's own sockets */
	return decide_open_socket(BW_HOOK_SOCKET_CREATE, sock, 0);
}

SEC("lsm/socket_connect")
int BPF_PROG(bulwark_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen)
{
	return decide_open_socket(BW_HOOK_SOCKET_CONNECT, sock, 0);
}

SEC("lsm/socket_accept")
int BPF_PROG(bulwark_socket_accept, struct socket *sock, struct socket *newsock)
{
	return decide_open_socket(BW_HOOK_SOCKET_ACCEPT, sock, 0);
}

SEC("lsm/socket_recvmsg")
int BPF_PROG(bulwark_socket_recvmsg, struct socket *sock, struct msghdr *msg, int size, int flags)
{
	return decide_open_socket(BW_HOOK_SOCKET_RECVMSG, sock, JUDGE_BLOCK_ONLY);
}

/*
 * A capability the task would otherwise have (the capability module decides first and stops at a refusal):
 * one lookup by its number. Checks the kernel makes without auditing are decided alike but not reported.
 */
#define CAP_OPT_NOAUDIT 2

SEC("lsm/capable")
int BPF_PROG(bulwark_capable, const struct cred *cred, struct user_namespace *ns, int cap, unsigned int opts)
{
	struct decision d = {};
	struct walk *w;

	if (cap < 0 || cap > 63 || !begin(&d, BW_CLASS_CAPABILITIES))
		return 0;
	w = &d.s->w;
	d.subject.capability = cap;
	if (d.rules)
		lookup(d.rules, w, cap, BW_MATCH_CAPABILITY);
	if (opts & CAP_OPT_NOAUDIT) {
		if (w->block || (d.modes->whitelist[BW_CLASS_CAPABILITIES] &&
				 d.modes->posture_block[BW_CLASS_CAPABILITIES] && !w->allow))
			return -EPERM;
		return 0;
	}
	return verdict(&d, BW_HOOK_CAPABLE, BW_CLASS_CAPABILITIES, 0, 0);
}
