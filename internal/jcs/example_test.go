package jcs_test

import (
	"fmt"

	"github.com/accolade-badges/accolade/internal/jcs"
)

func ExampleTransform() {
	out, err := jcs.Transform([]byte(`{
		"name": "Alumni Credential",
		"@context": ["https://www.w3.org/ns/credentials/v2"],
		"weight": 1.50, "big": 1E21, "small": 0.0000001
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))
	// Output:
	// {"@context":["https://www.w3.org/ns/credentials/v2"],"big":1e+21,"name":"Alumni Credential","small":1e-7,"weight":1.5}
}
