/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SipHash-2-4, fed one byte at a time so that the hash of every prefix of a string can be taken on the way
 * (every directory of a path, every parent domain of a name). Rule keys are these hashes under a secret key
 * the agent draws at load, so that nobody can choose a path whose hash meets a rule's.
 *
 * Plain C: the BPF programs and KeyedHashTest's host program include the same code. In BPF the state must
 * live in a map value, never on the stack: sip_byte branches on the length, which a bpf_loop callback must
 * not take from its stack (see bpf/README.md).
 */
#ifndef BULWARK_SIPHASH_H
#define BULWARK_SIPHASH_H

struct siphash {
	__u64 v0, v1, v2, v3;
	__u64 word;   /* the bytes of the word being filled, little-endian */
	__u64 length; /* bytes fed so far */
};

#define SIP_ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

#define SIP_ROUND(v0, v1, v2, v3)                                                                   \
	do {                                                                                        \
		v0 += v1; v1 = SIP_ROTL(v1, 13); v1 ^= v0; v0 = SIP_ROTL(v0, 32);                  \
		v2 += v3; v3 = SIP_ROTL(v3, 16); v3 ^= v2;                                          \
		v0 += v3; v3 = SIP_ROTL(v3, 21); v3 ^= v0;                                          \
		v2 += v1; v1 = SIP_ROTL(v1, 17); v1 ^= v2; v2 = SIP_ROTL(v2, 32);                  \
	} while (0)

static __always_inline void sip_init(struct siphash *s, __u64 k0, __u64 k1)
{
	s->v0 = k0 ^ 0x736f6d6570736575ULL;
	s->v1 = k1 ^ 0x646f72616e646f6dULL;
	s->v2 = k0 ^ 0x6c7967656e657261ULL;
	s->v3 = k1 ^ 0x7465646279746573ULL;
	s->word = 0;
	s->length = 0;
}

static __always_inline void sip_byte(struct siphash *s, __u8 c)
{
	__u64 v0, v1, v2, v3;

	s->word |= (__u64)c << (8 * (s->length & 7));
	s->length++;
	if (s->length & 7)
		return;
	v0 = s->v0; v1 = s->v1; v2 = s->v2; v3 = s->v3;
	v3 ^= s->word;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	v0 ^= s->word;
	s->v0 = v0; s->v1 = v1; s->v2 = v2; s->v3 = v3;
	s->word = 0;
}

/* Eight bytes at once (little-endian), where the bytes fed so far fill whole words. */
static __always_inline void sip_word(struct siphash *s, __u64 word)
{
	__u64 v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3;

	v3 ^= word;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	v0 ^= word;
	s->v0 = v0; s->v1 = v1; s->v2 = v2; s->v3 = v3;
	s->length += 8;
}

/* The hash of what was fed so far; the state is left as it is, so feeding can go on. */
static __always_inline __u64 sip_final(const struct siphash *s)
{
	__u64 v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3;
	__u64 last = s->word | (s->length << 56);

	v3 ^= last;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	v0 ^= last;
	v2 ^= 0xff;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

#endif
