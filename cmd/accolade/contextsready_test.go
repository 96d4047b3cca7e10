package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/accolade-badges/accolade/internal/config"
	"github.com/accolade-badges/accolade/internal/sharedtest"
	"github.com/accolade-badges/accolade/ldcontext"
)

// The readiness check is red without the contexts every credential names
// and green with the bundled ones; the start-up log names what is missing
// and how to add it.
func TestContextsReadyAndLog(t *testing.T) {
	ctx := context.Background()
	empty, err := ldcontext.New(ldcontext.Config{Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	err = contextsReady(empty)(ctx)
	if !errors.Is(err, ldcontext.ErrUnavailable) || !strings.Contains(err.Error(), "cannot issue") ||
		!strings.Contains(err.Error(), "accolade contexts import") {
		t.Errorf("without contexts: got %v", err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	logContexts(ctx, log, config.Config{Contexts: config.Contexts{Offline: true}}, empty)
	for _, want := range []string{"this node cannot issue", "accolade contexts import DIR", "ACCOLADE_CONTEXTS_DIR", "OB model checks only"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("start-up log lacks %q:\n%s", want, logs.String())
		}
	}

	sharedtest.Bundled(t)
	cfg := config.Config{Contexts: config.Contexts{Offline: true}}
	bundled, err := newContexts(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := contextsReady(bundled)(ctx); err != nil {
		t.Errorf("with the bundled contexts: %v", err)
	}
	logs.Reset()
	logContexts(ctx, log, cfg, bundled)
	if strings.Contains(logs.String(), "cannot issue") || !strings.Contains(logs.String(), "bundled=") {
		t.Errorf("start-up log with the bundled contexts:\n%s", logs.String())
	}
}
