package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/accolade-badges/accolade/verifier"
	"github.com/gin-gonic/gin"
)

// PresentationVerifier verifies presentations. A Verifier that also
// implements it gets POST /presentations/verify.
type PresentationVerifier interface {
	VerifyPresentation(ctx context.Context, input any, opts verifier.PresentationOptions) *verifier.PresentationReport
}

var _ PresentationVerifier = (*verifier.Verifier)(nil)

func (s *Server) presentationRoutes() {
	pv, ok := s.cfg.Verifier.(PresentationVerifier)
	if !ok {
		return
	}
	s.engine.POST("/presentations/verify", wrap(s.vcapiVerifyPresentation(pv)))
}

// vcapiVerifyPresentationRequest is the VC-API verify presentation request
// body. challenge and domain bind a Data Integrity proof; for a VP-JWT they
// are the expected nonce and aud unless nonce and audience are given.
type vcapiVerifyPresentationRequest struct {
	VerifiablePresentation json.RawMessage `json:"verifiablePresentation"`
	Options                struct {
		Challenge string `json:"challenge"`
		Domain    string `json:"domain"`
		Nonce     string `json:"nonce"`
		Audience  string `json:"audience"`
		// Checks names the checks to run: credential checks (format,
		// proof, issuer, validity, schema, status) narrow each embedded
		// credential's, and holder-binding asks for holder binding; the
		// presentation checks always run. Absent runs everything.
		Checks []string `json:"checks"`
		// BearerCredentials overrides the server's policy on presented
		// bearer credentials: ob-recipients, accept or reject.
		BearerCredentials string `json:"bearerCredentials"`
	} `json:"options"`
}

// vcapiOutcomeBody is one report in VC-API shape.
type vcapiOutcomeBody struct {
	Verified bool             `json:"verified"`
	Checks   []string         `json:"checks"`
	Warnings []vcapiProblem   `json:"warnings"`
	Errors   []vcapiProblem   `json:"errors"`
	Results  []verifier.Check `json:"results"`
}

func vcapiOutcome(verified bool, checks []verifier.Check, prefix string) vcapiOutcomeBody {
	r := vcapiOutcomeBody{Verified: verified, Checks: []string{}, Warnings: []vcapiProblem{}, Errors: []vcapiProblem{}, Results: checks}
	for _, ch := range checks {
		name := prefix + ch.Name
		switch ch.Status {
		case verifier.Passed:
			r.Checks = append(r.Checks, name)
		case verifier.Warning:
			r.Checks = append(r.Checks, name)
			r.Warnings = append(r.Warnings, vcapiProblem{name, ch.Message})
		case verifier.Failed:
			r.Errors = append(r.Errors, vcapiProblem{name, ch.Message})
		}
	}
	return r
}

// vcapiVerifyPresentation answers 200 for a verified presentation and 400
// with the same body otherwise, like /credentials/verify. Top-level checks,
// warnings and errors name presentation checks as they are
// ("presentation.proof") and credential checks by position
// ("verifiableCredential[0].holder-binding").
func (s *Server) vcapiVerifyPresentation(pv PresentationVerifier) handler {
	return func(c *gin.Context) error {
		var req vcapiVerifyPresentationRequest
		if err := bindJSONLoose(c, &req); err != nil {
			return err
		}
		if len(req.VerifiablePresentation) == 0 || string(req.VerifiablePresentation) == "null" {
			return errBadRequest("verifiablePresentation is required", nil)
		}
		var input any
		if err := json.Unmarshal(req.VerifiablePresentation, &input); err != nil {
			return errBadRequest("verifiablePresentation is not valid JSON", err)
		}
		switch input.(type) {
		case map[string]any, string:
		default:
			return errBadRequest("verifiablePresentation must be a JSON object, a VP-JWT string or an EnvelopedVerifiablePresentation", nil)
		}
		var credChecks []string
		skipBinding := false
		if req.Options.Checks != nil {
			credChecks, skipBinding = []string{}, true
			for _, name := range req.Options.Checks {
				switch {
				case knownCheck(name):
					credChecks = append(credChecks, name)
				case name == verifier.CheckHolderBinding:
					skipBinding = false
				case slices.Contains(verifier.PresentationChecks, name):
					// They always run.
				default:
					return errBadRequest("unknown check "+strconv.Quote(name), nil)
				}
			}
		}
		switch p := verifier.BearerPolicy(req.Options.BearerCredentials); p {
		case "", verifier.BearerOBRecipients, verifier.BearerAccept, verifier.BearerReject:
		default:
			return errBadRequest("options.bearerCredentials must be ob-recipients, accept or reject", nil)
		}
		rep := pv.VerifyPresentation(c.Request.Context(), input, verifier.PresentationOptions{
			Challenge: req.Options.Challenge, Domain: req.Options.Domain,
			Nonce: req.Options.Nonce, Audience: req.Options.Audience, Checks: credChecks,
			SkipHolderBinding: skipBinding,
			BearerCredentials: verifier.BearerPolicy(req.Options.BearerCredentials),
		})
		top := vcapiOutcome(rep.Verified, rep.Checks, "")
		presentation := vcapiOutcome(len(top.Errors) == 0, rep.Checks, "")
		creds := make([]vcapiOutcomeBody, 0, len(rep.Credentials))
		for i, cr := range rep.Credentials {
			creds = append(creds, vcapiOutcome(cr.Verified, cr.Checks, ""))
			sub := vcapiOutcome(cr.Verified, cr.Checks, fmt.Sprintf("verifiableCredential[%d].", i))
			top.Checks = append(top.Checks, sub.Checks...)
			top.Warnings = append(top.Warnings, sub.Warnings...)
			top.Errors = append(top.Errors, sub.Errors...)
		}
		body := gin.H{
			"verified": rep.Verified, "checks": top.Checks, "warnings": top.Warnings, "errors": top.Errors,
			"holder": rep.Holder, "format": rep.Format,
			"presentationResult": presentation,
			"credentialResults":  creds,
		}
		status := http.StatusOK
		if !rep.Verified {
			status = http.StatusBadRequest
		}
		return writeJSON(c, status, "application/json", body)
	}
}
