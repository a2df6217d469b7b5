// SPDX-License-Identifier: GPL-2.0
/*
 * Bulwark's BPF-LSM enforcer: exec, file, socket and capability decisions per endpoint.
 *
 * Every endpoint (host or container, told apart by pid and mount namespace) has its own rule map, held in
 * an outer hash-of-maps. A task in namespaces no runtime registered stays governed by the endpoint it came
 * from. A path is hashed once, byte by byte, with a keyed hash, and every directory prefix met on the way is
 * looked up, so the cost of a decision grows with the path's length and depth, never with the number of
 * rules. Every rule that applies is taken into account (a Block anywhere denies), and events carry the rule
 * id, so user space never matches again.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bulwark.h"
#include "siphash.h"
#include "task.h"

#define EPERM 1
#define EACCES 13
#define FMODE_WRITE 0x2
#define FMODE_NOACCOUNT 0x20000000 /* a file the kernel opened for itself (overlayfs' backing files): 6.1 and 6.12 */
#define FMODE_BACKING 0x2000000    /* from 6.6: a backing file, whose f_path is the real one, not the user's */
#define S_IFMT 00170000
#define S_IFDIR 0040000

char LICENSE[] SEC("license") = "GPL";

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

/* ---- Which endpoint governs a task ---- */

/*
 * The registered container whose pid namespace the task lives in or descends from: 1 (ep set); 0 when the
 * chain reaches the initial namespace (the host); -1 when it cannot tell (a namespace several containers
 * share, or deeper than it looks).
 */
static __always_inline int pidns_endpoint(struct task_struct *task, struct endpoint_key *ep)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct pid_namespace *ns = 0;

	bpf_probe_read_kernel(&ns, sizeof(ns), (void *)pid + bpf_core_field_offset(struct pid, numbers) +
			      (level & 31) * bpf_core_type_size(struct upid) + bpf_core_field_offset(struct upid, ns));
	for (int i = 0; i < 8; i++) {
		__u32 inum;
		struct pidns_owner *owner;

		if (!ns || BPF_CORE_READ(ns, level) == 0)
			return 0;
		inum = BPF_CORE_READ(ns, ns.inum);
		owner = bpf_map_lookup_elem(&pidns_owners, &inum);
		if (owner) {
			if (owner->ambiguous)
				return -1;
			*ep = owner->ep;
			return 1;
		}
		ns = BPF_CORE_READ(ns, parent);
	}
	return -1;
}

/*
 * The endpoint that governs a task, and its modes (NULL: no rules). Namespaces a runtime registered are their
 * container's; any others (unshare, clone flags, setns into unregistered ones) never mean "no rules": they are
 * the container's whose pid namespace the task lives in or descends from, else what the task inherited, else
 * the host's. A task in registered namespaces keeps that endpoint in its storage for its children.
 */
static __always_inline struct endpoint_modes *governing(struct task_struct *task, struct endpoint_key *ep,
							 struct task_identity **identity)
{
	struct task_identity *id = bpf_task_storage_get(&task_identities, task, 0, 0);
	struct endpoint_modes *modes;
	int owner;

