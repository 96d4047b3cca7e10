package status

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
)

// kind is a status method Checker reads.
type kind uint8

const (
	kindBitstring      kind = iota + 1 // BitstringStatusListEntry
	kind2021                           // StatusList2021Entry
	kindRevocationList                 // 1EdTechRevocationList
)

// entryKind finds the status method of an entry from its type, a string
// or, as JSON-LD allows, an array of strings.
func entryKind(entry map[string]any) (kind, string) {
	match := func(t string) kind {
		switch t {
		case TypeBitstringStatusListEntry:
			return kindBitstring
		case TypeStatusList2021Entry:
			return kind2021
		case Type1EdTechRevocationList:
			return kindRevocationList
		}
		return 0
	}
	switch t := entry["type"].(type) {
	case string:
		return match(t), t
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				if k := match(s); k != 0 {
					return k, s
				}
			}
		}
	}
	return 0, ""
}

// entryInfo is a parsed BitstringStatusListEntry or StatusList2021Entry.
type entryInfo struct {
	kind     kind
	typ      string
	url      string
	purpose  string
	index    int
	size     int
	messages []any // statusMessage, validated
}

// parseEntry checks a BitstringStatusListEntry (Bitstring Status List v1.0
// §2.1) or a StatusList2021Entry. Every problem is a MALFORMED_VALUE_ERROR,
// except an index too large for an int, which is a RANGE_ERROR: it is a
// valid base-10 integer that no list can reach. The list URL itself is
// checked when it is fetched.
func parseEntry(entry map[string]any, k kind, typ string) (entryInfo, error) {
	info := entryInfo{kind: k, typ: typ, index: -1, size: 1}
	malformed := func(format string, args ...any) error {
		e := fail(CodeMalformed, info.url, "%s: "+format, append([]any{typ}, args...)...)
		e.Purpose, e.Index = info.purpose, info.index
		return e
	}
	switch u := entry["statusListCredential"].(type) {
	case string:
		if u == "" {
			return info, malformed("statusListCredential must not be empty")
		}
		info.url = u
	case nil:
		return info, malformed("statusListCredential is required")
	default:
		return info, malformed("statusListCredential must be a URL string, not %s", kindOf(u))
	}
	switch p := entry["statusPurpose"].(type) {
	case string:
		if p == "" {
			return info, malformed("statusPurpose must not be empty")
		}
		info.purpose = p
	case nil:
		return info, malformed("statusPurpose is required")
	default:
		return info, malformed("statusPurpose must be a string, not %s", kindOf(p))
	}
	switch s := entry["statusListIndex"].(type) {
	case string:
		if s == "" || strings.Trim(s, "0123456789") != "" {
			return info, malformed("statusListIndex %q is not a string of decimal digits", s)
		}
		i, err := strconv.ParseInt(s, 10, 0)
		if errors.Is(err, strconv.ErrRange) {
			e := fail(CodeRange, info.url, "%s: statusListIndex %s is beyond any status list", typ, s)
			e.Purpose = info.purpose
			return info, e
		}
		if err != nil {
			return info, malformed("statusListIndex %q: %v", s, err)
		}
		info.index = int(i)
	case nil:
		return info, malformed("statusListIndex is required")
	default:
		return info, malformed("statusListIndex must be a string of decimal digits, not %s", kindOf(s))
	}
	if id, ok := entry["id"]; ok {
		s, ok := id.(string)
		if !ok {
			return info, malformed("id must be a URL string, not %s", kindOf(id))
		}
		if s == info.url {
			return info, malformed("id must not be the status list URL")
		}
	}
	if k != kindBitstring {
		return info, nil
	}
	if v, ok := entry["statusSize"]; ok {
		n, ok := integer(v)
		if !ok || n < 1 || n > 64 {
			return info, malformed("statusSize must be an integer from 1 to 64, not %s", jsonText(v))
		}
		info.size = int(n)
	}
	msgs, ok := entry["statusMessage"]
	if !ok {
		if info.size > 1 {
			return info, malformed("statusMessage is required when statusSize is %d", info.size)
		}
	} else {
		list, ok := msgs.([]any)
		if !ok {
			return info, malformed("statusMessage must be an array, not %s", kindOf(msgs))
		}
		// One message per possible value (§2.1 statusMessage).
		if info.size >= 63 || uint64(len(list)) != uint64(1)<<info.size {
			return info, malformed("statusMessage has %d items; statusSize %d needs 2^%d", len(list), info.size, info.size)
		}
		for i, item := range list {
			m, ok := item.(map[string]any)
			if !ok {
				return info, malformed("statusMessage[%d] must be an object, not %s", i, kindOf(item))
			}
			if _, ok := hexStatus(m["status"]); !ok {
				return info, malformed("statusMessage[%d].status must be a hexadecimal string with the prefix 0x", i)
			}
			if _, ok := m["message"].(string); !ok {
				return info, malformed("statusMessage[%d].message must be a string", i)
			}
		}
		info.messages = list
	}
	if ref, ok := entry["statusReference"]; ok {
		if !stringOrStrings(ref) {
			return info, malformed("statusReference must be a URL or an array of URLs, not %s", kindOf(ref))
		}
	}
	return info, nil
}

// message returns the statusMessage text declared for value, if any.
func (e *entryInfo) message(value uint64) string {
	for _, item := range e.messages {
		m := item.(map[string]any)
		if v, _ := hexStatus(m["status"]); v == value {
			s, _ := m["message"].(string)
			return s
		}
	}
	return ""
}

// hexStatus parses a statusMessage status, "0x" then hexadecimal digits.
func hexStatus(v any) (uint64, bool) {
	s, ok := v.(string)
	if !ok {
		return 0, false
	}
	h, ok := strings.CutPrefix(s, "0x")
	if !ok || h == "" || strings.ContainsAny(h, "+-_") {
		return 0, false
	}
	n, err := strconv.ParseUint(h, 16, 64)
	return n, err == nil
}

// integer reads a JSON integer decoded by encoding/json (float64 or
// json.Number) or set from Go.
func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return 0, false
		}
		return int64(n), true
	case int:
		return int64(n), true
	case int64:
		return n, true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// number reads a JSON number as float64.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, !math.IsNaN(n) && !math.IsInf(n, 0)
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func stringOrStrings(v any) bool {
	switch t := v.(type) {
	case string:
		return true
	case []any:
		for _, x := range t {
			if _, ok := x.(string); !ok {
				return false
			}
		}
		return true
	case []string:
		return true
	}
	return false
}

// stringList returns a string or an array of strings as a slice.
func stringList(v any) ([]string, bool) {
	switch t := v.(type) {
	case string:
		return []string{t}, true
	case []string:
		return t, true
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			s, ok := x.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// hasType reports whether the type member v names t.
func hasType(v any, t string) bool {
	list, _ := stringList(v)
	for _, s := range list {
		if s == t {
			return true
		}
	}
	return false
}

// issuerID returns the id of a credential's issuer, a URL or an object with
// an id.
func issuerID(doc map[string]any) string {
	switch iss := doc["issuer"].(type) {
	case string:
		return iss
	case map[string]any:
		id, _ := iss["id"].(string)
		return id
	}
	return ""
}

// kindOf names the JSON kind of a value.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64, int, int64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any, []string:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "an unknown value"
}

// jsonText shows a small JSON value in an error message.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil || len(b) > 64 {
		return kindOf(v)
	}
	return string(b)
}
