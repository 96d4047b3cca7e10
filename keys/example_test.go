package keys_test

import (
	"fmt"

	"github.com/accolade-badges/accolade/keys"
)

// The Multikey (publicKeyMultibase) of the Ed25519 key whose seed is 32 zero
// bytes, which is also the method-specific ID of its did:key.
func ExampleFromEd25519Seed() {
	k, err := keys.FromEd25519Seed(make([]byte, 32))
	if err != nil {
		panic(err)
	}
	fmt.Println(k.MultikeyPublic())
	fmt.Println(k.PublicJWK().X)
	// Output:
	// z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp
	// O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik
}

// Sealing a key for storage and opening it again with the same KEK.
func ExampleSeal() {
	kek, err := keys.NewKEK(make([]byte, keys.KEKSize)) // use LoadOrCreateKEK in production
	if err != nil {
		panic(err)
	}
	k, err := keys.FromEd25519Seed(make([]byte, 32))
	if err != nil {
		panic(err)
	}
	k.ID = "did:web:example.org#key-1"
	sealed, err := keys.Seal(kek, k)
	if err != nil {
		panic(err)
	}
	opened, err := keys.Open(kek, sealed)
	if err != nil {
		panic(err)
	}
	fmt.Println(sealed.Public == opened.MultikeyPublic(), opened.ID)
	// Output: true did:web:example.org#key-1
}