	*ep = endpoint_of(task);
	modes = bpf_map_lookup_elem(&endpoint_modes, ep);
	if (modes) {
		if (!id || !(id->state & BW_TASK_KNOWN) || id->ep.pid_ns != ep->pid_ns || id->ep.mnt_ns != ep->mnt_ns) {
			if (!id)
				id = bpf_task_storage_get(&task_identities, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
			if (id) {
				id->ep = *ep;
				id->state |= BW_TASK_KNOWN;
			}
		}
		*identity = id;
		return modes;
	}
	*identity = id;
	owner = pidns_endpoint(task, ep);
	if (owner == 0 || (owner < 0 && !(id && (id->state & BW_TASK_KNOWN)))) {
		ep->pid_ns = 0;
		ep->mnt_ns = 0;
	} else if (owner < 0) {
		*ep = id->ep;
	}
	return bpf_map_lookup_elem(&endpoint_modes, ep);
}

/* ---- Looking rules up ---- */

/* The rules of one key that hold in the walk's context: a later (more specific) key's rule names the alert. */
static __always_inline void take(struct walk *w, struct rule_value *value)
{
	__u32 c = w->context & (BW_CONTEXTS - 1);
	__u32 rule;

	if (!value)
		return;
	rule = value->block[c];
	if (rule && (!(rule & BW_RULE_SELF) || w->agent_lives))
		w->block = rule & ~BW_RULE_SELF;
	rule = value->audit[c];
	if (rule)
		w->audit = rule;
	rule = value->allow[c];
	if (rule & BW_RULE_ARGS)
		w->allow_args = rule;
	else if (rule)
		w->allow = rule;
}

/* Looks a target up for any source and, where the endpoint has such keys, for the acting program. */
static __always_inline void lookup(void *rules, struct walk *w, __u64 target, __u32 match)
{
	struct rule_key key = {.target = target, .source = 0, .rule_class = w->rule_class, .match = match};

	take(w, bpf_map_lookup_elem(rules, &key));
	if (w->with_source && w->source) {
		key.source = w->source;
		take(w, bpf_map_lookup_elem(rules, &key));
	}
}

/* What a bpf_loop callback over the scratch space needs: the rule map and the scratch space itself. */
struct walk_ctx {
	void *rules;
	struct scratch *s;
};

/* One byte of the path: extend its hash; at a slash the prefix so far is a directory that may have rules. */
static long walk_byte(__u32 i, struct walk_ctx *x)
{
	struct walk *w = &x->s->w;
	__u64 prefix;
	char c;

	if (i >= w->length || i >= BULWARK_PATH_MAX)
		return 1;
	c = x->s->path[bounded(i, BULWARK_PATH_MAX - 1)];
	sip_byte(&w->path, c);
	if (c == '/') {
		prefix = sip_final(&w->path);
		if (x->rules) {
			lookup(x->rules, w, prefix, BW_MATCH_DIRECTORY_RECURSIVE);
			if (w->ext_hash)
				lookup(x->rules, w, prefix ^ (w->ext_hash * BW_MIX), BW_MATCH_GLOB_RECURSIVE);
		}
		w->dir_hash = prefix;
	}
	return 0;
}

/* Backwards from the end of the path to its last slash: where the last part and its extension start. */
static long last_part_byte(__u32 i, struct walk_ctx *x)
{
	struct walk *w = &x->s->w;
	__u32 at;
	char c;

	if (i >= w->length)
		return 1;
	at = w->length - 1 - i;
	c = x->s->path[bounded(at, BULWARK_PATH_MAX - 1)];
	if (c == '/') {
		w->name_at = at + 1;
		return 1;
	}
	if (c == '.' && w->ext_at == w->length)
		w->ext_at = at;
	return 0;
}

/* The last part's bytes: the hashes of its name and of its extension. */
static long name_byte(__u32 i, struct walk_ctx *x)
{
	struct walk *w = &x->s->w;
	__u32 at = w->name_at + i;
	char c;

	if (at >= w->length)
		return 1;
	c = x->s->path[bounded(at, BULWARK_PATH_MAX - 1)];
	sip_byte(&w->name, c);
	if (at >= w->ext_at)
		sip_byte(&w->ext, c);
	return 0;
}

/* The key hash of a string in the scratch space (source, program): whole words first, then the last bytes. */
struct text_ctx {
	struct scratch *s;
	const char *text;
	__u32 length;
};

static long text_word(__u32 i, struct text_ctx *t)
{
	__u32 at = i * 8;

	if (at + 8 > t->length || at >= BULWARK_PATH_MAX - 8)
		return 1;
	sip_word(&t->s->w.text, *(__u64 *)&t->text[bounded(at, BULWARK_PATH_MAX - 1) & ~7U]);
	return 0;
}

static long text_byte(__u32 i, struct text_ctx *t)
{
	__u32 at = (t->length & ~7U) + i;

	if (at >= t->length || at >= BULWARK_PATH_MAX)
		return 1;
	sip_byte(&t->s->w.text, t->text[bounded(at, BULWARK_PATH_MAX - 1)]);
	return 0;
}

static __always_inline __u64 hash_text(struct scratch *s, const char *text, long length)
{
	struct text_ctx t = {.s = s, .text = text, .length = length < 0 ? 0 : length};

	sip_start(&s->w, &s->w.text);
	bpf_loop(BULWARK_PATH_MAX / 8, text_word, &t, 0);
	bpf_loop(8, text_byte, &t, 0);
	return sip_final(&s->w.text);
}

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

/* ---- Deciding ---- */

/* ---- selfProtection: who the agent is ---- */

#define USER_HZ_NS 10000000ULL /* nanoseconds per USER_HZ tick (100 a second), as /proc/<pid>/stat counts */
#define PTRACE_MODE_ATTACH 0x02
#define BPF_LINK_UPDATE_CMD 29
#define BPF_LINK_GET_FD_BY_ID_CMD 30
#define BPF_LINK_DETACH_CMD 34

/* The agent, while selfProtection is on and its lease holds; 0 otherwise. */
static __always_inline struct self_identity *live_agent(void)
{
	__u32 zero = 0;
	struct self_identity *self = bpf_map_lookup_elem(&self_identity, &zero);

	if (!self || !self->enabled || !self->tgid || self->lease_until_ns < bpf_ktime_get_ns())
		return 0;
	return self;
}

/* Whether the task is (a thread of) the agent: its process id and its start, so that a reused pid is not. */
static __always_inline int is_agent(struct self_identity *self, struct task_struct *task)
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);

	return BPF_CORE_READ(task, tgid) == self->tgid &&
	       BPF_CORE_READ(leader, start_boottime) / USER_HZ_NS == self->start_ticks;
}

/*
 * Finds the governing endpoint, its modes and rules, and prepares the walk: the acting program (for an exec,
 * the program asking for it, whose image is still in place) is hashed only where the endpoint has keys with
 * sources in this class. 0: the endpoint has no rule set, nothing to decide.
 */
static __always_inline int begin(struct decision *d, __u32 rule_class)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct walk *w;

	if (rule_class >= BW_CLASS_COUNT)
		return 0;
	/* Locals, not d's fields, go into BPF_CORE_READ: it relocates every member access it is given. */
	struct self_identity *self = live_agent();

	if (self && is_agent(self, task))
		return 0; /* the agent is not judged: its own rules (selfProtection's) would lock it out */
	d->task = task;
	d->modes = governing(task, &d->ep, &d->id);
	if (!d->modes)
		return 0;
	d->s = scratch();
	if (!d->s)
		return 0;
	d->rules = bpf_map_lookup_elem(&endpoint_rules, &d->ep);
	d->s->path[0] = 0;
	w = &d->s->w;
	load_key(w);
	w->rule_class = rule_class;
	w->context = BW_CTX_OWNER; /* what classes without file conditions are looked up with */
	w->allow = 0;
	w->allow_args = 0;
	w->audit = 0;
	w->block = 0;
	w->source = 0;
	w->agent_lives = self != 0;
	w->with_source = d->modes->has_source[rule_class];
	if (w->with_source)
		w->source = source_of(d);
	return 1;
}

/* Whether an ARGS key exists for (target, this exec's arguments); its Allow becomes the walk's (none was). */
static __always_inline int args_key(struct decision *d, __u64 target)
{
	struct walk *w = &d->s->w;

	lookup(d->rules, w, target, BW_MATCH_ARGS);
	return w->allow != 0;
}

/* allowedArgs: the exec's arguments, recorded at the system call, are exactly those of an Allow's key. */
static __always_inline int args_allowed(struct decision *d, __u64 path_hash, __u64 name_hash)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct exec_args *args = bpf_map_lookup_elem(&exec_args, &tid);
	__u64 mixed;

	if (!args || args->too_long || !d->rules)
		return 0; /* fail closed */
	mixed = args->hash * BW_MIX;
	if (!args_key(d, path_hash ^ mixed) && !args_key(d, name_hash ^ mixed))
		return 0;
	if (!d->id)
		return 0; /* nowhere to keep what the copied arguments must be: fail closed */
	/* The caller's memory may change until the kernel copies it: compared again once the exec is committed. */
	d->id->state |= BW_TASK_ARGS_PENDING;
	d->id->args_hash = args->hash;
	return 1;
}

/*
 * The verdict on what the lookups found: a Block denies, an Audit reports, and in whitelist mode what no Allow
 * covers falls to the posture.
 */
