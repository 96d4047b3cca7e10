package redis

import "encoding/base64"

// Key layout (see the package comment). Names are written in unpadded
// base64url, whose alphabet has no ':', '{' or '}', so that a name can neither
// run into the next key segment nor open or close a hash tag, and distinct
// names always give distinct keys.

// enc encodes a collection name, token kind, token ID or sequence name for
// use inside a key.
func enc(name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(name))
}

// docTag returns the hash tag shared by the two keys of a collection,
// braces included: {<prefix>:d:<collection>}. Redis Cluster hashes only
// what is between the braces, so both keys live in one slot and the Lua
// scripts may touch them together.
func (d *DB) docTag(collection string) string {
	return "{" + d.prefix + ":d:" + enc(collection) + "}"
}

// docKeys returns the keys of a collection: the hash of values (field = ID)
// and the sorted set of IDs (score 0, so ordered byte-wise for BYLEX).
// Scripts take them in this order as KEYS[1] and KEYS[2].
func (d *DB) docKeys(collection string) []string {
	tag := d.docTag(collection)
	return []string{tag + ":v", tag + ":i"}
}

// tokenKey returns the string key of one token.
func (d *DB) tokenKey(kind, id string) string {
	return d.prefix + ":t:" + enc(kind) + ":" + enc(id)
}

// seqKey returns the counter key of one sequence.
func (d *DB) seqKey(name string) string {
	return d.prefix + ":s:" + enc(name)
}

// listTag returns the hash tag shared by the keys of a status list, braces
// included: {<prefix>:sl:<list ID>}.
func (d *DB) listTag(listID string) string {
	return "{" + d.prefix + ":sl:" + enc(listID) + "}"
}

// listKeys returns the keys of a status list: a hash with the fields size
// and version, the status bitstring and the allocation bitmap. Scripts take
// them in this order as KEYS[1], KEYS[2] and KEYS[3].
func (d *DB) listKeys(listID string) []string {
	tag := d.listTag(listID)
	return []string{tag + ":meta", tag + ":bits", tag + ":alloc"}
}
