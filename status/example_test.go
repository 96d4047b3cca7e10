package status_test

import (
	"encoding/json"
	"fmt"

	"github.com/accolade-badges/accolade/status"
)

func ExampleEntry() {
	e := status.Entry("https://badges.example.org/status/1", 94567, status.PurposeRevocation)
	b, _ := json.MarshalIndent(e, "", "  ")
	fmt.Println(string(b))
	// Output:
	// {
	//   "id": "https://badges.example.org/status/1#94567",
	//   "statusListCredential": "https://badges.example.org/status/1",
	//   "statusListIndex": "94567",
	//   "statusPurpose": "revocation",
	//   "type": "BitstringStatusListEntry"
	// }
}

func ExampleGet() {
	bits := make([]byte, status.MinEntries/8)
	_ = status.Set(bits, 94567, true) // revoke the credential at index 94567
	enc, _ := status.Encode(bits)

	list, _ := status.Decode(enc)
	v, _ := status.Get(list, 94567, 1)
	fmt.Printf("%d entries; entry 94567 = %d; byte 11820 = %#02x\n", len(list)*8, v, list[11820])
	_, err := status.Get(list, status.MinEntries, 1)
	fmt.Println(err)
	// Output:
	// 131072 entries; entry 94567 = 1; byte 11820 = 0x01
	// status index 131072 of a 131072-bit list with status size 1: status list index out of range
}