static __always_inline int verdict(struct decision *d, __u8 hook, __u32 rule_class, __u64 path_hash,
				   __u64 name_hash)
{
	struct walk *w = &d->s->w;

	if (rule_class >= BW_CLASS_COUNT)
		return 0;
	if (w->block) {
		report(d, hook, rule_class, BW_DECISION_BLOCKED, w->block, -EACCES, 0);
		return -EACCES;
	}
	if (w->audit)
		report(d, hook, rule_class, BW_DECISION_AUDITED, w->audit, 0, 0);
	if (w->allow || !d->modes->whitelist[rule_class])
		return 0;
	if (rule_class == BW_CLASS_PROCESS && w->allow_args && args_allowed(d, path_hash, name_hash))
		return 0; /* (only execs have arguments: the compiler drops this for the other classes) */
	if (d->modes->posture_block[rule_class]) {
		report(d, hook, rule_class, BW_DECISION_POSTURE_BLOCKED, 0, -EACCES, 0);
		return -EACCES;
	}
	report(d, hook, rule_class, BW_DECISION_POSTURE_AUDITED, 0, 0, 0);
	return 0;
}

/* How judge_path treats an operation. */
#define JUDGE_DIRECTORY_NAME 1 /* it renames, removes or changes a name that may be a directory with rules below */
#define JUDGE_BLOCK_ONLY 2     /* only a Block decides (an executable mapping of a file): no audits, no posture */
#define JUDGE_CREATE 4         /* the name is being created: its directory's owner is the owner */

/*
 * The decision for one operation of the current task on (dentry, mount). A file of a kernel-internal mount
 * (pipe, socket, memfd) has no path: file rules never concern it, and for an exec it matches no rule. A file
 * that cannot be named (too long or deep, disconnected, detached) matches no Allow and every Block of its
 * class: denied when the class has Block rules or is in whitelist mode with posture block.
 */
static __always_inline int judge_path(struct decision *d, __u8 hook, __u32 rule_class, struct dentry *dentry,
				      struct vfsmount *vfsmnt, int write, int how)
{
	struct task_struct *task = d->task;
	struct scratch *s = d->s;
	struct walk *w = &s->w;
	struct walk_ctx x = {.rules = d->rules, .s = s};
	struct inode *inode;
	__u64 path_hash = 0, name_hash = 0;
	__u32 fsuid;
	long len;
	int owner;

	if (rule_class >= BW_CLASS_COUNT)
		return 0;
	len = path_of(dentry, vfsmnt, s->path, &s->assemble);
	d->path_length = len;
	if (len == PATH_PSEUDO) {
		if (rule_class != BW_CLASS_PROCESS || (how & JUDGE_BLOCK_ONLY))
			return 0;
		return verdict(d, hook, rule_class, 0, 0);
	}
	if (len < 0) {
		s->path[0] = 0;
		if (d->modes->has_block[rule_class] ||
		    (d->modes->whitelist[rule_class] && d->modes->posture_block[rule_class])) {
			report(d, hook, rule_class, BW_DECISION_BLOCKED, 0, -EACCES, -len);
			return -EACCES;
		}
		return 0;
	}
	/* The owner as the kernel checks permissions: the file system uid of the task's credentials. */
	fsuid = BPF_CORE_READ(task, cred, fsuid.val);
	inode = BPF_CORE_READ(dentry, d_inode);
	if ((how & JUDGE_CREATE) || !inode)
		owner = BPF_CORE_READ(dentry, d_parent, d_inode, i_uid.val) == fsuid;
	else
		owner = BPF_CORE_READ(inode, i_uid.val) == fsuid;
	w->context = (write ? BW_CTX_WRITE : 0) | (owner ? BW_CTX_OWNER : 0) |
		     (BPF_CORE_READ(task, signal, tty) ? BW_CTX_TTY : 0);
	if (d->rules) {
		w->length = len;
		w->name_at = 0;
		w->ext_at = len;
		bpf_loop(256, last_part_byte, &x, 0);
		sip_start(w, &w->name);
		sip_start(w, &w->ext);
		bpf_loop(256, name_byte, &x, 0);
		w->ext_hash = w->ext_at < w->length ? sip_final(&w->ext) : 0;
		name_hash = sip_final(&w->name);
		sip_start(w, &w->path);
		w->dir_hash = 0;
		bpf_loop(BULWARK_PATH_MAX, walk_byte, &x, 0);
		path_hash = sip_final(&w->path);
		lookup(d->rules, w, w->dir_hash, BW_MATCH_DIRECTORY);
		if (w->ext_hash)
			lookup(d->rules, w, w->dir_hash ^ (w->ext_hash * BW_MIX), BW_MATCH_GLOB);
		if (rule_class == BW_CLASS_PROCESS)
			lookup(d->rules, w, name_hash, BW_MATCH_EXEC_NAME);
		lookup(d->rules, w, path_hash, BW_MATCH_PATH);
		if ((how & JUDGE_DIRECTORY_NAME) && inode &&
		    (BPF_CORE_READ(inode, i_mode) & S_IFMT) == S_IFDIR && len > 1) {
			/* A directory: renaming or removing it moves or drops whatever rules below protect. */
			sip_byte(&w->path, '/');
			lookup(d->rules, w, sip_final(&w->path), BW_MATCH_ANCESTOR);
		}
	}
	if (how & JUDGE_BLOCK_ONLY) {
		if (!w->block)
			return 0;
		report(d, hook, rule_class, BW_DECISION_BLOCKED, w->block, -EACCES, 0);
		return -EACCES;
	}
	return verdict(d, hook, rule_class, path_hash, name_hash);
}

static __always_inline int decide(__u8 hook, __u32 rule_class, struct dentry *dentry, struct vfsmount *vfsmnt,
				  int write, int how)
{
	struct decision d = {};

	if (!begin(&d, rule_class))
		return 0;
	return judge_path(&d, hook, rule_class, dentry, vfsmnt, write, how);
}

/* Operations on a name in a directory: the name's path, in the directory's mount. */
static __always_inline int decide_entry(__u8 hook, const struct path *dir, struct dentry *dentry, int how)
{
	return decide(hook, BW_CLASS_FILE, dentry, BPF_CORE_READ(dir, mnt), 1, how);
}

static __always_inline int decide_path(__u8 hook, const struct path *path, int write, int how)
{
	return decide(hook, BW_CLASS_FILE, BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt), write, how);
}

