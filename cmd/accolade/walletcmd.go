package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/accolade-badges/accolade/bake"
	"github.com/accolade-badges/accolade/internal/config"
	"github.com/accolade-badges/accolade/wallet"
)

func runWallet(ctx context.Context, env *environment, args []string) int {
	return subcommand(ctx, env, "wallet", args, []command{
		{"signup", "ask for a wallet (password from standard input); a confirmation link is mailed", runWalletSignUp},
		{"confirm", "confirm a sign-up with the mailed link, which creates the wallet", runWalletConfirm},
		{"signin", "sign in and keep the session token (password from standard input)", runWalletSignIn},
		{"signout", "end the session and forget the token", runWalletSignOut},
		{"dids", "list the holder DIDs, or add one with --add", runWalletDIDs},
		{"import", "import a credential: JSON-LD, VC-JWT or a baked PNG/SVG", runWalletImport},
		{"list", "list the credentials, with filters", runWalletList},
		{"show", "show one credential with its verification report", runWalletShow},
		{"verify", "verify a held credential again (status refresh)", runWalletReverify},
		{"present", "sign a presentation of some credentials for a verifier", runWalletPresent},
		{"share", "make a public share link to a credential", runWalletShare},
		{"export", "export the whole wallet as a JSON bundle", runWalletExport},
		{"receive", "receive badges from an OpenID4VCI credential offer link", runWalletReceive},
		{"answer", "see what an OpenID4VP request asks for, and answer it with --send", runWalletAnswer},
	})
}

const walletNote = `
Talks to the server at --server (default: the public URL) with the session
token from --token / ACCOLADE_WALLET_TOKEN, or else the one 'accolade wallet
signin' keeps in --token-file.`

// walletClient calls a server's /wallet/v1 API.
type walletClient struct {
	base  string
	token string
	http  *http.Client
}

// problemError is a problem+json answer of the server.
type problemError struct {
	Status int
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Errors []string
	Report *wallet.Report `json:"report"`
}

func (e *problemError) Error() string {
	msg := e.Detail
	if msg == "" {
		msg = e.Title
	}
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (HTTP %d)", msg, e.Status)
	for _, x := range e.Errors {
		b.WriteString("\n  - " + x)
	}
	if e.Report != nil {
		for _, c := range e.Report.Checks {
			if c.Status == wallet.StatusFailed {
				fmt.Fprintf(&b, "\n  [FAIL] %s: %s", c.Name, c.Message)
			}
		}
	}
	return b.String()
}

// errNotSignedIn is the client-side "no token" failure.
var errNotSignedIn = errors.New("not signed in: run 'accolade wallet signin' (or set ACCOLADE_WALLET_TOKEN)")

// call sends a request and decodes a JSON answer into out (when not nil).
func (c *walletClient) call(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r) //nolint:gosec // G704: the CLI calls the server its user configured (--server); paths are ours
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req) //nolint:gosec // G704: the server the user configured, as above
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		pe := &problemError{Status: resp.StatusCode}
		_ = json.Unmarshal(raw, pe)
		var errs struct {
			Errors []string `json:"errors"`
		}
		_ = json.Unmarshal(raw, &errs)
		pe.Errors = errs.Errors
		if resp.StatusCode == http.StatusTooManyRequests {
			pe.Detail += " (retry in " + resp.Header.Get("Retry-After") + "s)"
		}
		return pe
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("decode the answer of %s %s: %w", method, path, err)
		}
	}
	return nil
}

func (c *walletClient) postJSON(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return c.call(ctx, http.MethodPost, path, "application/json", body, out)
}

// walletCmd is one "accolade wallet" subcommand: its flags and positional
// arguments, and the work it does with a client (signed in when needsToken).
type walletCmd struct {
	name, usage, synopsis string
	flags                 func(fs *flag.FlagSet)
	args                  config.ArgsRule
	needsToken            bool
	run                   func(ctx context.Context, env *environment, cfg config.Config, c *walletClient) error
}

