/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * DNS queries (matchDNSQueries).
 */
/* ---- DNS queries (matchDNSQueries) ---- */

#define DNS_PORT_BE 0x3500 /* 53, in network byte order */
#define DNS_PORT 53
#define DNS_HEADER 12
#define DNS_MESSAGE_MAX 300 /* a header and a name of up to 255 bytes, with room */
#define DNS_READ_MAX 480    /* what is read of a send: a TCP length or IP and UDP headers, then the message */
#define DNS_NAME_MAX 253    /* the longest name DNS allows, dots included */
#define DNS_NAME_MASK 255   /* indexes into the name stay below this, for the verifier */
#define DNS_READ_MASK 511   /* indexes into what was read, likewise */
#define SEND_SEGMENTS 64    /* the iovec entries of one send that are read, at most */
#define IPPROTO_IP 0
#define IPPROTO_IPV6 41
#define IP_HDRINCL 3
#define IPV6_HDRINCL 36

/* The 6.1 kernel's name for what later kernels call __iov. */
struct iov_iter___v61 {
	const struct iovec *iov;
} __attribute__((preserve_access_index));

struct send_reading {
	struct scratch *s;
};

static long gather_segment(__u32 i, struct send_reading *reading)
{
	struct send_read *r = &reading->s->send;
	struct iovec v = {};
	__u64 length;
	__u32 n;

	if (i >= r->segments || r->have >= r->want || r->want > DNS_READ_MAX)
		return 1;
	if (bpf_probe_read_kernel(&v, sizeof(v), &r->iov[i]) < 0) {
		r->failed = 1;
		return 1;
	}
	length = v.iov_len;
	if (i == 0) {
		if (length < r->skip)
			return 0;
		length -= r->skip;
		v.iov_base = (char *)v.iov_base + r->skip;
	}
	n = length < r->want - r->have ? length : r->want - r->have;
	if (n > DNS_READ_MAX)
		n = DNS_READ_MAX;
	if (bpf_probe_read_user(&reading->s->assemble.buf[r->have & DNS_READ_MASK], n & DNS_READ_MASK, v.iov_base) < 0) {
		r->failed = 1;
		return 1;
	}
	r->have += n;
	return 0;
}

/*
 * The start of what a send carries, from every segment of its iovec (a single buffer alike) into
 * assemble.buf: the bytes read, or -1 when the data is not the sender's memory (pages spliced from a file or
 * pipe, kernel buffers) or cannot be read.
 */
static __always_inline int read_send(struct scratch *s, struct msghdr *msg, int size)
{
	struct iov_iter *iter = &msg->msg_iter;
	__u8 type = BPF_CORE_READ(iter, iter_type);
	struct send_read *r = &s->send;
	struct send_reading reading = {.s = s};

	r->have = 0;
	r->failed = 0;
	r->want = size <= 0 ? 0 : size < DNS_READ_MAX ? size : DNS_READ_MAX;
	r->skip = BPF_CORE_READ(iter, iov_offset);
	if (bpf_core_enum_value_exists(enum iter_type, ITER_UBUF) &&
	    type == bpf_core_enum_value(enum iter_type, ITER_UBUF)) {
		const char *base = BPF_CORE_READ(iter, ubuf);
		__u32 n = r->want;

		if (bpf_probe_read_user(s->assemble.buf, n & DNS_READ_MASK, base + r->skip) < 0)
			return -1;
		return n & DNS_READ_MASK;
	}
	if (type != bpf_core_enum_value(enum iter_type, ITER_IOVEC))
		return -1;
	if (bpf_core_field_exists(struct iov_iter___v61, iov))
		r->iov = BPF_CORE_READ((struct iov_iter___v61 *)iter, iov);
	else
		r->iov = BPF_CORE_READ(iter, __iov);
	r->segments = BPF_CORE_READ(iter, nr_segs);
	bpf_loop(SEND_SEGMENTS, gather_segment, &reading, 0);
	if (r->failed || r->have < r->want)
		return -1; /* more segments than are read, or one that could not be */
	return r->have & DNS_READ_MASK;
}

/*
 * Decoding a query's name into "www.google.com", lower case, label by label. The state lives in the scratch
 * map, not on the stack (see struct walk).
 */
struct dns_decoding {
	struct scratch *s; /* bpf_loop passes only stack pointers: the state is behind this one */
};