/* Up to 6.14 a super block lists its mounts in a list_head; later kernels chain them through the mounts. */
struct super_block___v61 {
	struct list_head s_mounts;
} __attribute__((preserve_access_index));

struct mount___v61 {
	struct list_head mnt_instance;
} __attribute__((preserve_access_index));

/*
 * The mount an inode hook's dentry is seen through (inode hooks get no path): the task's root mount for a file
 * of its root file system, else the first mount of the file's file system in the task's mount namespace.
 */
static __always_inline struct vfsmount *mount_of(struct dentry *dentry)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct vfsmount *root = BPF_CORE_READ(task, fs, root.mnt);
	struct mnt_namespace *ns = BPF_CORE_READ(task, nsproxy, mnt_ns);
	struct super_block *sb = BPF_CORE_READ(dentry, d_sb);
	struct mount *mnt = 0;
	struct list_head *at = 0;
	void *head = 0;

	if (BPF_CORE_READ(root, mnt_sb) == sb)
		return root;
	if (bpf_core_field_exists(struct mount, mnt_next_for_sb)) {
		mnt = BPF_CORE_READ(sb, s_mounts);
	} else {
		struct super_block___v61 *old = (void *)sb;

		head = (void *)sb + bpf_core_field_offset(struct super_block___v61, s_mounts);
		at = BPF_CORE_READ(old, s_mounts.next);
	}
	for (int i = 0; i < 16; i++) {
		if (!bpf_core_field_exists(struct mount, mnt_next_for_sb)) {
			if (!at || (void *)at == head)
				break;
			mnt = (struct mount *)((void *)at - bpf_core_field_offset(struct mount___v61, mnt_instance));
		}
		if (!mnt)
			break;
		if (BPF_CORE_READ(mnt, mnt_ns) == ns)
			return (struct vfsmount *)((void *)mnt + bpf_core_field_offset(struct mount, mnt));
		if (bpf_core_field_exists(struct mount, mnt_next_for_sb))
			mnt = BPF_CORE_READ(mnt, mnt_next_for_sb);
		else
			at = BPF_CORE_READ(at, next);
	}
	return 0;
}

/* A change to a file's metadata that only an inode hook sees (times, extended attributes, ACLs): a write. */
static __always_inline int decide_inode(__u8 hook, struct dentry *dentry)
{
	struct decision d = {};
	struct task_struct *task;
	struct vfsmount *mnt;

	if (!begin(&d, BW_CLASS_FILE))
		return 0;
	task = d.task;
	/* The kernel acting with borrowed credentials (overlayfs on its backing files): the task's own call was judged. */
	if (BPF_CORE_READ(task, cred) != BPF_CORE_READ(task, real_cred))
		return 0;
	mnt = mount_of(dentry);
	if (!mnt) {
		/* Nowhere in the task's namespace: nameless, so denied where a Block or block posture applies. */
		if (d.modes->has_block[BW_CLASS_FILE] ||
		    (d.modes->whitelist[BW_CLASS_FILE] && d.modes->posture_block[BW_CLASS_FILE])) {
			report(&d, hook, BW_CLASS_FILE, BW_DECISION_BLOCKED, 0, -EACCES, BW_UNNAMED_DETACHED);
			return -EACCES;
		}
		return 0;
	}
	return judge_path(&d, hook, BW_CLASS_FILE, dentry, mnt, 1, JUDGE_DIRECTORY_NAME);
}

/*
 * The path a file was opened by. A mapping of an overlayfs file holds the backing file instead (the kernel
 * swaps it in at mmap); from 6.6 that file's f_path is the layer's path, hidden from the task, and the path the
 * task used is kept beside it (struct backing_file).
 */
static __always_inline void user_path(struct file *file, struct dentry **dentry, struct vfsmount **mnt)
{
	if (bpf_core_type_exists(struct backing_file) && (BPF_CORE_READ(file, f_mode) & FMODE_BACKING)) {
		struct backing_file *backing = (struct backing_file *)((void *)file -
								       bpf_core_field_offset(struct backing_file, file));
		*dentry = BPF_CORE_READ(backing, user_path.dentry);
		*mnt = BPF_CORE_READ(backing, user_path.mnt);
		return;
	}
	*dentry = BPF_CORE_READ(file, f_path.dentry);
	*mnt = BPF_CORE_READ(file, f_path.mnt);
}

/* ---- Presets ---- */

/* Whether this endpoint has the preset, as Block or as Audit. */
static __always_inline int has_preset(struct decision *d, __u32 which)
{
	return which < BW_PRESET_COUNT && (d->modes->preset_block[which] || d->modes->preset_audit[which]);
}

/* What a preset that caught an operation does: a Block denies, an Audit reports; both name the preset's rule. */
static __always_inline int preset_verdict(struct decision *d, __u32 which, __u8 hook, __u32 rule_class)
{
	__u32 rule;

	if (which >= BW_PRESET_COUNT || rule_class >= BW_CLASS_COUNT)
		return 0;
	rule = d->modes->preset_block[which];
	if (rule) {
		report(d, hook, rule_class, BW_DECISION_BLOCKED, rule, -EACCES, 0);
		return -EACCES;
	}
	rule = d->modes->preset_audit[which];
	if (rule)
		report(d, hook, rule_class, BW_DECISION_AUDITED, rule, 0, 0);
	return 0;
}

/* Whether a string in the scratch space starts with a (short, constant) prefix. */
static __always_inline int starts_with(const char *s, const char *prefix, int length)
{
	for (int i = 0; i < length && i < 16; i++)
		if (s[i] != prefix[i])
			return 0;
	return 1;
}

/*
 * filelessExec: the program is a memfd (an unlinked shmem file whose dentry is its own parent, named
 * "memfd:...") or lies in /dev/shm or /run/shm.
 */
