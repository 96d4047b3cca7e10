# The README's examples, in README order: the one copy of them.
#
# Each block between "# example: NAME" and "# end" appears in README.md as
# the sh code block after "<!-- example: NAME -->". `make readme` copies
# them there; `go test ./docs` fails when the two differ.
# scripts/fresh-clone-check runs the blocks, in order and in one shell,
# against a server started with `make run` in a fresh clone.
#
# They run from the checkout's root against a running server, in one shell
# (later blocks use the variables of earlier ones).

# example: try-it
URL=${ACCOLADE_PUBLIC_URL:-http://localhost:8080}      # the server make run started
TOKEN=$(cat "${ACCOLADE_DATA_DIR:-data}/admin-token")
curl -s $URL/healthz
curl -s $URL/.well-known/did.json                       # the issuer's did:web document
curl -s -H "Authorization: Bearer $TOKEN" $URL/api/v1/issuer
curl -s $URL/1.0/identifiers/did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp
./bin/accolade did resolve "$(curl -s $URL/.well-known/did.json | jq -r .id)" --allow-loopback
# end

# example: issue
H="Authorization: Bearer $TOKEN"; J="Content-Type: application/json"
# define an achievement (a badge class)
ACH=$(curl -s -H "$H" -H "$J" $URL/api/v1/achievements -d '{
  "name": "Go Concurrency", "description": "Safe use of goroutines.",
  "criteria": {"narrative": "Pass the graded lab."}, "achievementType": "Badge",
  "image": {"id": "https://example.org/go.png"},
  "alignments": [{"targetName": "Concurrency", "targetUrl": "https://example.org/skills/concurrency"}]}' | jq -r .id)
# issue it (format ldp_vc = Data Integrity eddsa-rdfc-2022, jwt_vc_json = OB 3.0 VC-JWT)
curl -s -H "$H" -H "$J" $URL/api/v1/credentials -d '{
  "achievementId": "'$ACH'", "recipient": {"email": "ada@example.org"}, "format": "ldp_vc"}' > issued.json
ID=$(jq -r .id issued.json)
# verify: VC-API shape over HTTP, or offline with the CLI
jq '{verifiableCredential: .credential}' issued.json | curl -s -H "$J" $URL/credentials/verify -d @-
jq .credential issued.json | ./bin/accolade verify -
# end

# example: batch
printf 'name,email,credentialName\nAda,ada@example.org,\nBob,bob@example.org,GopherCon speaker\n' > attendees.csv
curl -s -H "$H" -H "Content-Type: text/csv" --data-binary @attendees.csv \
  "$URL/api/v1/credentials/batch?achievementId=$ACH&format=ldp_vc"
# 200 {"issued":2,"failed":0,"notAttempted":0,"items":[{"row":0,"line":2,"id":"urn:uuid:..."},...],"ignoredColumns":["name"]}
# end

# example: bulk
./bin/accolade issue bulk --csv attendees.csv --achievement $ACH --format jwt_vc_json --out results.csv
# 2/2 rows, 2 issued, 0 failed, 40/s      (on standard error, after each batch)
# end

# example: revoke
SUSP=$(curl -s -H "$H" -H "$J" $URL/api/v1/credentials -d '{"achievementId": "'$ACH'",
  "recipient": {"email": "bob@example.org"}, "statusPurpose": "suspension"}' | jq -r .id)
curl -s -H "$H" -H "$J" -X POST $URL/api/v1/credentials/$SUSP/suspend -d '{"reason":"under review"}'
curl -s -H "$H" -H "$J" -X POST $URL/api/v1/credentials/$SUSP/unsuspend -d '{}'
curl -s -H "$H" -H "$J" -X POST $URL/api/v1/credentials/$ID/revoke -d '{"reason":"issued in error"}'
curl -s -H "$H" -H "$J" -X POST $URL/api/v1/credentials/revoke -d '{"achievementId":"'$ACH'","reason":"course withdrawn"}'
curl -s $URL/status/1                                   # the signed BitstringStatusListCredential
curl -s -H 'Accept: application/vc+jwt' $URL/status/1   # the same as a VC-JWT
./bin/accolade status show 1
# end