static long dns_name_byte(__u32 i, struct dns_decoding *decoding)
{
	struct scratch *s = decoding->s;
	struct dns_name *n = &s->dns;
	__u8 c;

	if (n->in >= n->end || n->in >= DNS_READ_MAX || n->out >= DNS_NAME_MAX) {
		n->done = -1; /* the name runs past the message, or is longer than DNS allows */
		return 1;
	}
	c = s->assemble.buf[n->in++ & DNS_READ_MASK];
	if (n->label_left == 0) {
		if (c == 0) {
			n->done = 1;
			return 1;
		}
		if (c > 63) { /* a compression pointer: not in a question */
			n->done = -1;
			return 1;
		}
		if (n->out > 0)
			s->path[n->out++ & DNS_NAME_MASK] = '.';
		n->label_left = c;
		return 0;
	}
	if (c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	s->path[n->out++ & DNS_NAME_MASK] = c;
	n->label_left--;
	return 0;
}

/* Walking a name backwards: at each dot, and at its start, the hash so far is that of a domain it is in. */
static long dns_suffix_byte(__u32 i, struct walk_ctx *x)
{
	struct walk *w = &x->s->w;
	__u32 at;
	char c;

	if (i >= w->length)
		return 1;
	at = w->length - 1 - i;
	c = x->s->path[bounded(at, DNS_NAME_MASK)];
	if (c == '.') /* what lies right of the dot is a parent domain */
		lookup(x->rules, w, sip_final(&w->text), BW_MATCH_DOMAIN);
	sip_byte(&w->text, c);
	if (at == 0)
		lookup(x->rules, w, sip_final(&w->text), BW_MATCH_DOMAIN);
	return 0;
}

/* Whether a query that cannot be judged by its name must be denied: as for paths, under a Block or block posture. */
static __always_inline int dns_fails_closed(struct decision *d)
{
	return d->modes->has_block[BW_CLASS_DNS] ||
	       (d->modes->whitelist[BW_CLASS_DNS] && d->modes->posture_block[BW_CLASS_DNS]);
}

/* A query the rules cannot read: denied where they must decide (dns_fails_closed), with the reason. */
static __always_inline int unreadable_query(struct decision *d, __u8 hook, __u32 reason)
{
	d->s->path[0] = 0;
	if (!dns_fails_closed(d))
		return 0;
	report(d, hook, BW_CLASS_DNS, BW_DECISION_BLOCKED, 0, -EACCES, reason);
	return -EACCES;
}

/* A big-endian u16 of what was read; indexes masked where the verifier sees it (6.12 loses derived bounds). */
static __always_inline __u32 be16(struct scratch *s, __u32 at)
{
	return ((__u32)(__u8)s->assemble.buf[bounded(at, DNS_READ_MASK)] << 8) |
	       (__u8)s->assemble.buf[bounded(at + 1, DNS_READ_MASK)];
}

/* Where a raw packet's UDP payload starts when it goes to port 53 (its IP header too with IPPROTO_RAW); 0: not DNS. */
static __always_inline __u32 raw_dns_payload(struct scratch *s, __u32 protocol, int have)
{
	__u32 udp = 0;

	if (protocol == IPPROTO_RAW) {
		__u8 first = s->assemble.buf[0];

		if (have < 20)
			return 0;
		if (first >> 4 == 4 && (__u8)s->assemble.buf[9] == IPPROTO_UDP)
			udp = (first & 15) * 4;
		else if (first >> 4 == 6 && (__u8)s->assemble.buf[6] == IPPROTO_UDP)
			udp = 40;
		else
			return 0;
	}
	if (udp + 8 > (__u32)have || be16(s, udp + 2) != DNS_PORT)
		return 0;
	return udp + 8;
}

/*
 * A DNS query on its way out: a UDP datagram to port 53 (the destination given with it or the connected
 * peer's), a TCP message to port 53 (its two-byte length first, one whole message per send), or a raw UDP
 * packet to port 53. The question's name and every parent domain are looked up, one per label. A query the
 * rules cannot read (not in the sender's memory, framed otherwise, not exactly one question, compressed or
 * malformed name) matches no Allow and is denied under a Block or block posture (fail closed).
 */
static __always_inline int decide_query(struct socket *sock, struct msghdr *msg, int size)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);
	struct dns_decoding decoding;
	struct decision d = {};
	struct dns_name *n;
	struct sockaddr *to;
	__u32 protocol, type, at = 0, end;
	__u16 family, port = 0;
	int have;

	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	type = BPF_CORE_READ(sock, type) & SOCK_TYPE_MASK;
	protocol = BPF_CORE_READ(sk, sk_protocol);
	if (type == SOCK_RAW) {
		if (protocol != IPPROTO_UDP && protocol != IPPROTO_RAW)
			return 0;
	} else {
		protocol = wire_protocol(family, type, protocol);
		if (protocol != IPPROTO_UDP && protocol != IPPROTO_TCP)
			return 0;
		to = BPF_CORE_READ(msg, msg_name);
		if (to)
			bpf_probe_read_kernel(&port, sizeof(port), (char *)to + 2); /* sin_port and sin6_port alike */
		else
			port = BPF_CORE_READ(sk, __sk_common.skc_dport);
		if (port != DNS_PORT_BE)
			return 0;
	}
	if (!begin(&d, BW_CLASS_DNS))
		return 0;
	if (type == SOCK_RAW && !dns_fails_closed(&d))
		return 0; /* a raw packet is read only where a query must be judged */
	d.subject.family = family;
	d.subject.sock_type = type;
	d.subject.protocol = type == SOCK_RAW ? IPPROTO_UDP : protocol;
	have = read_send(d.s, msg, size);
	if (have < 0)
		return unreadable_query(&d, BW_HOOK_SOCKET_SENDMSG, BW_UNNAMED_NOT_READABLE);
	end = have;
	if (type == SOCK_RAW) {
		at = raw_dns_payload(d.s, protocol, have);
		if (!at)
			return 0; /* not to port 53 */
	} else if (protocol == IPPROTO_TCP) {
		if (have < 2 || be16(d.s, 0) + 2 != (__u32)size)
			return unreadable_query(&d, BW_HOOK_SOCKET_SENDMSG, BW_UNNAMED_MALFORMED);
		at = 2;
	}
	if (at > DNS_READ_MAX || end < at + DNS_HEADER + 1 || be16(d.s, at + 4) != 1) /* QDCOUNT: one question */
		return unreadable_query(&d, BW_HOOK_SOCKET_SENDMSG, BW_UNNAMED_MALFORMED);
	n = &d.s->dns;
	n->in = at + DNS_HEADER;
	n->end = end;
	n->out = 0;
	n->label_left = 0;
	n->done = 0;
	decoding.s = d.s;
	bpf_loop(DNS_MESSAGE_MAX, dns_name_byte, &decoding, 0);
	if (n->done != 1 || n->out == 0)
		return unreadable_query(&d, BW_HOOK_SOCKET_SENDMSG, BW_UNNAMED_MALFORMED);
	d.s->path[n->out & DNS_NAME_MASK] = 0;
	if (d.rules) {
		struct walk_ctx x = {.rules = d.rules, .s = d.s};

		d.s->w.length = n->out;
		sip_start(&d.s->w, &d.s->w.text);
		bpf_loop(DNS_NAME_MAX, dns_suffix_byte, &x, 0);
	}
	return verdict(&d, BW_HOOK_SOCKET_SENDMSG, BW_CLASS_DNS, 0, 0);
}

