package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/accolade-badges/accolade/internal/config"
	"github.com/accolade-badges/accolade/wallet"
)

// runWalletReceive receives badges from an OpenID4VCI credential offer.
func runWalletReceive(ctx context.Context, env *environment, args []string) int {
	txCode, did := "", ""
	asJSON := false
	return walletCmd{name: "receive", usage: "receive [--tx-code CODE] [--did DID] [--json] OFFER", synopsis: `Receives the badges of an OpenID4VCI credential offer. OFFER is an
openid-credential-offer:// link or the https URL of an offer (its
credential_offer_uri). The server runs the pre-authorized flow for you:
issuer metadata, token (with the transaction code the issuer sent you,
when the offer asks for one), nonce, a key proof signed with your holder
key, and the credential, which it verifies before keeping it.`, needsToken: true, args: allowArgs(1),
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&txCode, "tx-code", "", "the transaction code the issuer sent out of band")
			fs.StringVar(&did, "did", "", "holder DID to bind the badge to (default: your first did:key)")
			fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
		},
		run: func(ctx context.Context, env *environment, cfg config.Config, c *walletClient) error {
			req := wallet.ReceiveRequest{TxCode: txCode, DID: did}
			if strings.HasPrefix(cfg.Args[0], "https://") || strings.HasPrefix(cfg.Args[0], "http://") {
				req.CredentialOfferURI = cfg.Args[0]
			} else {
				req.Offer = cfg.Args[0]
			}
			var got wallet.Received
			if err := c.postJSON(ctx, "/wallet/v1/offers", req, &got); err != nil {
				return err
			}
			if asJSON {
				printJSON(env.stdout, got)
				return nil
			}
			for _, cred := range got.Credentials {
				fmt.Fprintf(env.stdout, "received %s: %s from %s (%s, %s), bound to %s\n", cred.ID,
					orDash(cred.AchievementName, cred.Name), orDash(cred.IssuerName, cred.Issuer), cred.Format, cred.State, got.Holder)
			}
			return nil
		},
	}.exec(ctx, env, args)
}

// runWalletAnswer answers an OpenID4VP presentation request.
func runWalletAnswer(ctx context.Context, env *environment, args []string) int {
	send := ""
	asJSON := false
	return walletCmd{name: "answer", usage: "answer [--send ID,ID...] [--json] REQUEST", synopsis: `Answers an OpenID4VP presentation request. REQUEST is the openid4vp:// link a
verifier shows. The server checks it first: a request signed by the verifier's
DID (decentralized_identifier:) or attested (verifier_attestation:) must
verify; an unsigned one (redirect_uri:) only names where the answer goes.
Without --send it only lists, per credential query, which of your credentials
match; nothing is sent. With --send (your consent) it
presents the named credentials, signed with your holder key and bound to the
verifier's nonce, and prints the verifier's answer.`, needsToken: true, args: allowArgs(1),
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&send, "send", "", "comma-separated wallet credential IDs to present")
			fs.BoolVar(&asJSON, "json", false, "print JSON")
		},
		run: func(ctx context.Context, env *environment, cfg config.Config, c *walletClient) error {
			var x wallet.VPExchange
			if err := c.postJSON(ctx, "/wallet/v1/presentation-requests", wallet.PresentationRequestInput{Request: cfg.Args[0]}, &x); err != nil {
				return err
			}
			if send == "" {
				if asJSON {
					printJSON(env.stdout, x)
					return nil
				}
				fmt.Fprintf(env.stdout, "verifier %s asks for:\n", orDash(x.ClientName, x.ClientID))
				if x.Signed {
					fmt.Fprintf(env.stdout, "  request signed by %s\n", x.ClientID)
				} else {
					fmt.Fprintf(env.stdout, "  unsigned request: nothing proves who the verifier is; answers go to %s\n", x.ResponseURI)
				}
				if x.ResponseMode == "direct_post.jwt" {
					fmt.Fprintln(env.stdout, "  the answer is encrypted to the verifier's key")
				}
				for _, q := range x.Queries {
					fmt.Fprintf(env.stdout, "  query %s (%s): %d matching\n", q.ID, q.Format, len(q.Matches))
					bearer := false
					for _, m := range q.Matches {
						mark := ""
						if m.Bearer {
							mark, bearer = "  [bearer credential]", true
						}
						fmt.Fprintf(env.stdout, "    %s  %s from %s%s\n", m.ID, orDash(m.AchievementName, m.Name), orDash(m.IssuerName, m.Issuer), mark)
					}
					for _, m := range q.Excluded {
						fmt.Fprintf(env.stdout, "    (not offered: %s  %s is %s)\n", m.ID, orDash(m.AchievementName, m.Name), m.State)
					}
					if bearer {
						fmt.Fprintln(env.stdout, "    note: a [bearer credential] "+wallet.BearerWarning)
					}
				}
				if !x.Satisfiable {
					fmt.Fprintln(env.stdout, "your wallet cannot satisfy this request")
				}
				return nil
			}
			var res wallet.VPResponse
			if err := c.postJSON(ctx, "/wallet/v1/presentation-requests/"+x.ID+"/respond",
				wallet.VPRespondRequest{CredentialIDs: strings.Split(send, ",")}, &res); err != nil {
				return err
			}
			if asJSON {
				printJSON(env.stdout, res)
				return nil
			}
			for _, id := range res.BearerCredentials {
				fmt.Fprintf(env.stderr, "note: credential %s %s\n", id, wallet.BearerWarning)
			}
			if res.Accepted {
				fmt.Fprintf(env.stdout, "accepted by the verifier (HTTP %d)\n", res.Status)
				return nil
			}
			return fmt.Errorf("the verifier refused the presentation (HTTP %d): %s", res.Status, res.Answer)
		},
	}.exec(ctx, env, args)
}
