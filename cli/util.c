/*-------------------------------------------------------------------------
 *
 * util.c
 *	  Strings, files and hashes for the CLI.
 *
 * SHA-256 (content checksums, the same hex digest the server computes with
 * sha256()) and SHA-1 (for name-based UUIDs, RFC 4122 version 5) are written
 * here from FIPS 180-4 so the CLI needs no crypto library.  They hash
 * migration files and version strings, not secrets.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>

#include "cli.h"

void *
xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
	{
		fputs("dbchange: error: out of memory\n", stderr);
		exit(EXIT_ERROR);
	}
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void	   *q = realloc(p, n ? n : 1);

	if (q == NULL)
	{
		fputs("dbchange: error: out of memory\n", stderr);
		exit(EXIT_ERROR);
	}
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	   *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt,...)
{
	va_list		ap;
	int			n;
	char	   *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	p = xmalloc((size_t) n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t) n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
sb_init(StrBuf *sb)
{
	sb->cap = 256;
	sb->len = 0;
	sb->data = xmalloc(sb->cap);
	sb->data[0] = '\0';
}

void
sb_append_len(StrBuf *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->cap)
	{
		while (sb->len + n + 1 > sb->cap)
			sb->cap *= 2;
		sb->data = xrealloc(sb->data, sb->cap);
	}
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void
sb_append(StrBuf *sb, const char *s)
{
	sb_append_len(sb, s, strlen(s));
}

void
sb_printf(StrBuf *sb, const char *fmt,...)
{
	va_list		ap;
	int			n;
	char	   *tmp;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	tmp = xmalloc((size_t) n + 1);
	va_start(ap, fmt);
	vsnprintf(tmp, (size_t) n + 1, fmt, ap);
	va_end(ap);
	sb_append_len(sb, tmp, (size_t) n);
	free(tmp);
}

void
sb_free(StrBuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

char *
read_text_file(const char *path, size_t *lenp)
{
	FILE	   *f;
	struct stat st;
	StrBuf		sb;
	char		buf[65536];
	size_t		n;

	if (stat(path, &st) != 0)
	{
		dbc_error("cannot read \"%s\": %s", path, strerror(errno));
		if (errno == ENOENT)
			dbc_hint("Check the file name; relative names are taken from the current directory.");
		return NULL;
	}
	if (S_ISDIR(st.st_mode))
	{
		dbc_error("\"%s\" is a directory, not a file", path);
		return NULL;
	}
	f = fopen(path, "rb");
	if (f == NULL)
	{
		dbc_error("cannot open \"%s\": %s", path, strerror(errno));
		if (errno == EACCES)
			dbc_hint("Check the file's permissions.");
		return NULL;
	}
	sb_init(&sb);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_append_len(&sb, buf, n);
	if (ferror(f))
	{
		dbc_error("cannot read \"%s\": %s", path, strerror(errno));
		fclose(f);
		sb_free(&sb);
		return NULL;
	}
	fclose(f);
	if (memchr(sb.data, '\0', sb.len) != NULL)
	{
		dbc_error("\"%s\" is not a text file (it contains NUL bytes)", path);
		sb_free(&sb);
		return NULL;
	}
	if (lenp)
		*lenp = sb.len;
	return sb.data;
}

/*
 * The path of file name in folder dir, as messages show it: "policies/x.lua"
 * also when the folder was given as "policies/" (one separator, not two).
 */
char *
folder_path(const char *dir, const char *name)
{
	size_t		n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return xasprintf("/%s", name);
	return xasprintf("%.*s/%s", (int) n, dir, name);
}

/*
 * May a file of a folder the CLI reads as a whole (deploy's migrations,
 * policy push's policies) be read?  The folder's file names come from
 * whoever commits to it, and a symbolic link committed there
 * (V2__x.sql -> ~/.pgpass, -> /dev/zero, a FIFO) would make the deployer's
 * run read a file of theirs and print it, store it, or never end.  So a
 * file must be a regular file, and a symbolic link must lead to one inside
 * the folder.  False (printed) otherwise.
 */
bool
folder_file_ok(const char *dir, const char *name)
{
	char	   *path = folder_path(dir, name);
	struct stat lst;
	struct stat st;
	bool		ok = true;

	if (lstat(path, &lst) != 0 || stat(path, &st) != 0)
	{
		dbc_error("cannot read \"%s\": %s", path, strerror(errno));
		ok = false;
	}
	else if (!S_ISREG(st.st_mode))
	{
		dbc_error("\"%s\" is not a regular file", path);
		dbc_hint("Only plain files are read from the folder (no FIFOs or devices).");
		ok = false;
	}
	else if (S_ISLNK(lst.st_mode))
	{
		char		rdir[PATH_MAX];
		char		rfile[PATH_MAX];
		size_t		l;

		if (realpath(dir, rdir) == NULL || realpath(path, rfile) == NULL ||
			strncmp(rfile, rdir, (l = strlen(rdir))) != 0 || (l > 1 && rfile[l] != '/'))
		{
			dbc_error("\"%s\" is a symbolic link that leads out of \"%s\"", path, dir);
			dbc_hint("Files are read only from the folder itself, so a link committed there "
					 "cannot make the deployer read and print another file; copy the file in.");
			ok = false;
		}
	}
	free(path);
	return ok;
}

