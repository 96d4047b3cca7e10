package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"
)

// bindJSON decodes a JSON request body into v, strictly: unknown fields,
// trailing data, wrong types and oversized bodies are 400/413 problems with
// the reason. optional allows an empty body.
func bindJSON(c *gin.Context, v any, optional bool) error {
	return decodeBody(c, v, optional, true)
}

// bindJSONLoose is bindJSON for third-party request shapes (VC-API), whose
// extra members are ignored rather than refused.
func bindJSONLoose(c *gin.Context, v any) error {
	return decodeBody(c, v, false, false)
}

func decodeBody(c *gin.Context, v any, optional, strict bool) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !(len(mt) > 5 && mt[len(mt)-5:] == "+json")) {
			return &HTTPError{Status: http.StatusUnsupportedMediaType, Slug: "unsupported-media-type", Msg: "send the body as application/json"}
		}
	}
	body, err := readAllBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return errBadRequest("a JSON body is required", nil)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		msg := describeJSONError(err)
		if name, ok := unknownMember(body, v); strict && ok {
			msg = fmt.Sprintf("unknown field %q", name)
		}
		return errBadRequest(msg, err)
	}
	if dec.More() {
		return errBadRequest("the body has data after the JSON value", nil)
	}
	return nil
}

// readAllBody reads the whole request body; one over the server's limit is a
// 413 problem.
func readAllBody(c *gin.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &HTTPError{Status: http.StatusRequestEntityTooLarge, Slug: "body-too-large", Msg: fmt.Sprintf("the body exceeds %d bytes", mbe.Limit)}
		}
		return nil, errBadRequest("the body could not be read", err)
	}
	return body, nil
}

func describeJSONError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("field %q must be %s, not %s", te.Field, te.Type, te.Value)
		}
		return fmt.Sprintf("expected %s, not %s", te.Type, te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON: unexpected end of input"
	}
	return "malformed JSON"
}

// unknownMember returns the first object member of body, in document order,
// that v has no field for: the member a strict decode refused. encoding/json
// has no error type for it, so it is found again here rather than read out
// of the error's text. It answers only when body decodes loosely into v's
// type, so that the unknown member is indeed what failed.
func unknownMember(body []byte, v any) (string, bool) {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer {
		return "", false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if dec.Decode(reflect.New(t.Elem()).Interface()) != nil {
		return "", false
	}
	name, err := firstUnknown(json.NewDecoder(bytes.NewReader(body)), t.Elem())
	return name, err == nil && name != ""
}

var (
	typeAny         = reflect.TypeFor[any]()
	typeUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
)

// firstUnknown reads one JSON value from dec as it would be decoded into
// t and returns the first object member t has no field for, or "".
func firstUnknown(dec *json.Decoder, t reflect.Type) (string, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(typeUnmarshaler) {
		// The type reads its own JSON; encoding/json does not check it.
		t = typeAny
	}
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return "", nil
	}
	var fields map[string]reflect.Type
	if d == '{' && t.Kind() == reflect.Struct {
		fields = map[string]reflect.Type{}
		jsonFields(t, fields)
	}
	for dec.More() {
		next := typeAny
		switch {
		case d == '{':
			k, err := dec.Token()
			if err != nil {
				return "", err
			}
			key, _ := k.(string)
			switch {
			case fields != nil:
				ft, ok := fieldFold(fields, key)
				if !ok {
					return key, nil
				}
				next = ft
			case t.Kind() == reflect.Map:
				next = t.Elem()
			}
		case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
			next = t.Elem()
		}
		if name, err := firstUnknown(dec, next); name != "" || err != nil {
			return name, err
		}
	}
	_, err = dec.Token()
	return "", err
}

// jsonFields adds the members encoding/json decodes into struct type t,
// with their types. The fields of embedded structs are promoted unless a
// shallower field has their name.
func jsonFields(t reflect.Type, out map[string]reflect.Type) {
	var embedded []reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if et := f.Type; f.Anonymous && name == "" {
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				embedded = append(embedded, et)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	for _, et := range embedded {
		inner := map[string]reflect.Type{}
		jsonFields(et, inner)
		for name, ft := range inner {
			if _, ok := out[name]; !ok {
				out[name] = ft
			}
		}
	}
}

// fieldFold finds key among fields as encoding/json does: an exact match
// first, else one equal under case folding.
func fieldFold(fields map[string]reflect.Type, key string) (reflect.Type, bool) {
	if t, ok := fields[key]; ok {
		return t, true
	}
	for name, t := range fields {
		if strings.EqualFold(name, key) {
			return t, true
		}
	}
	return nil, false
}
