/*-------------------------------------------------------------------------
 *
 * sha256.c
 *	  The SHA-256 checksum of a statement's text, as
 *	  encode(sha256(convert_to(text, 'UTF8')), 'hex') gives it in SQL.
 *
 * Every approved statement's change row carries this checksum, so it is on
 * the gate's path.  PostgreSQL's pg_cryptohash_* (OpenSSL in Debian's
 * build) allocates and initialises a digest context per call -- about
 * 9,000 instructions for a statement of a hundred bytes, nearly all of it
 * the set-up -- where the hashing itself is about 2,500 instructions per
 * 64-byte block.  This is SHA-256 as FIPS 180-4 defines it, in plain C.
 *
 * The standard's constants are the first 32 bits of the fractional parts
 * of the square roots (initial hash) and cube roots (round constants) of
 * the first primes.  They are computed here, exactly, with integer roots,
 * once per backend; the regression suite checks every checksum against
 * PostgreSQL's own sha256().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "dbchange.h"

static uint32 initial_hash[8];
static uint32 round_constants[64];
static bool constants_ready = false;

/* The largest x with x^k <= n (k = 2 or 3), for n < 2^110. */
static uint64
integer_root(unsigned __int128 n, int k)
{
	uint64		lo = 0;
	uint64		hi = UINT64CONST(1) << 37;

	while (lo < hi)
	{
		uint64		mid = lo + (hi - lo + 1) / 2;
		unsigned __int128 p = (unsigned __int128) mid * mid;

		if (k == 3)
			p *= mid;
		if (p <= n)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/*
 * floor(frac(p^(1/k)) * 2^32) is the low 32 bits of floor((p * 2^(32k))^(1/k)),
 * since p^(1/k) < 2^32.
 */
static void
compute_constants(void)
{
	int			found = 0;
	uint32		p;

	for (p = 2; found < 64; p++)
	{
		uint32		d;
		bool		prime = true;

		for (d = 2; d * d <= p; d++)
			if (p % d == 0)
				prime = false;
		if (!prime)
			continue;
		if (found < 8)
			initial_hash[found] = (uint32) integer_root((unsigned __int128) p << 64, 2);
		round_constants[found] = (uint32) integer_root((unsigned __int128) p << 96, 3);
		found++;
	}
	constants_ready = true;
}

static inline uint32
rotr(uint32 x, int n)
{
	return (x >> n) | (x << (32 - n));
}

/* Fold one 64-byte block into the hash state h. */
static void
compress(uint32 *h, const uint8 *block)
{
	uint32		w[64];
	uint32		a = h[0],
				b = h[1],
				c = h[2],
				d = h[3],
				e = h[4],
				f = h[5],
				g = h[6],
				k = h[7];
	int			t;

	for (t = 0; t < 16; t++)
		w[t] = (uint32) block[4 * t] << 24 | (uint32) block[4 * t + 1] << 16 |
			(uint32) block[4 * t + 2] << 8 | (uint32) block[4 * t + 3];
	for (t = 16; t < 64; t++)
	{
		uint32		s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32		s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);

		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	for (t = 0; t < 64; t++)
	{
		uint32		t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
			round_constants[t] + w[t];
		uint32		t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

		k = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += k;
}

/* The digest of len bytes at data, into out[32]. */
static void
sha256(const uint8 *data, size_t len, uint8 *out)
{
	uint32		h[8];
	uint8		tail[128];
	size_t		done = 0;
	size_t		rest;
	size_t		tail_len;
	uint64		bits = (uint64) len * 8;
	int			i;

	if (!constants_ready)
		compute_constants();
	memcpy(h, initial_hash, sizeof(h));
	for (; len - done >= 64; done += 64)
		compress(h, data + done);

	/* the padding: 0x80, zeros, the length in bits (big-endian), to a block boundary */
	rest = len - done;
	tail_len = rest < 56 ? 64 : 128;
	memset(tail, 0, sizeof(tail));
	memcpy(tail, data + done, rest);
	tail[rest] = 0x80;
	for (i = 0; i < 8; i++)
		tail[tail_len - 1 - i] = (uint8) (bits >> (8 * i));
	compress(h, tail);
	if (tail_len == 128)
		compress(h, tail + 64);

	for (i = 0; i < 8; i++)
	{
		out[4 * i] = (uint8) (h[i] >> 24);
		out[4 * i + 1] = (uint8) (h[i] >> 16);
		out[4 * i + 2] = (uint8) (h[i] >> 8);
		out[4 * i + 3] = (uint8) h[i];
	}
}

/* encode(sha256(convert_to(text, 'UTF8')), 'hex') of a server-encoded string (palloc'd) */
char *
dbc_sha256_hex(const char *text)
{
	char	   *utf8 = pg_server_to_any(text, strlen(text), PG_UTF8);
	uint8		digest[32];
	char	   *hex = palloc(2 * sizeof(digest) + 1);
	int			i;

	sha256((const uint8 *) utf8, strlen(utf8), digest);
	for (i = 0; i < (int) sizeof(digest); i++)
	{
		hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 0xf];
	}
	hex[2 * sizeof(digest)] = '\0';
	return hex;
}
