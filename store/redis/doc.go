// Package redis is Accolade's scale-out storage: an implementation of
// store.Store on Redis through github.com/redis/go-redis/v9, so that several
// Accolade processes can share documents, single-use tokens and sequences.
// It needs Redis 6.2 or later (GETDEL, ZRANGE … BYLEX); it is tested against
// Redis 7.0.
//
// # URLs
//
// Open takes one store URL; cmd picks this package by its scheme:
//
//	redis://[[user:]pass@]host[:port][/db][?options]        one server
//	rediss://…                                             the same over TLS
//	redis+sentinel://[[user:]pass@]host[:port][,host[:port]…]/mastername[/db][?options]
//	rediss+sentinel://…                                    Sentinel, TLS to every node
//	redis+cluster://[[user:]pass@]host[:port][,host[:port]…][?options]
//	rediss+cluster://…                                     Redis Cluster over TLS
//
// User info without a ':' is a password, as in :pass@. The plain forms are
// read by go-redis's ParseURL, so its query options (dial_timeout,
// read_timeout, pool_size, max_retries, …) apply; the Sentinel and Cluster
// forms are rewritten for ParseFailoverURL and ParseClusterURL and take
// their options. For Sentinel the user info authenticates to the master and
// replicas; the query options sentinel_username and sentinel_password
// authenticate to the Sentinels. With TLS, each server's certificate is
// checked against the host name or address actually dialled, including the
// masters, replicas and cluster nodes that Sentinel or the cluster report.
// Default ports are 6379, and 26379 for Sentinels. A cluster has only
// database 0, so its URL has no path. Every form enables go-redis's
// ContextTimeoutEnabled, so a ctx deadline bounds each call. Errors never
// repeat the URL, which may hold a password.
//
// # Key layout
//
// Every key starts with Options.Prefix (default "accolade"). Names are
// encoded as unpadded base64url, whose alphabet has no ':', '{' or '}', so
// names cannot collide or break a hash tag:
//
//	{<prefix>:d:<enc collection>}:v        hash: field = ID, value = document
//	{<prefix>:d:<enc collection>}:i        sorted set: member = ID, score 0
//	<prefix>:t:<enc kind>:<enc ID>         string with a PX expiry: one token
//	<prefix>:s:<enc name>                  string counter: one sequence
//	{<prefix>:sl:<enc list ID>}:meta       hash: size, version of a status list
//	{<prefix>:sl:<enc list ID>}:bits       string: its status bitstring (SETBIT order)
//	{<prefix>:sl:<enc list ID>}:alloc      string: its allocation bitmap
//
// The sorted set exists for ordered listing: with equal scores, ZRANGE …
// BYLEX orders members byte-wise, which is the order store.Page promises.
// Count is ZCARD.
//
// # Atomicity and Redis Cluster
//
// Create (HSETNX, then ZADD), Put (HSET and ZADD) and Delete (HDEL, then
// ZREM) are each one Lua script, and List (ZRANGE BYLEX, then HMGET) is one
// read-only script, so the hash and its index never disagree and a page is
// a consistent snapshot. PutToken is SET NX PX, TakeToken is GETDEL and Next
// is INCR: single commands, atomic across any number of processes.
//
// The two keys of a collection share the hash tag {<prefix>:d:<enc
// collection>}, so on Redis Cluster they live in one slot and the scripts
// are allowed. The flip side is that one collection cannot be spread across
// nodes: its size is bounded by one node's memory. Tokens and sequences are
// single keys and spread over all slots. Anything that walks keys (such as
// the tests' cleanup) must run SCAN on every master.
//
// Each StatusLists method is one script over the keys of one list, which
// share the hash tag {<prefix>:sl:<enc list ID>}: Allocate finds a clear bit
// of the allocation bitmap with BITPOS and sets it with SETBIT, and
// AllocateMany does so for each of its starts in one script; SetStatus
// runs SETBIT and, if the bit changed, HINCRBY of the version; Bits and
// ListInfo read the size, the version and the bitstring (or its BITCOUNT)
// together. SETBIT numbers bits as W3C Bitstring Status List does: bit 0 is
// the most significant bit of byte 0.
//
// A batch (Apply, store.Batcher) is one script over the keys of all its
// collections: every Create is checked before anything is written, so a
// conflict writes nothing, and other clients see the batch whole or not at
// all. That holds on a standalone server and with Sentinel, and on Redis
// Cluster for a batch within one collection. Redis Cluster refuses a script
// over keys of different slots (CROSSSLOT), and different collections have
// different hash tags, so there a batch across collections is split: one
// atomic script per collection, applied in byte-wise order of collection
// name, and if one fails (a conflicting Create), those already applied are
// undone by a script that restores the previous values of keys that still
// hold what the batch wrote. Once Apply returns, the batch is then still all
// or nothing, but meanwhile other clients can see part of it, and if Redis
// fails half-way (an error wrapping store.ErrUnavailable) it can stay partly
// applied. Put documents that must change together in one collection, or
// use a standalone or Sentinel deployment, when that matters.
//
// # Durability
//
// store.Docs promises that a write is durable when it returns nil. With
// Redis that holds only if the server is configured for it:
//
//   - appendonly yes, appendfsync always: Redis fsyncs the AOF before it
//     replies, so an acknowledged write survives a crash of Redis, the
//     kernel or the machine. Writes are slower: one fsync per pass of the
//     event loop, shared by the writes of that pass.
//   - appendonly yes, appendfsync everysec (Redis's default once AOF is
//     on): a crash of the Redis process alone normally loses nothing, as
//     the AOF is already written to the kernel, but a power loss or kernel
//     crash can lose about the last second (up to two under fsync stalls)
//     of acknowledged writes. After such a crash a taken token can come back
//     (a nonce or pre-authorized code usable twice), Next can hand out a
//     number again, and Allocate a status-list index already in use (two
//     credentials sharing one revocation bit) or a revocation can be undone.
//   - RDB snapshots only, or no persistence: everything since the last
//     snapshot, or everything, is lost.
//
// Replication to replicas is asynchronous, so a Sentinel or Cluster
// failover can lose acknowledged writes whatever appendfsync says. Use
// maxmemory-policy noeviction: any allkeys-* policy may evict documents.
//
// # Errors
//
// redis.Nil becomes store.ErrNotFound. Network errors, timeouts, a closed
// client, pool exhaustion and server replies such as LOADING, READONLY,
// MASTERDOWN and CLUSTERDOWN wrap store.ErrUnavailable and keep the cause
// wrapped. After a timeout on a write the command may still have been
// applied, because the reply rather than the request may be what was lost;
// a retried Create then reports ErrConflict (and a retried Allocate hands
// out another index, the first one being lost, never reused). Messages name
// collections, token kinds, sequence names and status-list IDs, never
// document or token IDs.
//
// Only cmd and tests import this package. It imports store, go-redis and
// the standard library.
package redis