/* Nothing but whitespace, ';', -- comments and (nested) block comments? */
bool
script_is_empty(const char *s)
{
	while (*s)
	{
		if (isspace((unsigned char) *s) || *s == ';')
			s++;
		else if (s[0] == '-' && s[1] == '-')
		{
			while (*s && *s != '\n')
				s++;
		}
		else if (s[0] == '/' && s[1] == '*')
		{
			int			depth = 1;

			s += 2;
			while (*s && depth > 0)
			{
				if (s[0] == '/' && s[1] == '*')
				{
					depth++;
					s += 2;
				}
				else if (s[0] == '*' && s[1] == '/')
				{
					depth--;
					s += 2;
				}
				else
					s++;
			}
		}
		else
			return false;
	}
	return true;
}

int
line_of_offset(const char *s, size_t pos)
{
	int			line = 1;
	size_t		i;

	for (i = 0; i < pos && s[i]; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

/* ---- SHA-256 (FIPS 180-4, 6.2) ---- */
static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static uint32_t
be32(const unsigned char *p)
{
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

static void
sha256_block(uint32_t h[8], const unsigned char *blk)
{
	uint32_t	w[64];
	uint32_t	a, b, c, d, e, f, g, hh;
	int			i;

	for (i = 0; i < 16; i++)
		w[i] = be32(blk + 4 * i);
	for (i = 16; i < 64; i++)
	{
		uint32_t	s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t	s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++)
	{
		uint32_t	t1 = hh + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		uint32_t	t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

		hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void
sha1_block(uint32_t h[5], const unsigned char *blk)
{
	uint32_t	w[80];
	uint32_t	a, b, c, d, e;
	int			i;

	for (i = 0; i < 16; i++)
		w[i] = be32(blk + 4 * i);
	for (i = 16; i < 80; i++)
		w[i] = ROTL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
	for (i = 0; i < 80; i++)
	{
		uint32_t	f, k, t;

		if (i < 20)
		{
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		}
		else if (i < 40)
		{
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		}
		else if (i < 60)
		{
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		}
		else
		{
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = ROTL(a, 5) + f + e + k + w[i];
		e = d; d = c; c = ROTL(b, 30); b = a; a = t;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

/*
 * Both hashes share the Merkle-Damgard padding: the message, 0x80, zeros up
 * to 56 mod 64, the bit length big-endian in 8 bytes.
 */
static void
md_hash(const unsigned char *data, size_t len, uint32_t *h,
		void (*block) (uint32_t *, const unsigned char *))
{
	unsigned char tail[128];
	size_t		full = len / 64 * 64;
	size_t		rest = len - full;
	size_t		tlen;
	uint64_t	bits = (uint64_t) len * 8;
	size_t		i;
	int			k;

	for (i = 0; i < full; i += 64)
		block(h, data + i);
	memset(tail, 0, sizeof(tail));
	memcpy(tail, data + full, rest);
	tail[rest] = 0x80;
	tlen = rest + 1 + 8 <= 64 ? 64 : 128;
	for (k = 0; k < 8; k++)
		tail[tlen - 1 - k] = (unsigned char) (bits >> (8 * k));
	block(h, tail);
	if (tlen == 128)
		block(h, tail + 64);
}

static void
sha256_block_v(uint32_t *h, const unsigned char *b)
{
	sha256_block(h, b);
}

static void
sha1_block_v(uint32_t *h, const unsigned char *b)
{
	sha1_block(h, b);
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
	uint32_t	h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	int			i;

	md_hash(data, len, h, sha256_block_v);
	for (i = 0; i < 8; i++)
		snprintf(out + 8 * i, 9, "%08x", h[i]);
	out[64] = '\0';
}

void
sha1_bytes(const void *data, size_t len, unsigned char out[20])
{
	uint32_t	h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
	int			i;

	md_hash(data, len, h, sha1_block_v);
	for (i = 0; i < 5; i++)
	{
		out[4 * i] = (unsigned char) (h[i] >> 24);
		out[4 * i + 1] = (unsigned char) (h[i] >> 16);
		out[4 * i + 2] = (unsigned char) (h[i] >> 8);
		out[4 * i + 3] = (unsigned char) h[i];
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* RFC 4122 4.3: SHA-1(namespace bytes || name), version 5, variant 10. */
void
uuid_v5(const char *ns, const char *name, char out[37])
{
	size_t		nl = strlen(name);
	unsigned char *buf = xmalloc(16 + nl);
	unsigned char hash[20];
	int			i = 0;
	const char *p;

	for (p = ns; *p && i < 16; p++)
	{
		if (*p == '-')
			continue;
		buf[i++] = (unsigned char) (hexval(p[0]) << 4 | hexval(p[1]));
		p++;
	}
	memcpy(buf + 16, name, nl);
	sha1_bytes(buf, 16 + nl, hash);
	free(buf);
	hash[6] = (hash[6] & 0x0f) | 0x50;
	hash[8] = (hash[8] & 0x3f) | 0x80;
	snprintf(out, 37,
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 hash[0], hash[1], hash[2], hash[3], hash[4], hash[5], hash[6], hash[7],
			 hash[8], hash[9], hash[10], hash[11], hash[12], hash[13], hash[14], hash[15]);
}