/* Every send: a socket judged again by its protocol (see denial), then a DNS query by its name. */
SEC("lsm/socket_sendmsg")
int BPF_PROG(bulwark_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	int ret = decide_open_socket(BW_HOOK_SOCKET_SENDMSG, sock, JUDGE_BLOCK_ONLY);

	if (ret)
		return ret;
	return decide_query(sock, msg, size);
}

/* Where DNS is judged, packets built by hand (IP_HDRINCL) could hide a query behind any raw protocol. */
SEC("lsm/socket_setsockopt")
int BPF_PROG(bulwark_socket_setsockopt, struct socket *sock, int level, int optname)
{
	struct decision d = {};

	if (!((level == IPPROTO_IP && optname == IP_HDRINCL) || (level == IPPROTO_IPV6 && optname == IPV6_HDRINCL)))
		return 0;
	if (!begin(&d, BW_CLASS_DNS))
		return 0;
	return unreadable_query(&d, BW_HOOK_SOCKET_SETSOCKOPT, BW_UNNAMED_HANDMADE);
}

#define S_IFSOCK 0140000
#define NR_WRITE 1  /* x86_64 */
#define NR_WRITEV 20

/*
 * A write into a socket that goes to port 53 by another way than write(2) and writev(2), whose data
 * socket_sendmsg reads: sendfile and splice hand the kernel pages, which 6.1 sends without socket_sendmsg and
 * later kernels send as pages the rules cannot read. Where queries must be judged, such a write is denied.
 */
static __always_inline int spliced_query(struct file *file)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct socket *sock;
	struct decision d = {};
	struct pt_regs *regs;
	struct sock *sk;
	__u16 family;
	long nr;

	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if ((family != AF_INET && family != AF_INET6) || BPF_CORE_READ(sk, __sk_common.skc_dport) != DNS_PORT_BE)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	nr = BPF_CORE_READ(regs, orig_ax);
	if (nr == NR_WRITE || nr == NR_WRITEV)
		return 0;
	if (!begin(&d, BW_CLASS_DNS))
		return 0;
	return unreadable_query(&d, BW_HOOK_FILE_PERMISSION, BW_UNNAMED_NOT_READABLE);
}
