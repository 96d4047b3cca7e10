package credential_test

import (
	"encoding/json"
	"fmt"

	"github.com/accolade-badges/accolade/credential"
)

func ExampleIdentityHash() {
	// OB 3.0's own example: identifier "a@example.com", salt "Kosher".
	fmt.Println(credential.IdentityHash("a@example.com", "Kosher"))
	// Output: sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399
}

func ExampleNewIdentityObject() {
	obj := credential.NewIdentityObject("  Jjefferson18@Example.com ", "FleurDeSel")
	b, _ := json.Marshal(obj)
	fmt.Println(string(b))
	fmt.Println(obj.Matches(credential.NormalizeEmail("JJEFFERSON18@example.com")))
	// Output:
	// {"type":"IdentityObject","hashed":true,"identityHash":"sha256$658625b25ab3d75d613ca97d9a5a77f70e2192feca5557f4ad09a4d4f121f5fc","identityType":"emailAddress","salt":"FleurDeSel"}
	// true
}

func ExampleCheck() {
	var doc map[string]any
	_ = json.Unmarshal([]byte(`{
		"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
		"id": "urn:uuid:2f1e1b9e-7c3a-4d55-9a43-3f1f2d1e8b10",
		"type": ["VerifiableCredential", "OpenBadgeCredential"],
		"issuer": "did:web:badges.example.org",
		"validFrom": "2025-06-01T00:00:00+02:00",
		"validUntil": "2025-05-31T23:00:00Z",
		"credentialSubject": {
			"type": ["AchievementSubject"],
			"achievement": {"id": "https://badges.example.org/a/1", "type": ["Achievement"],
				"name": "Go", "description": "Go basics", "criteria": {"narrative": "Pass the lab."}}
		}
	}`), &doc)
	for _, e := range credential.Check(doc) {
		fmt.Println(e)
	}
	// Output:
	// credentialSubject: must have an id or at least one identifier (OB 3.0 §9.1)
}

func ExampleParseTime() {
	t, err := credential.ParseTime("2021-09-07T02:09:59+02:00")
	fmt.Println(t.UTC(), err)
	_, err = credential.ParseTime("2021-09-07T02:09:59")
	fmt.Println(err)
	// Output:
	// 2021-09-07 00:09:59 +0000 UTC <nil>
	// "2021-09-07T02:09:59" is not an XML Schema dateTimeStamp: timezone missing (use Z or ±hh:mm)
}