func (w walletCmd) exec(ctx context.Context, env *environment, args []string) int {
	opts := []any{w.args, settingsWallet}
	if w.flags != nil {
		opts = append(opts, w.flags)
	}
	cfg, code, ok := loadConfig(env, "wallet "+w.usage, w.synopsis+"\n"+walletNote, args, opts...)
	if !ok {
		return code
	}
	c := &walletClient{base: strings.TrimSuffix(cfg.Wallet.Server, "/"), token: cfg.Wallet.Token, http: &http.Client{Timeout: 60 * time.Second}}
	if c.base == "" {
		c.base = cfg.HTTP.PublicURL
	}
	if w.needsToken && c.token == "" {
		b, err := os.ReadFile(cfg.Wallet.TokenFile)
		if cfg.Wallet.TokenFile == "" || errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(env.stderr, "accolade wallet %s: %v\n", w.name, errNotSignedIn)
			return 1
		} else if err != nil {
			fmt.Fprintf(env.stderr, "accolade wallet %s: %v\n", w.name, err)
			return 1
		}
		c.token = strings.TrimSpace(string(b))
	}
	if err := w.run(ctx, env, cfg, c); err != nil {
		fmt.Fprintf(env.stderr, "accolade wallet %s: %v\n", w.name, err)
		var pe *problemError
		if errors.As(err, &pe) && pe.Status == http.StatusUnauthorized && w.needsToken {
			fmt.Fprintln(env.stderr, "  (sign in again: accolade wallet signin --email ADDRESS)")
		}
		return 1
	}
	return 0
}

// readPassword reads the first line of standard input.
func readPassword(env *environment) (string, error) {
	line, err := bufio.NewReader(env.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password: write it as the first line of standard input")
	}
	return pw, nil
}

func printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func runWalletSignUp(ctx context.Context, env *environment, args []string) int {
	var email string
	return walletCmd{name: "signup", usage: "signup --email ADDRESS", synopsis: `Asks for a wallet for ADDRESS. The password (10 characters or more) is
read from the first line of standard input. The server mails a
confirmation link to ADDRESS; the wallet, with a did:key holder DID,
exists once the link is opened or given to 'accolade wallet confirm'.
The answer is the same whether or not ADDRESS already has a wallet.`,
		flags: func(fs *flag.FlagSet) { fs.StringVar(&email, "email", "", "the holder's email address") },
		run: func(ctx context.Context, env *environment, _ config.Config, c *walletClient) error {
			if email == "" {
				return errors.New("--email is required")
			}
			pw, err := readPassword(env)
			if err != nil {
				return err
			}
			if err := c.postJSON(ctx, "/wallet/v1/signup", wallet.Credentials{Email: email, Password: pw}, nil); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "a confirmation link was mailed to %s: open it, or run 'accolade wallet confirm LINK'\n", email)
			return nil
		},
	}.exec(ctx, env, args)
}

func runWalletConfirm(ctx context.Context, env *environment, args []string) int {
	return walletCmd{name: "confirm", usage: "confirm LINK", synopsis: `Confirms a sign-up with the link mailed by 'accolade wallet signup' (or
the token it carries), which creates the wallet. Sign in afterwards with
'accolade wallet signin'.`, args: config.ArgsRule{Min: 1, Max: 1},
		run: func(ctx context.Context, env *environment, cfg config.Config, c *walletClient) error {
			tok := cfg.Args[0]
			if u, err := url.Parse(tok); err == nil && u.Query().Get("token") != "" {
				tok = u.Query().Get("token")
			}
			var h wallet.Holder
			if err := c.postJSON(ctx, wallet.SignUpPath, map[string]string{"token": tok}, &h); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "wallet created for %s\nholder DID %s\n", h.Email, h.DefaultDID)
			return nil
		},
	}.exec(ctx, env, args)
}

func runWalletSignIn(ctx context.Context, env *environment, args []string) int {
	var email string
	printToken := false
	return walletCmd{name: "signin", usage: "signin --email ADDRESS", synopsis: `Signs in with the password from the first line of standard input and keeps
the session token in --token-file (mode 0600) for the other commands
(--print-token prints it instead, for ACCOLADE_WALLET_TOKEN).`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&email, "email", "", "the holder's email address")
			fs.BoolVar(&printToken, "print-token", false, "print the session token instead of saving it")
		},
		run: func(ctx context.Context, env *environment, cfg config.Config, c *walletClient) error {
			if email == "" {
				return errors.New("--email is required")
			}
			pw, err := readPassword(env)
			if err != nil {
				return err
			}
			var sess struct {
				Token   string    `json:"access_token"`
				Expires time.Time `json:"expires"`
			}
			if err := c.postJSON(ctx, "/wallet/v1/signin", wallet.Credentials{Email: email, Password: pw}, &sess); err != nil {
				return err
			}
			if printToken {
				fmt.Fprintln(env.stdout, sess.Token)
				return nil
			}
			if cfg.Wallet.TokenFile == "" {
				return errors.New("no --token-file (and no user config directory): use --print-token")
			}
			if err := writeTokenFile(cfg.Wallet.TokenFile, sess.Token); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "signed in as %s until %s; token kept in %s\n", email, sess.Expires.Local().Format(time.RFC1123), cfg.Wallet.TokenFile)
			return nil
		},
	}.exec(ctx, env, args)
}

