package redis

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// URL schemes Open accepts, and the default ports of the multi-host forms.
const (
	schemeRedis         = "redis"
	schemeRedisTLS      = "rediss"
	schemeSentinel      = "redis+sentinel"
	schemeSentinelTLS   = "rediss+sentinel"
	schemeCluster       = "redis+cluster"
	schemeClusterTLS    = "rediss+cluster"
	defaultSentinelPort = "26379"
	defaultRedisPort    = "6379"
)

// Query options that parseURL reads itself or refuses.
const (
	querySentinelUsername = "sentinel_username"
	querySentinelPassword = "sentinel_password"
	queryMasterName       = "master_name"
	queryAddr             = "addr"
	queryContextTimeout   = "context_timeout_enabled"
)

const errParse = "redis: parse store URL"

// clientOptions is the parsed form of a store URL: exactly one of its fields
// is set, and it says which go-redis client newClient builds.
type clientOptions struct {
	single   *goredis.Options
	failover *goredis.FailoverOptions
	cluster  *goredis.ClusterOptions
}

// newClient builds the go-redis client for o. It does not connect.
func (o clientOptions) newClient() goredis.UniversalClient {
	switch {
	case o.failover != nil:
		return goredis.NewFailoverClient(o.failover)
	case o.cluster != nil:
		return goredis.NewClusterClient(o.cluster)
	default:
		return goredis.NewClient(o.single)
	}
}

// addrs returns the addresses o connects to first, for error messages.
func (o clientOptions) addrs() string {
	switch {
	case o.failover != nil:
		return "sentinels " + strings.Join(o.failover.SentinelAddrs, ",") + " master " + o.failover.MasterName
	case o.cluster != nil:
		return "cluster " + strings.Join(o.cluster.Addrs, ",")
	default:
		return o.single.Addr
	}
}

// parseURL turns a store URL into client options without connecting. The
// forms are documented in the package comment. Errors never repeat the URL,
// which may hold a password.
//
// Every form gets ContextTimeoutEnabled, so that a ctx deadline bounds each
// call as the store contracts expect.
func parseURL(rawURL string) (clientOptions, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return clientOptions{}, fmt.Errorf("%s: missing scheme://", errParse)
	}
	// A raw '#' always starts a fragment; one inside a password must be
	// written %23.
	if strings.Contains(rest, "#") {
		return clientOptions{}, fmt.Errorf("%s: fragment not allowed", errParse)
	}
	switch scheme {
	case schemeRedis, schemeRedisTLS:
		return parseSingle(rawURL)
	case schemeSentinel, schemeSentinelTLS:
		return parseSentinel(strings.TrimSuffix(scheme, "+sentinel"), rest)
	case schemeCluster, schemeClusterTLS:
		return parseCluster(strings.TrimSuffix(scheme, "+cluster"), rest)
	default:
		return clientOptions{}, fmt.Errorf("%s: scheme %q, want redis, rediss, redis+sentinel, rediss+sentinel, redis+cluster or rediss+cluster", errParse, scheme)
	}
}

// parseSingle handles redis:// and rediss:// with go-redis's own parser, so
// all of its query options (dial_timeout, pool_size, …) work.
func parseSingle(rawURL string) (clientOptions, error) {
	u, err := parseNoEcho(rawURL)
	if err != nil {
		return clientOptions{}, err
	}
	if u.Query().Has(queryContextTimeout) {
		return clientOptions{}, fmt.Errorf("%s: option %s is always on and cannot be set", errParse, queryContextTimeout)
	}
	o, err := goredis.ParseURL(rawURL)
	if err != nil {
		return clientOptions{}, fmt.Errorf("%s: %w", errParse, redact(err))
	}
	o.Username, o.Password = userPassword(u)
	o.ContextTimeoutEnabled = true
	return clientOptions{single: o}, nil
}

