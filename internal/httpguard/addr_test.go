package httpguard

import (
	"errors"
	"net/netip"
	"testing"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ip   string
		want addrClass
	}{
		{"8.8.8.8", classPublic},
		{"93.184.216.34", classPublic},
		{"2606:4700:4700::1111", classPublic},
		{"2001:4860:4860::8888", classPublic},
		{"127.0.0.1", classLoopback},
		{"127.255.255.254", classLoopback},
		{"::1", classLoopback},
		{"::ffff:127.0.0.1", classLoopback},
		{"10.0.0.1", classPrivate},
		{"172.16.0.1", classPrivate},
		{"172.31.255.255", classPrivate},
		{"172.32.0.1", classPublic},
		{"192.168.1.1", classPrivate},
		{"::ffff:10.1.2.3", classPrivate},
		{"169.254.169.254", classPrivate},
		{"fe80::1", classPrivate},
		{"fe80::1%eth0", classPrivate},
		{"fc00::1", classPrivate},
		{"fd12:3456::1", classPrivate},
		{"100.64.0.1", classPrivate},
		{"100.127.255.255", classPrivate},
		{"100.128.0.1", classPublic},
		{"192.0.0.8", classPrivate},
		{"192.0.2.1", classPrivate},
		{"198.18.0.1", classPrivate},
		{"198.51.100.7", classPrivate},
		{"203.0.113.9", classPrivate},
		{"240.0.0.1", classPrivate},
		{"0.1.2.3", classPrivate},
		{"2001:db8::1", classPrivate},
		{"2001::1", classPrivate},
		{"2002:c000:0204::1", classPrivate},
		{"fec0::1", classPrivate},
		{"64:ff9b::8.8.8.8", classPublic},
		{"64:ff9b::10.0.0.1", classPrivate},
		{"64:ff9b::127.0.0.1", classLoopback},
		{"64:ff9b:1::1", classPrivate},
		{"::10.0.0.1", classPrivate},
		{"0.0.0.0", classNever},
		{"::", classNever},
		{"224.0.0.1", classNever},
		{"239.255.255.250", classNever},
		{"ff02::1", classNever},
		{"255.255.255.255", classNever},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			t.Parallel()
			if got := classify(netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("classify(%s) = %v, want %v", tt.ip, got, tt.want)
			}
		})
	}
	if got := classify(netip.Addr{}); got != classNever {
		t.Errorf("classify(zero Addr) = %v, want %v", got, classNever)
	}
}

func TestCheckAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                        string
		ip                          string
		allowLoopback, allowPrivate bool
		wantErr                     bool
	}{
		{"ok/public", "1.1.1.1", false, false, false},
		{"fail/loopback", "127.0.0.1", false, false, true},
		{"ok/loopback allowed", "127.0.0.1", true, false, false},
		{"fail/loopback not allowed by AllowPrivate", "::1", false, true, true},
		{"fail/private", "10.0.0.1", false, false, true},
		{"fail/private not allowed by AllowLoopback", "192.168.0.1", true, false, true},
		{"ok/private allowed", "192.168.0.1", false, true, false},
		{"ok/link-local allowed as private", "169.254.169.254", false, true, false},
		{"fail/unspecified always", "0.0.0.0", true, true, true},
		{"fail/multicast always", "224.0.0.251", true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := checkAddr(netip.MustParseAddr(tt.ip), tt.allowLoopback, tt.allowPrivate)
			if got := errors.Is(err, ErrForbiddenAddress); got != tt.wantErr {
				t.Errorf("checkAddr(%s) = %v, want forbidden %v", tt.ip, err, tt.wantErr)
			}
		})
	}
}

func TestCheckDialUnparsable(t *testing.T) {
	t.Parallel()
	if err := checkDial("tcp", "example.com:80", Options{}); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("checkDial(hostname) = %v, want ErrForbiddenAddress", err)
	}
}
