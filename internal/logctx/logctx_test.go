package logctx

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestHandlerAddsRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewHandler(slog.NewJSONHandler(&buf, nil))).With(KeyComponent, "test")
	log.InfoContext(WithRequestID(context.Background(), "req-42"), "hello")
	log.InfoContext(context.Background(), "no id")
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("got %d lines", len(lines))
	}
	var first, second map[string]any
	if err := json.Unmarshal(lines[0], &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(lines[1], &second); err != nil {
		t.Fatal(err)
	}
	if first[KeyRequestID] != "req-42" || first[KeyComponent] != "test" {
		t.Errorf("first line = %v, want request_id and component", first)
	}
	if _, ok := second[KeyRequestID]; ok {
		t.Errorf("second line has a request_id: %v", second)
	}
}