static __always_inline int fileless_exec(struct decision *d, struct file *file)
{
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	char name[6] = {};
	int memfd;

	if (!has_preset(d, BW_PRESET_FILELESS_EXEC))
		return 0;
	bpf_probe_read_kernel(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	memfd = BPF_CORE_READ(dentry, d_parent) == dentry && starts_with(name, "memfd:", 6);
	if (memfd) /* no path to speak of: its name, "memfd:<name given to memfd_create>" */
		bpf_probe_read_kernel_str(d->s->path, BULWARK_EVENT_PATH, BPF_CORE_READ(dentry, d_name.name));
	else if (path_of(dentry, BPF_CORE_READ(file, f_path.mnt), d->s->path, &d->s->assemble) < 0)
		d->s->path[0] = 0;
	if (!memfd && !starts_with(d->s->path, "/dev/shm/", 9) && !starts_with(d->s->path, "/run/shm/", 9))
		return 0;
	return preset_verdict(d, BW_PRESET_FILELESS_EXEC, BW_HOOK_BPRM_CHECK, BW_CLASS_PROCESS);
}

/*
 * exec: a program run on a terminal by a process of a session entered from outside the container (setns into
 * its pid namespace, as kubectl exec -it does), as upstream's ExecPreset.
 */
static __always_inline int exec_session(struct decision *d, struct file *file)
{
	struct task_struct *task = d->task;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!has_preset(d, BW_PRESET_EXEC) || !BPF_CORE_READ(task, signal, tty) ||
	    !bpf_map_lookup_elem(&entered, &tgid))
		return 0;
	if (path_of(BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt), d->s->path,
		    &d->s->assemble) < 0)
		d->s->path[0] = 0;
	return preset_verdict(d, BW_PRESET_EXEC, BW_HOOK_BPRM_CHECK, BW_CLASS_PROCESS);
}

#define PROC_SUPER_MAGIC 0x9fa0

/*
 * Whether a proc inode belongs to another process than this task: the process a proc inode belongs to is its
 * struct pid; this task's is its thread group leader's (its own thread's for /proc/<pid>/task/<tid>/).
 */
static __always_inline int of_another_process(struct task_struct *task, struct inode *inode)
{
	struct proc_inode *proc;
	struct pid *owner;

	if (!inode || BPF_CORE_READ(inode, i_sb, s_magic) != PROC_SUPER_MAGIC)
		return 0;
	proc = (struct proc_inode *)((void *)inode - bpf_core_field_offset(struct proc_inode, vfs_inode));
	owner = BPF_CORE_READ(proc, pid);
	return owner && owner != BPF_CORE_READ(task, group_leader, thread_pid) && owner != BPF_CORE_READ(task, thread_pid);
}