// parseSentinel handles
//
//	redis+sentinel://[[user:]pass@]host[:port][,host[:port]…]/mastername[/db][?options]
//
// rest is the part after "://" and base is "redis" or "rediss". The URL is
// rewritten into the form go-redis's ParseFailoverURL reads (first sentinel
// as host, the others as addr=, master_name=), so that its query options
// work too. The user info authenticates to the master and replicas, as in a
// redis:// URL; sentinel_username and sentinel_password in the query
// authenticate to the Sentinels themselves.
func parseSentinel(base, rest string) (clientOptions, error) {
	u, hosts, err := splitMultiHost(base, rest, defaultSentinelPort)
	if err != nil {
		return clientOptions{}, err
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if segs[0] == "" || len(segs) > 2 {
		return clientOptions{}, fmt.Errorf("%s: sentinel URL path must be /mastername or /mastername/db", errParse)
	}
	master := segs[0]
	db := "0"
	if len(segs) == 2 {
		db = segs[1]
		if n, err := strconv.Atoi(db); err != nil || n < 0 {
			return clientOptions{}, fmt.Errorf("%s: invalid database number %q", errParse, db)
		}
	}

	q := u.Query()
	for _, k := range []string{queryMasterName, queryAddr, "db", "username", "password", queryContextTimeout} {
		if q.Has(k) {
			return clientOptions{}, fmt.Errorf("%s: option %s is not allowed in a sentinel URL: use the host list, path and user info", errParse, k)
		}
	}
	sentinelUser, sentinelPass := q.Get(querySentinelUsername), q.Get(querySentinelPassword)
	q.Del(querySentinelUsername)
	q.Del(querySentinelPassword)
	q.Set(queryMasterName, master)
	q[queryAddr] = hosts[1:]
	u.Host = hosts[0]
	u.Path = "/" + db
	u.RawPath = ""
	u.RawQuery = q.Encode()

	o, err := goredis.ParseFailoverURL(u.String())
	if err != nil {
		return clientOptions{}, fmt.Errorf("%s: %w", errParse, redact(err))
	}
	// ParseFailoverURL reads the user info as the Sentinels' credentials;
	// here it belongs to the data nodes.
	o.Username, o.Password = userPassword(u)
	clearServerName(o.TLSConfig)
	o.SentinelUsername, o.SentinelPassword = sentinelUser, sentinelPass
	o.ContextTimeoutEnabled = true
	return clientOptions{failover: o}, nil
}

// parseCluster handles
//
//	redis+cluster://[[user:]pass@]host[:port][,host[:port]…][/][?options]
//
// by rewriting it for go-redis's ParseClusterURL (first node as host, the
// others as addr=). A cluster has only database 0, so a path is an error.
func parseCluster(base, rest string) (clientOptions, error) {
	u, hosts, err := splitMultiHost(base, rest, defaultRedisPort)
	if err != nil {
		return clientOptions{}, err
	}
	if u.Path != "" && u.Path != "/" {
		return clientOptions{}, fmt.Errorf("%s: a cluster URL has no path (Redis Cluster has only database 0)", errParse)
	}
	q := u.Query()
	for _, k := range []string{queryAddr, queryContextTimeout} {
		if q.Has(k) {
			return clientOptions{}, fmt.Errorf("%s: option %s is not allowed in a cluster URL", errParse, k)
		}
	}
	q[queryAddr] = hosts[1:]
	u.Host = hosts[0]
	u.Path = ""
	u.RawPath = ""
	u.RawQuery = q.Encode()

	o, err := goredis.ParseClusterURL(u.String())
	if err != nil {
		return clientOptions{}, fmt.Errorf("%s: %w", errParse, redact(err))
	}
	if o.TLSConfig != nil {
		o.TLSConfig.MinVersion = tls.VersionTLS12
	}
	clearServerName(o.TLSConfig)
	o.Username, o.Password = userPassword(u)
	o.ContextTimeoutEnabled = true
	return clientOptions{cluster: o}, nil
}

// splitMultiHost parses base://rest where the authority of rest may list
// several comma-separated host[:port] entries, which net/url cannot parse.
// It returns the URL with only the first host, and every host with its port
// (defaulted to defPort) as host:port.
func splitMultiHost(base, rest, defPort string) (*url.URL, []string, error) {
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	userinfo, hostList := "", authority
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		userinfo, hostList = authority[:i+1], authority[i+1:]
	}
	var hosts []string
	for h := range strings.SplitSeq(hostList, ",") {
		hp, err := hostPort(h, defPort)
		if err != nil {
			return nil, nil, err
		}
		hosts = append(hosts, hp)
	}
	u, err := parseNoEcho(base + "://" + userinfo + hosts[0] + tail)
	if err != nil {
		return nil, nil, err
	}
	return u, hosts, nil
}

// hostPort validates one host[:port] entry and adds defPort when the port is
// missing. IPv6 literals are written in brackets.
func hostPort(h, defPort string) (string, error) {
	if h == "" {
		return "", fmt.Errorf("%s: empty host in host list", errParse)
	}
	if !strings.Contains(h, ":") || strings.HasSuffix(h, "]") {
		h += ":" + defPort
	}
	host, port, err := net.SplitHostPort(h)
	if err != nil {
		return "", fmt.Errorf("%s: host %q: %w", errParse, h, err)
	}
	if host == "" {
		return "", fmt.Errorf("%s: host %q has no host name", errParse, h)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("%s: host %q has an invalid port", errParse, h)
	}
	return net.JoinHostPort(host, port), nil
}

// clearServerName undoes go-redis's choice of the first host as the TLS
// server name for every connection. The multi-host forms reach several
// servers (Sentinels, then the masters and replicas they name; the nodes a
// cluster reports), and with an empty ServerName crypto/tls checks each
// certificate against the host actually dialled.
func clearServerName(c *tls.Config) {
	if c != nil {
		c.ServerName = ""
	}
}

// userPassword returns the credentials in u's user info. User info without
// a ':' is a password, not a user name: redis://secret@host means the same
// as redis://:secret@host, since a user name without a password cannot
// authenticate to Redis anyway. (go-redis itself would read it as a user
// name and then not authenticate at all.)
func userPassword(u *url.URL) (user, password string) {
	if u.User == nil {
		return "", ""
	}
	if p, ok := u.User.Password(); ok {
		return u.User.Username(), p
	}
	return "", u.User.Username()
}

// parseNoEcho is url.Parse without the URL in the error: *url.Error quotes
// the whole URL, password included.
func parseNoEcho(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", errParse, redact(err))
	}
	return u, nil
}

// redact drops the URL from a *url.Error, keeping only its cause.
func redact(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}
