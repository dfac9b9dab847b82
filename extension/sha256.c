/*-------------------------------------------------------------------------
 *
 * sha256.c
 *	  The SHA-256 checksum of a statement's text, as
 *	  encode(sha256(convert_to(text, 'UTF8')), 'hex') gives it in SQL
 *	  (in a SQL_ASCII database: of its bytes as they are; dbchange._checksum).
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
 * On x86-64 processors with the SHA extensions (Intel since Goldmont and
 * Ice Lake, AMD since Zen) a block is folded with their instructions
 * instead: about 150 instructions rather than 2,500, chosen once per
 * backend by CPUID.  dbchange._sha256_paths() gives a text's checksum both
 * ways, so the tests check each against sha256() on any machine.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define DBC_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"

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

typedef void (*CompressFn) (uint32 *h, const uint8 *block);

#ifdef DBC_SHA_NI
/*
 * compress() with the SHA extensions.  The state lives in two registers,
 * {A,B,E,F} and {C,D,G,H} (highest lane first), as SHA256RNDS2 wants it:
 * each of its calls does two rounds and returns the new {A,B,E,F}, and the
 * old one is the new {C,D,G,H}.  m[] holds the last sixteen message words,
 * four to a register, the earliest in the lowest lane; SHA256MSG1 and
 * SHA256MSG2 extend them four words at a time.
 */
__attribute__((target("sha,ssse3,sse4.1")))
static void
compress_sha_ni(uint32 *h, const uint8 *block)
{
	/* big-endian words: reverse the bytes of each 32-bit lane */
	const __m128i swap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
	__m128i		abef = _mm_set_epi32(h[0], h[1], h[4], h[5]);
	__m128i		cdgh = _mm_set_epi32(h[2], h[3], h[6], h[7]);
	__m128i		abef0 = abef;
	__m128i		cdgh0 = cdgh;
	__m128i		m[4];
	uint32		out[8];
	int			i;

	for (i = 0; i < 16; i++)
	{
		__m128i		wk;

		if (i < 4)
			m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (block + 16 * i)), swap);
		else
		{
			/* W[t..t+3] from W[t-16..t-13], W[t-12..], W[t-7..t-4] and W[t-4..t-1] */
			__m128i		x = _mm_sha256msg1_epu32(m[i % 4], m[(i + 1) % 4]);

			x = _mm_add_epi32(x, _mm_alignr_epi8(m[(i + 3) % 4], m[(i + 2) % 4], 4));
			m[i % 4] = _mm_sha256msg2_epu32(x, m[(i + 3) % 4]);
		}
		wk = _mm_add_epi32(m[i % 4], _mm_loadu_si128((const __m128i *) (round_constants + 4 * i)));
		cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);	/* cdgh: the new {A,B,E,F} */
		wk = _mm_shuffle_epi32(wk, 0x0E);	/* the next two words to the low lanes */
		abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);
	}
	abef = _mm_add_epi32(abef, abef0);
	cdgh = _mm_add_epi32(cdgh, cdgh0);
	_mm_storeu_si128((__m128i *) out, abef);	/* F E B A */
	_mm_storeu_si128((__m128i *) (out + 4), cdgh); /* H G D C */
	h[0] = out[3];
	h[1] = out[2];
	h[4] = out[1];
	h[5] = out[0];
	h[2] = out[7];
	h[3] = out[6];
	h[6] = out[5];
	h[7] = out[4];
}

/* SHA (CPUID leaf 7, EBX bit 29), SSSE3 and SSE4.1 (leaf 1, ECX bits 9 and 19) */
static bool
have_sha_ni(void)
{
	unsigned int a,
				b,
				c,
				d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
		return false;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return false;
	return (b & (1u << 29)) != 0;
}
#endif

/* The block function for this processor (NULL until first asked). */
static CompressFn
fastest_compress(void)
{
	static CompressFn chosen = NULL;

	if (chosen == NULL)
	{
		chosen = compress;
#ifdef DBC_SHA_NI
		if (have_sha_ni())
			chosen = compress_sha_ni;
#endif
	}
	return chosen;
}