// writeTokenFile replaces the token file, readable by its owner only.
func writeTokenFile(path, token string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".wallet-token-*")
	if err != nil {
		return err
	}
	_, werr := tmp.WriteString(token + "\n")
	if err := errors.Join(werr, tmp.Chmod(0o600), tmp.Close()); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func runWalletSignOut(ctx context.Context, env *environment, args []string) int {
	return walletCmd{name: "signout", usage: "signout", synopsis: "Ends the session and removes the token file.", needsToken: true,
		run: func(ctx context.Context, env *environment, cfg config.Config, c *walletClient) error {
			err := c.call(ctx, http.MethodPost, "/wallet/v1/signout", "", nil, nil)
			var pe *problemError
			if err != nil && !(errors.As(err, &pe) && pe.Status == http.StatusUnauthorized) {
				return err
			}
			if cfg.Wallet.Token == "" {
				if err := os.Remove(cfg.Wallet.TokenFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
			}
			fmt.Fprintln(env.stdout, "signed out")
			return nil
		},
	}.exec(ctx, env, args)
}

func runWalletDIDs(ctx context.Context, env *environment, args []string) int {
	var add string
	asJSON := false
	return walletCmd{name: "dids", usage: "dids [--add jwk|key] [--json]", synopsis: `Lists the holder DIDs. --add jwk makes a did:jwk (P-256) holder DID, --add key
another did:key (Ed25519); their keys are sealed on the server.`, needsToken: true,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&add, "add", "", "add a holder DID: jwk or key")
			fs.BoolVar(&asJSON, "json", false, "print JSON")
		},
		run: func(ctx context.Context, env *environment, _ config.Config, c *walletClient) error {
			if add != "" {
				var d wallet.DID
				if err := c.postJSON(ctx, "/wallet/v1/dids", wallet.AddDIDRequest{Method: add}, &d); err != nil {
					return err
				}
				if asJSON {
					printJSON(env.stdout, d)
				} else {
					fmt.Fprintln(env.stdout, d.DID)
				}
				return nil
			}
			var list struct {
				Items []wallet.DID `json:"items"`
			}
			if err := c.call(ctx, http.MethodGet, "/wallet/v1/dids", "", nil, &list); err != nil {
				return err
			}
			if asJSON {
				printJSON(env.stdout, list.Items)
				return nil
			}
			tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DID\tALG\tDEFAULT")
			for _, d := range list.Items {
				fmt.Fprintf(tw, "%s\t%s\t%v\n", d.DID, d.Alg, d.Default)
			}
			return tw.Flush()
		},
	}.exec(ctx, env, args)
}

func runWalletImport(ctx context.Context, env *environment, args []string) int {
	asJSON := false
	return walletCmd{name: "import", usage: "import [--json] FILE", synopsis: `Imports a credential into the wallet: FILE is a JSON-LD credential, a compact
VC-JWT (or a JSON string holding one), or a baked PNG or SVG badge; "-"
reads standard input. The server verifies it first: one whose proof fails
is refused with the report, a duplicate is refused, an expired or revoked
one is kept and shows its state.`, needsToken: true, args: allowArgs(1),
		flags: func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print the stored credential as JSON") },
		run: func(ctx context.Context, env *environment, cfg config.Config, c *walletClient) error {
			data, err := readInput(env, cfg.Args[0], bake.MaxImageBytes)
			if err != nil {
				return err
			}
			var cred wallet.Credential
			switch {
			case bytes.HasPrefix(data, []byte("\x89PNG")):
				err = c.call(ctx, http.MethodPost, "/wallet/v1/credentials", "image/png", data, &cred)
			case bake.IsImage(data):
				err = c.call(ctx, http.MethodPost, "/wallet/v1/credentials", "image/svg+xml", data, &cred)
			default:
				data = bytes.TrimSpace(data)
				var v any = json.RawMessage(data)
				if !json.Valid(data) {
					v = string(data) // a bare JWT
				}
				err = c.postJSON(ctx, "/wallet/v1/credentials", map[string]any{"credential": v}, &cred)
			}
			if err != nil {
				return err
			}
			if asJSON {
				printJSON(env.stdout, cred)
				return nil
			}
			fmt.Fprintf(env.stdout, "imported %s: %s from %s (%s, %s)\n", cred.ID, orDash(cred.AchievementName, cred.Name), orDash(cred.IssuerName, cred.Issuer), cred.Format, cred.State)
			return nil
		},
	}.exec(ctx, env, args)
}