/* protectProc and protectEnv: a file of /proc/<pid>/ (environ for protectEnv) where <pid> is another process. */
static __always_inline int proc_presets(struct decision *d, struct file *file)
{
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	char name[8] = {};
	int environ;

	if (!has_preset(d, BW_PRESET_PROTECT_PROC) && !has_preset(d, BW_PRESET_PROTECT_ENV))
		return 0;
	if (!of_another_process(d->task, BPF_CORE_READ(file, f_inode)))
		return 0;
	if (path_of(dentry, BPF_CORE_READ(file, f_path.mnt), d->s->path, &d->s->assemble) < 0)
		d->s->path[0] = 0;
	bpf_probe_read_kernel(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	environ = starts_with(name, "environ", 8);
	if (environ && has_preset(d, BW_PRESET_PROTECT_ENV))
		return preset_verdict(d, BW_PRESET_PROTECT_ENV, BW_HOOK_FILE_OPEN, BW_CLASS_FILE);
	return preset_verdict(d, BW_PRESET_PROTECT_PROC, BW_HOOK_FILE_OPEN, BW_CLASS_FILE);
}

/*
 * protectProc for the links of /proc/<pid>/ (fd/N, cwd, root, exe, map_files/, ns/): followed, they lead into
 * another process's files by its names, not by any path the rules know; read, they tell where it works.
 */
static __always_inline int proc_link(__u8 hook, struct dentry *dentry)
{
	struct decision d = {};
	struct vfsmount *mnt;

	if (!begin(&d, BW_CLASS_FILE) || !has_preset(&d, BW_PRESET_PROTECT_PROC))
		return 0;
	if (!of_another_process(d.task, BPF_CORE_READ(dentry, d_inode)))
		return 0;
	mnt = mount_of(dentry);
	if (!mnt || path_of(dentry, mnt, d.s->path, &d.s->assemble) < 0)
		bpf_probe_read_kernel_str(d.s->path, BULWARK_EVENT_PATH, BPF_CORE_READ(dentry, d_name.name));
	return preset_verdict(&d, BW_PRESET_PROTECT_PROC, hook, BW_CLASS_FILE);
}

SEC("lsm/inode_follow_link")
int BPF_PROG(bulwark_inode_follow_link, struct dentry *dentry, struct inode *inode, bool rcu)
{
	return proc_link(BW_HOOK_INODE_FOLLOW_LINK, dentry);
}

SEC("lsm/inode_readlink")
int BPF_PROG(bulwark_inode_readlink, struct dentry *dentry)
{
	return proc_link(BW_HOOK_INODE_READLINK, dentry);
}

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

/* ---- Files ---- */

#define MAY_WRITE 0x2
#define MAY_APPEND 0x8

SEC("lsm/file_open")
int BPF_PROG(bulwark_file_open, struct file *file)
{
	struct decision d = {};
	int ret;

	if (file->f_mode & (FMODE_NOACCOUNT | FMODE_BACKING))
		return 0; /* the kernel's own second open (overlayfs): the open the task asked for was judged */
	if (!begin(&d, BW_CLASS_FILE))
		return 0;
	ret = proc_presets(&d, file);
	if (ret)
		return ret;
	d.s->path[0] = 0;
	return judge_path(&d, BW_HOOK_FILE_OPEN, BW_CLASS_FILE, BPF_CORE_READ(file, f_path.dentry),
			  BPF_CORE_READ(file, f_path.mnt), file->f_mode & FMODE_WRITE, 0);
}

static __always_inline int spliced_query(struct file *file);

/* Writes through descriptors opened before the rules came; sends into DNS sockets the rules cannot read. */
SEC("lsm/file_permission")
int BPF_PROG(bulwark_file_permission, struct file *file, int mask)
{
	int ret;

	if (!(mask & (MAY_WRITE | MAY_APPEND)) || (file->f_mode & (FMODE_NOACCOUNT | FMODE_BACKING)))
		return 0;
	ret = spliced_query(file);
	if (ret)
		return ret;
	return decide_path(BW_HOOK_FILE_PERMISSION, &file->f_path, 1, 0);
}

SEC("lsm/path_unlink")
int BPF_PROG(bulwark_path_unlink, const struct path *dir, struct dentry *dentry)
{
	return decide_entry(BW_HOOK_PATH_UNLINK, dir, dentry, 0);
}

SEC("lsm/path_mkdir")
int BPF_PROG(bulwark_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode)
{
	return decide_entry(BW_HOOK_PATH_MKDIR, dir, dentry, JUDGE_CREATE);
}

SEC("lsm/path_rmdir")
int BPF_PROG(bulwark_path_rmdir, const struct path *dir, struct dentry *dentry)
{
	return decide_entry(BW_HOOK_PATH_RMDIR, dir, dentry, JUDGE_DIRECTORY_NAME);
}

/* Also every file an open(O_CREAT) creates. */
SEC("lsm/path_mknod")
int BPF_PROG(bulwark_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode, unsigned int dev)
{
	return decide_entry(BW_HOOK_PATH_MKNOD, dir, dentry, JUDGE_CREATE);
}

SEC("lsm/path_symlink")
int BPF_PROG(bulwark_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name)
{
	return decide_entry(BW_HOOK_PATH_SYMLINK, dir, dentry, JUDGE_CREATE);
}

/* A hard link is a second name for the same file: the old name must be writable as well as the new. */
SEC("lsm/path_link")
int BPF_PROG(bulwark_path_link, struct dentry *old_dentry, const struct path *new_dir, struct dentry *new_dentry)
{
	int ret = decide(BW_HOOK_PATH_LINK, BW_CLASS_FILE, old_dentry, BPF_CORE_READ(new_dir, mnt), 1, 0);

	return ret ? ret : decide_entry(BW_HOOK_PATH_LINK, new_dir, new_dentry, JUDGE_CREATE);
}

/*
 * A rename removes the old name and creates the new one: both must be writable, and a directory with
 * protected paths below must not move (its files would leave their rules behind).
 */
SEC("lsm/path_rename")
int BPF_PROG(bulwark_path_rename, const struct path *old_dir, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry)
{
	int ret = decide_entry(BW_HOOK_PATH_RENAME, old_dir, old_dentry, JUDGE_DIRECTORY_NAME);

	return ret ? ret : decide_entry(BW_HOOK_PATH_RENAME, new_dir, new_dentry, JUDGE_DIRECTORY_NAME);
}

SEC("lsm/path_chmod")
int BPF_PROG(bulwark_path_chmod, const struct path *path, umode_t mode)
{
	return decide_path(BW_HOOK_PATH_CHMOD, path, 1, JUDGE_DIRECTORY_NAME);
}

/* chown, fchown, lchown: whoever owns a file is what ownerOnly rules are about. */
SEC("lsm/path_chown")
int BPF_PROG(bulwark_path_chown, const struct path *path)
{
	return decide_path(BW_HOOK_PATH_CHOWN, path, 1, JUDGE_DIRECTORY_NAME);
}

/* truncate(2), and before 6.2 also ftruncate and open(O_TRUNC). */
SEC("lsm/path_truncate")
int BPF_PROG(bulwark_path_truncate, const struct path *path)
{
	return decide_path(BW_HOOK_PATH_TRUNCATE, path, 1, 0);
}

/* ftruncate and open(O_TRUNC) from 6.2 (loaded only where the kernel has the hook). */
SEC("lsm/file_truncate")
int BPF_PROG(bulwark_file_truncate, struct file *file)
{
	return decide_path(BW_HOOK_FILE_TRUNCATE, &file->f_path, 1, 0);
}

#define ATTR_MODE (1 << 0)
#define ATTR_UID (1 << 1)
#define ATTR_GID (1 << 2)
#define ATTR_SIZE (1 << 3)
#define ATTR_ATIME (1 << 4)
#define ATTR_MTIME (1 << 5)

/* Times (utimes, touch): what the path hooks do not see. Mode, owner and size changes they judge already. */
static __always_inline int setattr(struct dentry *dentry, struct iattr *attr)
{
	unsigned int valid = BPF_CORE_READ(attr, ia_valid);

	if (!(valid & (ATTR_ATIME | ATTR_MTIME)) || (valid & (ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_SIZE)))
		return 0;
	return decide_inode(BW_HOOK_INODE_SETATTR, dentry);
}

/* Before 6.3 (the agent loads the variant whose arguments the kernel's hook has). */
SEC("lsm/inode_setattr")
int BPF_PROG(bulwark_inode_setattr, struct dentry *dentry, struct iattr *attr)
{
	return setattr(dentry, attr);
}

SEC("lsm/inode_setattr")
int BPF_PROG(bulwark_inode_setattr_idmap, void *idmap, struct dentry *dentry, struct iattr *attr)
{
	return setattr(dentry, attr);
}

/* Extended attributes: ACLs before 6.2, file capabilities, security labels, user attributes. */
SEC("lsm/inode_setxattr")
int BPF_PROG(bulwark_inode_setxattr, void *ns, struct dentry *dentry)
{
	return decide_inode(BW_HOOK_INODE_SETXATTR, dentry);
}

SEC("lsm/inode_removexattr")
int BPF_PROG(bulwark_inode_removexattr, void *ns, struct dentry *dentry)
{
	return decide_inode(BW_HOOK_INODE_REMOVEXATTR, dentry);
}

/* POSIX ACLs from 6.2, which no longer pass through the xattr hooks (loaded where the kernel has them). */
SEC("lsm/inode_set_acl")
int BPF_PROG(bulwark_inode_set_acl, void *idmap, struct dentry *dentry)
{
	return decide_inode(BW_HOOK_INODE_SET_ACL, dentry);
}

SEC("lsm/inode_remove_acl")
int BPF_PROG(bulwark_inode_remove_acl, void *idmap, struct dentry *dentry)
{
	return decide_inode(BW_HOOK_INODE_REMOVE_ACL, dentry);
}

#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define MAP_TYPE 0x0f
#define MAP_SHARED 0x01
#define MAP_SHARED_VALIDATE 0x03
#define VM_WRITE 0x2
#define VM_EXEC 0x4
#define VM_SHARED 0x8

/* anonymousMapExec: executable memory that no file backs. */
/*
 * Shared anonymous memory (MAP_SHARED | MAP_ANONYMOUS, or a shared mapping of /dev/zero) is backed by an
 * unlinked shmem file the kernel names "dev/zero" on its internal mount: anonymous all the same.
 */
static __always_inline int shared_anonymous(struct file *file)
{
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	void *vfsmnt = BPF_CORE_READ(file, f_path.mnt);
	struct mount *mnt = (struct mount *)(vfsmnt - bpf_core_field_offset(struct mount, mnt));
	char name[9] = {};

	if (!internal_mount(BPF_CORE_READ(mnt, mnt_ns)))
		return 0;
	bpf_probe_read_kernel(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
	return starts_with(name, "dev/zero", 9);
}

static __always_inline int anonymous_exec(__u8 hook, unsigned long prot, unsigned long flags)
{
	struct decision d = {};

	if (!begin(&d, BW_CLASS_FILE) || !has_preset(&d, BW_PRESET_ANON_MAP_EXEC))
		return 0;
	d.subject.prot = prot;
	d.subject.map_flags = flags;
	return preset_verdict(&d, BW_PRESET_ANON_MAP_EXEC, hook, BW_CLASS_FILE);
}

/*
 * Memory maps: executable ones (a program run by a loader, or anonymous for anonymousMapExec), and shared
 * writable ones of a file, which write it without write() (the descriptor may be older than the rule).
 */
SEC("lsm/mmap_file")
int BPF_PROG(bulwark_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot, unsigned long flags)
{
	unsigned long address = 0;
	int ret = 0;

	/*
	 * The file is NULL for anonymous memory, yet newer verifiers take an LSM hook's pointer arguments for
	 * non-NULL and drop the test: it is read as a number.
	 */
	bpf_probe_read_kernel(&address, sizeof(address), &ctx[0]);
	if (!address)
		return (prot & PROT_EXEC) ? anonymous_exec(BW_HOOK_MMAP_FILE, prot, flags) : 0;
	if (prot & PROT_EXEC)
		ret = executable_mapping(BW_HOOK_MMAP_FILE, file);
	if (!ret && (prot & PROT_WRITE) && ((flags & MAP_TYPE) == MAP_SHARED || (flags & MAP_TYPE) == MAP_SHARED_VALIDATE))
		ret = decide_path(BW_HOOK_MMAP_FILE, &file->f_path, 1, 0);
	return ret;
}

/* mprotect adding what mmap would have been asked for: execution, or writing to a shared file mapping. */
SEC("lsm/file_mprotect")
int BPF_PROG(bulwark_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot, unsigned long prot)
{
	unsigned long vm_flags = BPF_CORE_READ(vma, vm_flags);
	struct file *file = BPF_CORE_READ(vma, vm_file);
	int ret = 0;

	if ((prot & PROT_EXEC) && !(vm_flags & VM_EXEC)) {
		if (!file || shared_anonymous(file))
			return anonymous_exec(BW_HOOK_FILE_MPROTECT, prot, (vm_flags & VM_SHARED) ? MAP_SHARED : 0);
		ret = executable_mapping(BW_HOOK_FILE_MPROTECT, file);
	}
	if (!ret && file && (prot & PROT_WRITE) && !(vm_flags & VM_WRITE) && (vm_flags & VM_SHARED)) {
		struct dentry *dentry;
		struct vfsmount *mnt;

		user_path(file, &dentry, &mnt);
		ret = decide(BW_HOOK_FILE_MPROTECT, BW_CLASS_FILE, dentry, mnt, 1, 0);
	}
	return ret;
}

/* ---- Mounts: no other names for an endpoint's files ---- */

/*
 * A mount, a moved mount, pivot_root or chroot gives files names the rules do not know. While an endpoint's
 * rules could be escaped that way (its guard_rule is set), its processes may do none of them; on the host,
 * root may (it is trusted with the node), other users (through a user namespace) may not.
 */
static __always_inline int guard(__u8 hook, struct dentry *dentry, struct vfsmount *vfsmnt)
{
	struct decision d = {};

	struct task_struct *task;

	if (!begin(&d, BW_CLASS_FILE) || !d.modes->guard_rule)
		return 0;
	task = d.task;
	if (d.ep.pid_ns == 0 && d.ep.mnt_ns == 0 && BPF_CORE_READ(task, cred, uid.val) == 0)
		return 0;
	if (!dentry || path_of(dentry, vfsmnt, d.s->path, &d.s->assemble) < 0)
		d.s->path[0] = 0;
	report(&d, hook, BW_CLASS_FILE, BW_DECISION_GUARDED, d.modes->guard_rule, -EPERM, 0);
	return -EPERM;
}

#define MS_REMOUNT 32
#define MS_BIND 4096
#define MS_UNBINDABLE (1 << 17)
#define MS_PRIVATE (1 << 18)
#define MS_SLAVE (1 << 19)
#define MS_SHARED (1 << 20)

/* mount(2): remounts and propagation changes give no new names; binds, moves and new mounts do. */
SEC("lsm/sb_mount")
int BPF_PROG(bulwark_sb_mount, const char *dev_name, const struct path *path, const char *type, unsigned long flags,
	     void *data)
{
	if (flags & MS_REMOUNT)
		return 0;
	if (!(flags & MS_BIND) && (flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)))
		return 0;
	return guard(BW_HOOK_SB_MOUNT, BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt));
}

