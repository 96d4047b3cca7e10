package did_test

import (
	"context"
	"crypto/ed25519"
	"fmt"

	"github.com/accolade-badges/accolade/did"
)

func ExampleKeyDID() {
	// The did:key v0.7 test vector for the all-zero Ed25519 seed.
	pub := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public()
	id, err := did.KeyDID(pub)
	if err != nil {
		panic(err)
	}
	fmt.Println(id)
	// Output: did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp
}

func ExampleResolveMethod() {
	r := did.Multi{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}}
	const kid = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"

	vm, err := did.ResolveMethod(context.Background(), r, kid, did.AssertionMethod)
	if err != nil {
		panic(err)
	}
	pub, err := vm.PublicKey()
	if err != nil {
		panic(err)
	}
	fmt.Println(vm.Type, vm.Controller)
	fmt.Printf("%T %x\n", pub, pub)

	_, err = did.ResolveMethod(context.Background(), r, "did:web:example.com#key-1", did.AssertionMethod)
	fmt.Println(did.ErrorCode(err))
	// Output:
	// Multikey did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp
	// ed25519.PublicKey 3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29
	// methodNotSupported
}

func ExampleWebDID() {
	for _, u := range []string{"https://badges.example.org", "http://localhost:8080/issuer"} {
		id, err := did.WebDID(u)
		if err != nil {
			panic(err)
		}
		url, _ := did.WebURL(id, true)
		fmt.Println(id, did.WebDocumentPath(u), url)
	}
	// Output:
	// did:web:badges.example.org /.well-known/did.json https://badges.example.org/.well-known/did.json
	// did:web:localhost%3A8080:issuer /issuer/did.json http://localhost:8080/issuer/did.json
}
