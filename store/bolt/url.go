package bolt

import (
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strings"
)

// ParseURL returns the file path named by a bolt store URL. Two forms are
// accepted:
//
//	bolt:///var/lib/accolade/accolade.db  absolute path /var/lib/accolade/accolade.db
//	bolt://data/accolade.db               path data/accolade.db, relative to the working directory
//
// In the second form what a URL parser calls the host is simply the first
// path element; there is no host, so bolt://localhost/x.db means the relative
// path localhost/x.db. Percent-escapes are decoded. User info, a port, a
// query, a fragment, the opaque form bolt:x.db and a path ending in "/" are
// errors. The result is cleaned and uses the OS path separator.
func ParseURL(u string) (string, error) {
	pu, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("bolt: parse store URL: %w", err)
	}
	if pu.Scheme != "bolt" {
		return "", fmt.Errorf("bolt: parse store URL: scheme %q, want bolt", pu.Scheme)
	}
	switch {
	case pu.Opaque != "":
		return "", fmt.Errorf("bolt: parse store URL: opaque form bolt:%s; use bolt:///absolute/path or bolt://relative/path", pu.Opaque)
	case pu.User != nil:
		return "", fmt.Errorf("bolt: parse store URL: user info not allowed")
	case pu.Port() != "":
		return "", fmt.Errorf("bolt: parse store URL: port not allowed")
	case pu.RawQuery != "" || pu.ForceQuery:
		return "", fmt.Errorf("bolt: parse store URL: query not allowed")
	case pu.Fragment != "":
		return "", fmt.Errorf("bolt: parse store URL: fragment not allowed")
	}
	p := pu.Host + pu.Path
	if p == "" || p == "/" {
		return "", fmt.Errorf("bolt: parse store URL: no file path")
	}
	if strings.HasSuffix(p, "/") {
		return "", fmt.Errorf("bolt: parse store URL: path %q names a directory, not a file", p)
	}
	return filepath.FromSlash(path.Clean(p)), nil
}
