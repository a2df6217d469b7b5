/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Part of enforcer.bpf.c, which includes its parts in order (each uses what the ones before declare):
 * Looking rules up: the path walk, the keyed hashes, the lookups per key.
 */
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

/* ---- The glob automaton (see BW_GLOB_SHIFT) ---- */

/* One step of the automaton on a byte: its own key, else the state's "other" key, else dead. */
static __always_inline __u32 glob_step(void *globs, __u32 state, __u32 c)
{
	__u32 key = state << BW_GLOB_SHIFT | (c & 0xff);
	__u32 *next = bpf_map_lookup_elem(globs, &key);

	if (!next) {
		key = state << BW_GLOB_SHIFT | BW_GLOB_OTHER;
		next = bpf_map_lookup_elem(globs, &key);
	}
	return next && *next <= BW_GLOB_MAX_STATE ? *next : 0;
}

/* What a bpf_loop callback over the path needs to walk the automaton. */
struct glob_ctx {
	void *globs;
	struct scratch *s;
};

static long glob_byte(__u32 i, struct glob_ctx *g)
{
	struct walk *w = &g->s->w;

	if (i >= w->length || i >= BULWARK_PATH_MAX || !w->glob_state)
		return 1;
	w->glob_state = glob_step(g->globs, w->glob_state, g->s->path[bounded(i, BULWARK_PATH_MAX - 1)]);
	return 0;
}

/* A rule an accepting state holds for an action in the walk's context, taken as take() takes a key's. */
static __always_inline __u32 glob_rule(void *globs, __u32 state, __u32 what)
{
	__u32 key = state << BW_GLOB_SHIFT | what;
	__u32 *rule = bpf_map_lookup_elem(globs, &key);

	return rule ? *rule : 0;
}

static __always_inline void glob_take(void *globs, struct walk *w, __u32 state)
{
	__u32 c = w->context & (BW_CONTEXTS - 1);
	__u32 rule;

	rule = glob_rule(globs, state, BW_GLOB_RULES + 2 * BW_CONTEXTS + c);
	if (rule && (!(rule & BW_RULE_SELF) || w->agent_lives))
		w->block = rule & ~BW_RULE_SELF;
	rule = glob_rule(globs, state, BW_GLOB_RULES + BW_CONTEXTS + c);
	if (rule)
		w->audit = rule;
	rule = glob_rule(globs, state, BW_GLOB_RULES + c);
	if (rule)
		w->allow = rule;
}

/*
 * The patterns the path matches, walked from the class's start state over the path (stopping once nothing can
 * match). directory: the path is a directory being renamed or removed; a Block below it that depends on its
 * name holds as well.
 */
static __always_inline void glob_walk(void *globs, struct scratch *s, __u32 rule_class, int directory)
{
	struct walk *w = &s->w;
	struct glob_ctx g = {.globs = globs, .s = s};
	__u32 rule;

	w->glob_state = BW_GLOB_START + rule_class;
	bpf_loop(BULWARK_PATH_MAX, glob_byte, &g, 0);
	if (!w->glob_state)
		return;
	glob_take(globs, w, w->glob_state);
	if (!directory)
		return;
	w->glob_state = glob_step(globs, w->glob_state, '/');
	if (!w->glob_state)
		return;
	rule = glob_rule(globs, w->glob_state, BW_GLOB_ANCESTOR);
	if (rule && (!(rule & BW_RULE_SELF) || w->agent_lives))
		w->block = rule & ~BW_RULE_SELF;
}
