/*-------------------------------------------------------------------------
 *
 * bytecode_cache.c
 *	  Compiled policies shared between the backends of one server: each
 *	  policy's Lua bytecode, in shared memory, found by a digest of its name
 *	  and source.
 *
 * Every backend compiles the enabled policies once, at its first decision
 * (policy.c).  Parsing is most of that: for the stock library ~22 million
 * of the ~27 million instructions, 6-7 ms of a new session's first DDL
 * statement.  Loading the same functions from bytecode costs a fraction, so
 * the first backend to parse a source leaves its bytecode here and later
 * backends load it (policy_lua.c, compile_fn).
 *
 * Only bytecode that this server's own Lua library wrote from a source it
 * parsed is ever here: a backend stores what lua_dump() made of a chunk it
 * has just loaded from text, and the entry's key is the SHA-256 of the
 * policy's name and source, so a source changed by a single byte is parsed
 * again.  The postmaster has the library mapped before it forks (dbchange
 * is preloaded, or there is no shared memory to use), so every backend
 * runs the same Lua as the one that wrote the bytes; nothing here survives
 * a restart.  (Policies themselves can never load bytecode: the sandbox's
 * load() takes text only.)
 *
 * The area is append-only under an LWLock; when an entry no longer fits,
 * the whole area is emptied first (policies are replaced now and then, and
 * their old bytecode is then dead weight).  Readers copy an entry out under
 * the lock.  Without shared_preload_libraries nothing is cached and every
 * backend parses, as before.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"

#include "dbchange.h"

#define CACHE_BYTES		(4 * 1024 * 1024)
#define CACHE_ENTRIES	256
#define KEY_BYTES		DBC_BYTECODE_KEY_BYTES

typedef struct CacheEntry
{
	uint8		key[KEY_BYTES];
	Size		offset;			/* into data */
	Size		len;
} CacheEntry;

typedef struct BytecodeCache
{
	LWLock	   *lock;
	int			nentries;
	Size		used;			/* bytes of data in use */
	uint64		stores;			/* entries ever stored (for tests and curiosity) */
	CacheEntry	entries[CACHE_ENTRIES];
	char		data[FLEXIBLE_ARRAY_MEMBER];
} BytecodeCache;

static BytecodeCache *cache = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static Size
cache_size(void)
{
	return add_size(offsetof(BytecodeCache, data), CACHE_BYTES);
}

static void
cache_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(cache_size());
	RequestNamedLWLockTranche("dbchange_bytecode", 1);
}

static void
cache_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	cache = ShmemInitStruct("dbchange bytecode cache", cache_size(), &found);
	if (!found)
	{
		cache->lock = &(GetNamedLWLockTranche("dbchange_bytecode"))->lock;
		cache->nentries = 0;
		cache->used = 0;
		cache->stores = 0;
	}
	LWLockRelease(AddinShmemInitLock);
}

/* From _PG_init, when the library is preloaded: reserve the area. */
void
dbc_bytecode_cache_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = cache_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = cache_shmem_startup;
}

/* The cache's key for a policy: SHA-256 of its name, a zero byte, and its source. */
void
dbc_bytecode_key(const char *name, const char *source, uint8 *key)
{
	size_t		nlen = strlen(name);
	size_t		slen = strlen(source);
	char	   *buf = palloc(nlen + 1 + slen);

	memcpy(buf, name, nlen);
	buf[nlen] = '\0';
	memcpy(buf + nlen + 1, source, slen);
	dbc_sha256_raw(buf, nlen + 1 + slen, key);
	pfree(buf);
}

static int
find_entry(const uint8 *key)
{
	int			i;

	for (i = 0; i < cache->nentries; i++)
		if (memcmp(cache->entries[i].key, key, KEY_BYTES) == 0)
			return i;
	return -1;
}

/*
 * The bytecode stored under key (dbc_bytecode_key): a palloc'd copy and its
 * length, or NULL when there is none.
 */
char *
dbc_bytecode_lookup(const uint8 *key, size_t *len)
{
	char	   *copy = NULL;
	int			i;

	*len = 0;
	if (cache == NULL)
		return NULL;
	LWLockAcquire(cache->lock, LW_SHARED);
	if ((i = find_entry(key)) >= 0)
	{
		*len = cache->entries[i].len;
		copy = palloc(*len);
		memcpy(copy, cache->data + cache->entries[i].offset, *len);
	}
	LWLockRelease(cache->lock);
	return copy;
}

/* Keep, under key, the bytecode made from a policy's name and source for other backends. */
void
dbc_bytecode_store(const uint8 *key, const char *code, size_t len)
{
	CacheEntry *e;

	if (cache == NULL || len == 0 || len > CACHE_BYTES)
		return;
	LWLockAcquire(cache->lock, LW_EXCLUSIVE);
	if (find_entry(key) < 0)
	{
		if (cache->nentries == CACHE_ENTRIES || cache->used + len > CACHE_BYTES)
		{
			/* full: start again rather than keep replaced policies' bytecode */
			cache->nentries = 0;
			cache->used = 0;
		}
		e = &cache->entries[cache->nentries];
		memcpy(e->key, key, KEY_BYTES);
		e->offset = cache->used;
		e->len = len;
		memcpy(cache->data + e->offset, code, len);
		cache->used += MAXALIGN(len);
		cache->nentries++;
		cache->stores++;
	}
	LWLockRelease(cache->lock);
}

/* Is there a shared cache (the library was preloaded)? */
bool
dbc_bytecode_cache_ready(void)
{
	return cache != NULL;
}

/* Entries stored since the server started (-1 without a shared cache). */
int64
dbc_bytecode_stores(void)
{
	int64		n;

	if (cache == NULL)
		return -1;
	LWLockAcquire(cache->lock, LW_SHARED);
	n = (int64) cache->stores;
	LWLockRelease(cache->lock);
	return n;
}