/* move_mount(2): attaching a tree made by open_tree or fsmount, or moving one. */
SEC("lsm/move_mount")
int BPF_PROG(bulwark_move_mount, const struct path *from_path, const struct path *to_path)
{
	return guard(BW_HOOK_MOVE_MOUNT, BPF_CORE_READ(to_path, dentry), BPF_CORE_READ(to_path, mnt));
}

SEC("lsm/sb_pivotroot")
int BPF_PROG(bulwark_sb_pivotroot, const struct path *old_path, const struct path *new_path)
{
	return guard(BW_HOOK_SB_PIVOTROOT, BPF_CORE_READ(new_path, dentry), BPF_CORE_READ(new_path, mnt));
}

SEC("lsm/path_chroot")
int BPF_PROG(bulwark_path_chroot, const struct path *path)
{
	return guard(BW_HOOK_PATH_CHROOT, BPF_CORE_READ(path, dentry), BPF_CORE_READ(path, mnt));
}

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

/* ---- selfProtection: the agent's BPF objects, signals and ptrace are the agent's alone ---- */

/* Another process than the agent acts while the agent is protected. */
static __always_inline struct self_identity *stranger(void)
{
	struct self_identity *self = live_agent();

	if (!self || is_agent(self, (struct task_struct *)bpf_get_current_task_btf()))
		return 0;
	return self;
}

