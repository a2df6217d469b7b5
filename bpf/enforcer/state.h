/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * The maps user space and the programs share, and the scratch space a decision works in.
 */
/* The shape of every endpoint's rule map; user space creates one per endpoint. */
struct rules_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rule_key);
	__type(value, struct rule_value);
} rules_template SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4096);
	__type(key, struct endpoint_key);
	__array(values, struct rules_map);
} endpoint_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct endpoint_key);
	__type(value, struct endpoint_modes);
} endpoint_modes SEC(".maps");

/* The shape of every endpoint's glob automaton (see BW_GLOB_SHIFT); user space sizes each to its automaton. */
struct globs_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, glob_key);
	__type(value, glob_value);
} globs_template SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4096);
	__type(key, struct endpoint_key);
	__array(values, struct globs_map);
} endpoint_globs SEC(".maps");

/* The pid namespaces of registered containers (see struct pidns_owner). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pidns_owner);
} pidns_owners SEC(".maps");

/* What each task carries: the endpoint it inherited, the program a loader loaded for it. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_identity);
} task_identities SEC(".maps");

/* The paths of programs loaders loaded (task_identity.program), for alerts. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, char[BULWARK_EVENT_PATH]);
} loaded_programs SEC(".maps");

/* The secret of the key hashes, drawn by the agent once per boot (pinned with the rules it hashed). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hash_key);
} hash_key SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct throttle_config);
} throttle_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct endpoint_key);
	__type(value, struct throttle_state);
} throttle_state SEC(".maps");

/* The arguments of the exec each thread is in the middle of (allowedArgs). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct exec_args);
} exec_args SEC(".maps");

/*
 * Processes that entered a pid namespace they do not live in through setns (kubectl exec, nsenter), and their
 * descendants: the exec preset's sessions.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} entered SEC(".maps");

/* Alerts the throttle held back, by endpoint and rule: user space reads them into the metrics. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct suppressed_key);
	__type(value, __u64);
} suppressed_alerts SEC(".maps");

/* selfProtection: who the agent is (see struct self_identity), and its BPF objects (kind << 32 | id). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct self_identity);
} self_identity SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, __u8);
} protected_objects SEC(".maps");

/* Events that found the ring buffer full: counted, never lost silently. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost_events SEC(".maps");

/* Where decoding a DNS name stands (see dns_name_byte). */
struct dns_name {
	__u32 in;         /* next byte of the message */
	__u32 end;        /* where what was read of it ends */
	__u32 out;        /* next byte of the name */
	__u32 label_left; /* bytes left in the current label; 0: a length byte comes next */
	int done;         /* 1: complete; -1: malformed or compressed */
};

/* Reading the arguments the new program received (see received_args), in the scratch space. */
struct args_read {
	__u64 p;    /* the next string in the new image's memory */
	__u32 at;   /* its index among argv */
	__u32 skip; /* argv entries put in front by interpreters, and argv[0] */
	__u32 end;  /* argv's count */
	int failed;
};

struct args_reading {
	struct scratch *s;
};

/* What gather_segment has read of a send (in the scratch space: see struct walk). */
struct send_read {
	const struct iovec *iov;
	__u64 skip;     /* bytes of the first segment before the data (the iterator's offset) */
	__u32 segments; /* of the iovec */
	__u32 have;     /* bytes read into assemble.buf */
	__u32 want;     /* bytes wanted */
	int failed;
};

/*
 * A decision's walk over a path. It lives in the scratch map, not on the stack: the 6.1 verifier checks a
 * bpf_loop callback once, with the state its stack context has at the call, and would hard-wire branches on
 * values it believes constant there (bpf/README.md).
 */
struct walk {
	struct siphash path; /* the path so far */
	struct siphash name; /* its last part */
	struct siphash ext;  /* the last part's extension, from its last dot */
	struct siphash text; /* any other string being hashed (the source, a DNS name, arguments) */
	struct hash_key key; /* the secret, read once per decision */
	__u64 dir_hash;      /* the path up to and including its last slash */
	__u64 ext_hash;      /* 0: the last part has no extension */
	__u64 source;        /* the acting program (0: not known) */
	__u32 rule_class;
	__u32 context;       /* BW_CTX_* of the operation */
	__u32 with_source;   /* the endpoint has keys with sources in this class: look each target up twice */
	__u32 length;        /* of the path */
	__u32 name_at;       /* where its last part starts */
	__u32 ext_at;        /* where that part's extension starts (length: none) */
	__u32 protocol;      /* a socket's, on the wire (see decide_socket) */
	__u32 agent_lives;   /* selfProtection holds (BW_RULE_SELF rules count) */
	__u32 glob_state;    /* where the glob automaton stands on the path (0: dead) */
	/* The rules found; a later lookup is a more specific key, and its rule is the one an alert names. */
	__u32 allow;
	__u32 allow_args; /* an Allow that holds only with the exec's exact arguments */
	__u32 audit;
	__u32 block;
};

/* Scratch space (too big for the 512-byte stack): a decision's paths, walk and buffers. */
struct scratch {
	char path[BULWARK_PATH_MAX];
	char source[BULWARK_PATH_MAX];
	char parent[BULWARK_PATH_MAX];
	struct assembly assemble;
	struct walk w;
	struct dns_name dns;
	struct send_read send;
	struct args_read args;
	char elf[256]; /* the start of a program being exec'd */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_space SEC(".maps");

static __always_inline struct scratch *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch_space, &zero);
}

/* Reads the secret of the key hashes into the walk (all zero until the agent has drawn it). */
static __always_inline void load_key(struct walk *w)
{
	__u32 zero = 0;
	struct hash_key *key = bpf_map_lookup_elem(&hash_key, &zero);

	w->key.k0 = key ? key->k0 : 0;
	w->key.k1 = key ? key->k1 : 0;
}

static __always_inline void sip_start(struct walk *w, struct siphash *s)
{
	sip_init(s, w->key.k0, w->key.k1);
}
