// Command accolade is the Accolade server and its command-line tools: serve,
// did, keys and the like. It is the only place that picks a storage
// implementation (by the scheme of the store URL) and wires configuration,
// logging, storage, services and the HTTP API together.
package main