/* The digest of len bytes at data, into out[32], one block at a time by fold. */
static void
sha256_with(CompressFn fold, const uint8 *data, size_t len, uint8 *out)
{
	uint32		h[8];
	uint8		tail[128];
	size_t		done = 0;
	size_t		rest;
	size_t		tail_len;
	uint64		bits = (uint64) len * 8;
	int			i;

	memcpy(h, initial_hash, sizeof(h));
	for (; len - done >= 64; done += 64)
		fold(h, data + done);

	/* the padding: 0x80, zeros, the length in bits (big-endian), to a block boundary */
	rest = len - done;
	tail_len = rest < 56 ? 64 : 128;
	memset(tail, 0, sizeof(tail));
	memcpy(tail, data + done, rest);
	tail[rest] = 0x80;
	for (i = 0; i < 8; i++)
		tail[tail_len - 1 - i] = (uint8) (bits >> (8 * i));
	fold(h, tail);
	if (tail_len == 128)
		fold(h, tail + 64);

	for (i = 0; i < 8; i++)
	{
		out[4 * i] = (uint8) (h[i] >> 24);
		out[4 * i + 1] = (uint8) (h[i] >> 16);
		out[4 * i + 2] = (uint8) (h[i] >> 8);
		out[4 * i + 3] = (uint8) h[i];
	}
}

/*
 * The bytes a text's checksum is taken over: its UTF-8 form, so that the
 * same statement has the same checksum in databases of any encoding (a
 * promotion, `dbchange deploy` and the CLI compare them).  In a SQL_ASCII
 * database a text is any bytes: they are hashed as they are, which is the
 * UTF-8 form whenever they are UTF-8; there is no other form to take of
 * bytes that are not, and refusing them would fail the statement's record.
 */
static const char *
checksum_bytes(const char *text)
{
	if (GetDatabaseEncoding() == PG_SQL_ASCII)
		return text;
	return pg_server_to_any(text, strlen(text), PG_UTF8);
}

/* hex of the checksum of a server-encoded string (palloc'd) */
static char *
sha256_hex_with(CompressFn fold, const char *text)
{
	const char *utf8 = checksum_bytes(text);
	uint8		digest[32];
	char	   *hex = palloc(2 * sizeof(digest) + 1);
	int			i;

	if (!constants_ready)
		compute_constants();
	sha256_with(fold, (const uint8 *) utf8, strlen(utf8), digest);
	for (i = 0; i < (int) sizeof(digest); i++)
	{
		hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 0xf];
	}
	hex[2 * sizeof(digest)] = '\0';
	return hex;
}

/* The digest of len bytes, into out[32] (bytecode_cache.c's keys). */
void
dbc_sha256_raw(const void *data, size_t len, uint8 *out)
{
	if (!constants_ready)
		compute_constants();
	sha256_with(fastest_compress(), (const uint8 *) data, len, out);
}

/*
 * A statement's or script's checksum: the hex SHA-256 of its UTF-8 form
 * (checksum_bytes), palloc'd.
 */
char *
dbc_sha256_hex(const char *text)
{
	return sha256_hex_with(fastest_compress(), text);
}

/*
 * dbchange._checksum(text): the same checksum for SQL, which every checksum
 * dbchange computes in SQL uses (convert_to(t, 'UTF8') would refuse the bytes
 * a SQL_ASCII database may hold).
 */
PG_FUNCTION_INFO_V1(dbc_checksum_sql);
Datum
dbc_checksum_sql(PG_FUNCTION_ARGS)
{
	char	   *str = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_TEXT_P(cstring_to_text(dbc_sha256_hex(str)));
}

/*
 * dbchange._sha256_paths(text): the checksum in plain C and with the SHA
 * extensions (NULL where the processor has none).  For the regression tests.
 */
PG_FUNCTION_INFO_V1(dbc_sha256_paths);
Datum
dbc_sha256_paths(PG_FUNCTION_ARGS)
{
	char	   *str = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Datum		elems[2];
	bool		nulls[2] = {false, true};
	int			dims[1] = {2};
	int			lbs[1] = {1};

	elems[0] = CStringGetTextDatum(sha256_hex_with(compress, str));
	elems[1] = (Datum) 0;
	if (fastest_compress() != compress)
	{
		elems[1] = CStringGetTextDatum(sha256_hex_with(fastest_compress(), str));
		nulls[1] = false;
	}
	PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
}