static __always_inline int protected_object(__u32 kind, __u32 id)
{
	__u64 key = ((__u64)kind << 32) | id;

	return bpf_map_lookup_elem(&protected_objects, &key) != 0;
}

/*
 * Denies and reports what another process tried on the agent, described in s->path. The event goes out under
 * the endpoint the process belongs to (the host's when none governs it).
 */
static __always_inline int deny_stranger(__u8 hook, struct decision *d)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();

	d->task = task;
	if (!governing(task, &d->ep, &d->id)) {
		d->ep.pid_ns = 0;
		d->ep.mnt_ns = 0;
	}
	report(d, hook, BW_CLASS_PROCESS, BW_DECISION_SELF, 0, -EPERM, 0);
	return -EPERM;
}

/* A description of the attempt into the scratch space, for the alert. */
static __always_inline struct scratch *describe(struct decision *d)
{
	d->s = scratch();
	if (d->s)
		d->s->path[0] = 0;
	return d->s;
}

/* A map fd by id or from a pin (BPF_MAP_GET_FD_BY_ID, BPF_OBJ_GET): not of the agent's maps. */
SEC("lsm/bpf_map")
int BPF_PROG(bulwark_bpf_map, struct bpf_map *map, fmode_t fmode)
{
	struct decision d = {};
	__u64 args[1];

	char name[9] = {};

	if (!stranger())
		return 0;
	bpf_probe_read_kernel(name, sizeof(name), map->name);
	/* The rule maps of endpoints are made at run time, all named so (Bpf.createLike). */
	if (!protected_object(BW_OBJECT_MAP, BPF_CORE_READ(map, id)) && !starts_with(name, "bw_rules", 9))
		return 0;
	if (!describe(&d))
		return 0;
	args[0] = (__u64)BPF_CORE_READ(map, name);
	bpf_snprintf(d.s->path, BULWARK_EVENT_PATH, "bpf map %s", args, sizeof(args));
	return deny_stranger(BW_HOOK_BPF_MAP, &d);
}

/* A program fd by id or from a pin: not of the agent's programs. */
SEC("lsm/bpf_prog")
int BPF_PROG(bulwark_bpf_prog, struct bpf_prog *prog)
{
	struct decision d = {};
	__u64 args[1];

	if (!stranger() || !protected_object(BW_OBJECT_PROG, BPF_CORE_READ(prog, aux, id)) || !describe(&d))
		return 0;
	args[0] = (__u64)BPF_CORE_READ(prog, aux, name);
	bpf_snprintf(d.s->path, BULWARK_EVENT_PATH, "bpf program %s", args, sizeof(args));
	return deny_stranger(BW_HOOK_BPF_PROG, &d);
}

/* The id of the BPF link a descriptor of the current task refers to (0: none); only links are compared with it. */
static __always_inline __u32 link_of_fd(__u32 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **files = BPF_CORE_READ(fdt, fd);
	struct file *file = 0;
	struct bpf_link *link;

	if (fd >= BPF_CORE_READ(fdt, max_fds) || bpf_probe_read_kernel(&file, sizeof(file), &files[fd & 0xffff]) < 0 ||
	    !file)
		return 0;
	link = BPF_CORE_READ(file, private_data);
	return link ? BPF_CORE_READ(link, id) : 0;
}

/* Links have no LSM hook of their own: taking one by id, detaching or updating one is judged at bpf(). */
SEC("lsm/bpf")
int BPF_PROG(bulwark_bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	struct decision d = {};
	__u32 link = 0;

	if (cmd != BPF_LINK_GET_FD_BY_ID_CMD && cmd != BPF_LINK_DETACH_CMD && cmd != BPF_LINK_UPDATE_CMD)
		return 0;
	if (!stranger())
		return 0;
	if (cmd == BPF_LINK_GET_FD_BY_ID_CMD)
		link = BPF_CORE_READ(attr, link_id);
	else if (cmd == BPF_LINK_DETACH_CMD)
		link = link_of_fd(BPF_CORE_READ(attr, link_detach.link_fd));
	else
		link = link_of_fd(BPF_CORE_READ(attr, link_update.link_fd));
	if (!link || !protected_object(BW_OBJECT_LINK, link) || !describe(&d))
		return 0;
	__u64 args[1] = {cmd};
	bpf_snprintf(d.s->path, BULWARK_EVENT_PATH, "bpf link (command %d)", args, sizeof(args));
	return deny_stranger(BW_HOOK_BPF, &d);
}

/*
 * Signals to the agent from another process (the kernel's own, such as the OOM killer's or cgroup.kill's, never
 * come here): only init, its parent and, where that parent is not init, the parent's other children may stop it:
 * the service manager; the shell that started it; a container runtime's shim and the helpers it runs to
 * signal its container (runc kill). Signal 0 only asks whether it lives.
 */
SEC("lsm/task_kill")
int BPF_PROG(bulwark_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig, const struct cred *cred)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct self_identity *self;
	struct decision d = {};
	__u32 sender, parent;

	if (sig == 0 || !(self = stranger()) || !is_agent(self, p))
		return 0;
	sender = BPF_CORE_READ(task, tgid);
	parent = BPF_CORE_READ(p, group_leader, real_parent, tgid);
	if (sender == 1 || sender == parent ||
	    (parent != 1 && BPF_CORE_READ(task, group_leader, real_parent, tgid) == parent) || !describe(&d))
		return 0;
	__u64 args[2] = {sig, self->tgid};
	bpf_snprintf(d.s->path, BULWARK_EVENT_PATH, "signal %d to the agent (pid %d)", args, sizeof(args));
	return deny_stranger(BW_HOOK_TASK_KILL, &d);
}

/* ptrace, /proc/<pid>/mem, process_vm_writev, pidfd_getfd on the agent: attaching is the agent's own. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(bulwark_ptrace_access_check, struct task_struct *child, unsigned int mode)
{
	struct self_identity *self;
	struct decision d = {};

	if (!(mode & PTRACE_MODE_ATTACH) || !(self = stranger()) || !is_agent(self, child) || !describe(&d))
		return 0;
	__u64 args[1] = {self->tgid};
	bpf_snprintf(d.s->path, BULWARK_EVENT_PATH, "ptrace of the agent (pid %d)", args, sizeof(args));
	return deny_stranger(BW_HOOK_PTRACE_ACCESS_CHECK, &d);
}