# example: offers
curl -s -H "$H" -H "$J" $URL/api/v1/offers -d '{"achievementId":"'$ACH'", "txCode":true, "format":"ldp_vc",
  "recipients":[{"email":"ada@example.org"},{"did":"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}]}'
# 201 {"offers":[{"id","recipient","offerUri":"openid-credential-offer://?credential_offer_uri=...",
#       "credentialOfferUri","qrPng","qrSvg","txCode":"493536","credentialOffer":{...},"expires"}]}
# end

# example: wallet
echo 'correct horse battery' | ./bin/accolade wallet signup --email ada@example.org   # mails a confirmation link
# the mail drop (ACCOLADE_MAIL_DIR, default data/mail) holds the mail; its link creates the wallet
LINK=$(grep -rhoE 'https?://[^ ]*/signup/verify\?token=[A-Za-z0-9_-]+' "${ACCOLADE_DATA_DIR:-data}/mail" | tail -1)
./bin/accolade wallet confirm "$LINK"     # prints the holder DID (did:key)
echo 'correct horse battery' | ./bin/accolade wallet signin --email ada@example.org   # keeps the token in ~/.config/accolade/wallet-token
HOLDER=$(./bin/accolade wallet dids | awk '/^did:key/ {print $1; exit}')
# a badge for the holder's DID, then into the wallet
curl -s -H "$H" -H "$J" $URL/api/v1/credentials -d '{"achievementId": "'$ACH'", "recipient": {"did": "'$HOLDER'"}}' \
  | jq .credential > badge.json
WID=$(./bin/accolade wallet import --json badge.json | jq -r .id)   # or a VC-JWT file, or a baked badge.png / badge.svg
./bin/accolade wallet list --status valid --achievement go
./bin/accolade wallet present --challenge c-81f3a2e4 --domain https://employer.example $WID > vp.json
./bin/accolade wallet present --format jwt_vp --nonce n-5d07b9c1 --audience https://employer.example $WID
./bin/accolade wallet verify $WID          # re-verify now: a badge its issuer revoked shows as revoked
./bin/accolade wallet share --expires 72h $WID   # a public link: GET /share/<token>
./bin/accolade wallet export > wallet.json
# end

# example: exchange
# OpenID4VCI: an offer from the issuer (its link and transaction code reach the holder), received
curl -s -H "$H" -H "$J" $URL/api/v1/offers -d '{"achievementId":"'$ACH'", "txCode":true,
  "recipients":[{"email":"ada@example.org"}]}' > offer.json
./bin/accolade wallet receive --tx-code "$(jq -r '.offers[0].txCode' offer.json)" "$(jq -r '.offers[0].offerUri' offer.json)"
# OpenID4VP: a verifier's request (an openid4vp:// link), what it asks, then the answer (your consent)
LINK=$(curl -s -H "$H" -H "$J" $URL/api/v1/presentation-requests -d '{"formats":["ldp_vc"]}' | jq -r .link)
./bin/accolade wallet answer "$LINK"
./bin/accolade wallet answer --send $WID "$LINK"
# end

# example: bake
curl -s "$URL/badges/${ID#urn:uuid:}/badge.svg" > art.svg                        # any PNG or SVG image
./bin/accolade bake --in art.svg --credential badge.json --out baked.svg   # the credential may be a VC-JWT
./bin/accolade unbake baked.svg                                            # prints the credential
./bin/accolade verify baked.svg                                            # verify takes a baked PNG or SVG as it is
# end

# example: badge-page
ID=$(jq -r .id issued.json)                  # urn:uuid:0199...
echo "$URL/badges/${ID#urn:uuid:}"            # the page
# end