func orDash(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return "-"
}

func runWalletList(ctx context.Context, env *environment, args []string) int {
	var q struct{ issuer, achievement, typ, status, from, until string }
	asJSON := false
	return walletCmd{name: "list", usage: "list [filters] [--json]", synopsis: `Lists the wallet's credentials. Filters: --issuer ID, --achievement ID or
part of its name, --type TYPE, --status valid|revoked|suspended|expired|invalid,
--from DATE and --until DATE (on validFrom; 2025-06-01 or a date-time).`, needsToken: true,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&q.issuer, "issuer", "", "issuer id")
			fs.StringVar(&q.achievement, "achievement", "", "achievement id or part of its name")
			fs.StringVar(&q.typ, "type", "", "credential type")
			fs.StringVar(&q.status, "status", "", "valid, revoked, suspended, expired or invalid")
			fs.StringVar(&q.from, "from", "", "validFrom on or after")
			fs.StringVar(&q.until, "until", "", "validFrom on or before")
			fs.BoolVar(&asJSON, "json", false, "print JSON")
		},
		run: func(ctx context.Context, env *environment, _ config.Config, c *walletClient) error {
			v := url.Values{}
			for k, val := range map[string]string{"issuer": q.issuer, "achievement": q.achievement, "type": q.typ, "status": q.status, "from": q.from, "until": q.until} {
				if val != "" {
					v.Set(k, val)
				}
			}
			v.Set("limit", "500")
			var items []wallet.Credential
			for {
				var page wallet.Page
				if err := c.call(ctx, http.MethodGet, "/wallet/v1/credentials?"+v.Encode(), "", nil, &page); err != nil {
					return err
				}
				items = append(items, page.Items...)
				if page.Next == nil {
					break
				}
				v.Set("cursor", *page.Next)
			}
			if asJSON {
				if items == nil {
					items = []wallet.Credential{}
				}
				printJSON(env.stdout, items)
				return nil
			}
			tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATE\tFORMAT\tACHIEVEMENT\tISSUER\tVALID FROM")
			for _, it := range items {
				from := "-"
				if !it.ValidFrom.IsZero() {
					from = it.ValidFrom.Format(time.DateOnly)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", it.ID, it.State, it.Format, orDash(it.AchievementName, it.Name), orDash(it.IssuerName, it.Issuer), from)
			}
			return tw.Flush()
		},
	}.exec(ctx, env, args)
}

func runWalletShow(ctx context.Context, env *environment, args []string) int {
	return walletCmd{name: "show", usage: "show ID", synopsis: "Prints one credential of the wallet, with its latest verification report, as JSON.",
		needsToken: true, args: allowArgs(1),
		run: func(ctx context.Context, env *environment, cfg config.Config, c *walletClient) error {
			var cred wallet.Credential
			if err := c.call(ctx, http.MethodGet, "/wallet/v1/credentials/"+url.PathEscape(cfg.Args[0]), "", nil, &cred); err != nil {
				return err
			}
			printJSON(env.stdout, cred)
			return nil
		},
	}.exec(ctx, env, args)
}

func runWalletReverify(ctx context.Context, env *environment, args []string) int {
	return walletCmd{name: "verify", usage: "verify ID", synopsis: `Verifies a held credential again now (its status list is read afresh) and
prints its state and checks. Exits 1 when it no longer verifies.`,
		needsToken: true, args: allowArgs(1),
		run: func(ctx context.Context, env *environment, cfg config.Config, c *walletClient) error {
			var cred wallet.Credential
			if err := c.call(ctx, http.MethodPost, "/wallet/v1/credentials/"+url.PathEscape(cfg.Args[0])+"/verify", "", nil, &cred); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "%s  %s\n", cred.ID, strings.ToUpper(cred.State))
			marks := map[string]string{wallet.StatusPassed: "ok  ", wallet.StatusFailed: "FAIL", wallet.StatusWarning: "warn", wallet.StatusSkipped: "skip"}
			for _, ch := range cred.Report.Checks {
				fmt.Fprintf(env.stdout, "  [%s] %-9s %s\n", marks[ch.Status], ch.Name, ch.Message)
			}
			if cred.State != wallet.StateValid {
				return fmt.Errorf("the credential is %s", cred.State)
			}
			return nil
		},
	}.exec(ctx, env, args)
}

