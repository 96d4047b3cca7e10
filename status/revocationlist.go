package status

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

const acceptRevocationList = "application/json, application/ld+json;q=0.9"

// revocationList is a fetched 1EdTech revocation list: the ids it lists as
// revoked.
type revocationList struct {
	revoked map[string]struct{}
}

// checkRevocationList checks a 1EdTechRevocationList entry (Open Badges 3.0
// §9.1; 1EdTech Revocation List 1.0): the credential is revoked when its id
// is listed with revoked true or absent.
func (c *Checker) checkRevocationList(ctx context.Context, cred, entry map[string]any) (Result, error) {
	res := Result{Type: Type1EdTechRevocationList, Purpose: PurposeRevocation, Index: -1, Size: 1}
	u, ok := entry["id"].(string)
	if !ok || u == "" {
		e := fail(CodeMalformed, "", "%s: id must be the URL of the revocation list, not %s", Type1EdTechRevocationList, jsonText(entry["id"]))
		e.Purpose = res.Purpose
		return Result{}, e
	}
	res.URL = u
	id, _ := cred["id"].(string)
	if id == "" {
		e := fail(CodeMalformed, u, "%s: the credential has no id to look up in %s", Type1EdTechRevocationList, u)
		e.Purpose = res.Purpose
		return Result{}, e
	}
	v, err := c.cache.get(ctx, cacheKey{kindRevocationList, u})
	if err != nil {
		var se *Error
		if errors.As(err, &se) {
			cp := *se
			cp.Purpose = res.Purpose
			return Result{}, &cp
		}
		e := fail(CodeRetrieval, u, "revocation list %s: %w", u, err)
		e.Purpose = res.Purpose
		return Result{}, e
	}
	if _, revoked := v.(*revocationList).revoked[id]; revoked {
		res.Status = 1
	}
	return res, nil
}

// loadRevocationList fetches and reads a 1EdTech revocation list. It is a
// plain JSON document without a proof; its integrity rests on the HTTPS
// fetch. 1EdTech's validator reads the array "revokedCredential" (its code
// comment says "revokedCredentials"); both are read. Items are objects with
// an id and an optional boolean revoked; bare id strings are accepted too.
func (c *Checker) loadRevocationList(ctx context.Context, u string) (any, int64, time.Time, error) {
	if err := checkURL(u); err != nil {
		return nil, 0, time.Time{}, err
	}
	if c.cfg.Fetch == nil {
		return nil, 0, time.Time{}, fail(CodeRetrieval, u, "fetch %s: no Fetch configured", u)
	}
	raw, _, err := c.cfg.Fetch(ctx, u, acceptRevocationList)
	if err != nil {
		return nil, 0, time.Time{}, fail(CodeRetrieval, u, "fetch %s: %w", u, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil || doc == nil {
		return nil, 0, time.Time{}, fail(CodeMalformed, u, "revocation list %s is not a JSON object", u)
	}
	rl := &revocationList{revoked: make(map[string]struct{})}
	size := int64(256)
	for _, name := range []string{"revokedCredential", "revokedCredentials"} {
		v, ok := doc[name]
		if !ok || v == nil {
			continue
		}
		items, ok := v.([]any)
		if !ok {
			return nil, 0, time.Time{}, fail(CodeMalformed, u, "revocation list %s: %s must be an array, not %s", u, name, kindOf(v))
		}
		for i, item := range items {
			var id string
			switch it := item.(type) {
			case string:
				id = it
			case map[string]any:
				id, _ = it["id"].(string)
				if r, ok := it["revoked"]; ok {
					b, ok := r.(bool)
					if !ok {
						return nil, 0, time.Time{}, fail(CodeMalformed, u, "revocation list %s: %s[%d].revoked must be a boolean, not %s", u, name, i, kindOf(r))
					}
					if !b {
						continue
					}
				}
			}
			if id == "" {
				return nil, 0, time.Time{}, fail(CodeMalformed, u, "revocation list %s: %s[%d] has no id", u, name, i)
			}
			rl.revoked[id] = struct{}{}
			size += int64(len(id)) + 48
		}
	}
	return rl, size, c.cfg.Now().Add(c.cfg.TTL), nil
}
