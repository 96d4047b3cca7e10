package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/accolade-badges/accolade/credential"
	"github.com/accolade-badges/accolade/internal/config"
	"github.com/accolade-badges/accolade/ldcontext"
)

// issueContexts are the contexts every credential this node issues names:
// without them it can sign nothing (Data Integrity canonicalizes through
// them, and the OB checks require them).
var issueContexts = []string{credential.ContextVCv2, credential.ContextOB}

const contextsHow = "add them with 'accolade contexts import DIR' (into the store) or ACCOLADE_CONTEXTS_DIR=DIR; files are matched by digest, not name"

// contextsReady reports whether the loader can supply the contexts needed
// to issue: /readyz is red without them.
func contextsReady(l *ldcontext.Loader) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		for _, u := range issueContexts {
			if _, err := l.Get(ctx, u); err != nil {
				return &notReadyError{msg: fmt.Sprintf("cannot issue: context %s is not available (not bundled, not in the store or ACCOLADE_CONTEXTS_DIR, and not fetched); %s", u, contextsHow), cause: err}
			}
		}
		return nil
	}
}

// notReadyError is the reason /readyz shows; the loader's error, which may name
// hosts and addresses, is only wrapped.
type notReadyError struct {
	msg   string
	cause error
}

func (e *notReadyError) Error() string { return e.msg }
func (e *notReadyError) Unwrap() error { return e.cause }

// logContexts says at start where the pinned documents come from, which are
// missing, and how to add them.
func logContexts(ctx context.Context, log *slog.Logger, cfg config.Config, l *ldcontext.Loader) {
	count := map[ldcontext.Source]int{}
	var missing, missingSchemas, missingIssue []string
	for _, e := range l.List(ctx) {
		count[e.Available]++
		if e.Available != ldcontext.SourceNone {
			continue
		}
		missing = append(missing, e.URL)
		if e.Kind == ldcontext.KindSchema {
			missingSchemas = append(missingSchemas, e.URL)
		}
		for _, u := range issueContexts {
			if u == e.URL {
				missingIssue = append(missingIssue, u)
			}
		}
	}
	log.InfoContext(ctx, "pinned contexts and schemas", "bundled", count[ldcontext.SourceBundled],
		"store", count[ldcontext.SourceCache]+count[ldcontext.SourceMemory], "contexts_dir", count[ldcontext.SourceDir],
		"missing", len(missing))
	if len(missing) == 0 {
		return
	}
	fallback := "each is fetched from its canonical URL on first use (through the guarded client) and kept in the store"
	if cfg.Contexts.Offline {
		fallback = "offline: they cannot be fetched, so credentials naming them cannot be issued or verified"
	}
	log.WarnContext(ctx, "pinned documents not available offline: "+fallback+"; "+contextsHow,
		"missing", strings.Join(missing, " "))
	if len(missingSchemas) > 0 {
		log.WarnContext(ctx, "without the Open Badges JSON Schemas, issuing and verifying run the OB model checks only and the verifier reports the schema check as skipped until a schema can be loaded",
			"schemas", len(missingSchemas))
	}
	if len(missingIssue) > 0 && cfg.Contexts.Offline {
		log.ErrorContext(ctx, "this node cannot issue: contexts every credential names are missing and the network is off; /readyz answers 503",
			"missing", strings.Join(missingIssue, " "))
	}
}