func runWalletPresent(ctx context.Context, env *environment, args []string) int {
	var req wallet.PresentRequest
	var out string
	return walletCmd{name: "present", usage: "present [flags] ID...", synopsis: `Signs a verifiable presentation of the credentials ID... (see 'accolade
wallet list') for a verifier and prints it: a JSON presentation with a Data
Integrity proof (--format ldp_vp, the default; needs --challenge) or a VP-JWT
(--format jwt_vp; needs --nonce/--challenge and --audience/--domain). The
verifier supplies the challenge (nonce) and its domain (audience).`, needsToken: true, args: config.ArgsRule{Min: 1, Max: wallet.MaxPresented},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&req.Format, "format", "ldp_vp", "ldp_vp or jwt_vp")
			fs.StringVar(&req.Challenge, "challenge", "", "the verifier's challenge")
			fs.StringVar(&req.Domain, "domain", "", "the verifier's domain")
			fs.StringVar(&req.Nonce, "nonce", "", "VP-JWT nonce (default: --challenge)")
			fs.StringVar(&req.Audience, "audience", "", "VP-JWT audience (default: --domain)")
			fs.StringVar(&req.DID, "did", "", "holder DID to sign with")
			fs.StringVar(&out, "out", "", "write the presentation to FILE")
		},
		run: func(ctx context.Context, env *environment, cfg config.Config, c *walletClient) error {
			req.CredentialIDs = cfg.Args
			var p wallet.Presentation
			if err := c.postJSON(ctx, "/wallet/v1/presentations", req, &p); err != nil {
				return err
			}
			for _, w := range p.Warnings {
				fmt.Fprintln(env.stderr, "note: "+w)
			}
			var text []byte
			var tok string
			if json.Unmarshal(p.VerifiablePresentation, &tok) == nil {
				text = []byte(tok + "\n")
			} else {
				var buf bytes.Buffer
				_ = json.Indent(&buf, p.VerifiablePresentation, "", "  ")
				text = append(buf.Bytes(), '\n')
			}
			if out != "" {
				return os.WriteFile(out, text, 0o600)
			}
			_, err := env.stdout.Write(text)
			return err
		},
	}.exec(ctx, env, args)
}

func runWalletShare(ctx context.Context, env *environment, args []string) int {
	var expires time.Duration
	return walletCmd{name: "share", usage: "share [flags] ID", synopsis: `Makes a public link to one credential and prints its URL. Anyone with the
link can read the credential until it expires (--expires 72h) or is revoked
(DELETE /wallet/v1/shares/TOKEN).`, needsToken: true, args: allowArgs(1),
		flags: func(fs *flag.FlagSet) {
			fs.DurationVar(&expires, "expires", 0, "link lifetime, e.g. 72h (default: until revoked)")
		},
		run: func(ctx context.Context, env *environment, cfg config.Config, c *walletClient) error {
			var req wallet.ShareRequest
			if expires > 0 {
				req.Expires = time.Now().Add(expires).UTC()
			}
			var sh wallet.Share
			if err := c.postJSON(ctx, "/wallet/v1/credentials/"+url.PathEscape(cfg.Args[0])+"/share", req, &sh); err != nil {
				return err
			}
			fmt.Fprintln(env.stdout, sh.URL)
			return nil
		},
	}.exec(ctx, env, args)
}

func runWalletExport(ctx context.Context, env *environment, args []string) int {
	var out string
	return walletCmd{name: "export", usage: "export [--out FILE]", synopsis: `Exports the whole wallet (holder, DIDs without keys, every credential with its
latest report) as one JSON bundle.`, needsToken: true,
		flags: func(fs *flag.FlagSet) { fs.StringVar(&out, "out", "", "write the bundle to FILE (mode 0600)") },
		run: func(ctx context.Context, env *environment, _ config.Config, c *walletClient) error {
			var b json.RawMessage
			if err := c.call(ctx, http.MethodGet, "/wallet/v1/export", "", nil, &b); err != nil {
				return err
			}
			var buf bytes.Buffer
			_ = json.Indent(&buf, b, "", "  ")
			buf.WriteByte('\n')
			if out != "" {
				return os.WriteFile(out, buf.Bytes(), 0o600)
			}
			_, err := env.stdout.Write(buf.Bytes())
			return err
		},
	}.exec(ctx, env, args)
}
