package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

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
		return errBadRequest(describeJSONError(err), err)
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
	if msg := err.Error(); len(msg) < 200 && bytes.HasPrefix([]byte(msg), []byte("json: unknown field")) {
		return msg[len("json: "):]
	}
	return "malformed JSON"
}
