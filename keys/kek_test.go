package keys_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/accolade-badges/accolade/keys"
)

func TestLoadOrCreateKEK(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "secrets")
	path := filepath.Join(dir, "kek")

	first, created, err := keys.LoadOrCreateKEK(path)
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Error("first call: created = false, want true")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("kek file mode = %04o, want 0600", got)
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := di.Mode().Perm(); got != 0o700 {
		t.Errorf("kek dir mode = %04o, want 0700", got)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(data, []byte("\n")) {
		t.Error("kek file has no trailing newline")
	}
	secret, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(string(data), "\n"))
	if err != nil || len(secret) != keys.KEKSize {
		t.Fatalf("kek file holds %d bytes (err %v), want %d in base64", len(secret), err, keys.KEKSize)
	}
	fromSecret, err := keys.NewKEK(secret)
	if err != nil {
		t.Fatal(err)
	}
	if fromSecret.ID() != first.ID() {
		t.Errorf("NewKEK(file secret).ID() = %s, want %s", fromSecret.ID(), first.ID())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("dir holds %d entries, want only the kek (temporary file left behind?)", len(entries))
	}

	second, created, err := keys.LoadOrCreateKEK(path)
	if err != nil {
		t.Fatal(err)
	}
	if created {
		t.Error("second call: created = true, want false")
	}
	if second.ID() != first.ID() {
		t.Errorf("second call ID = %s, want %s", second.ID(), first.ID())
	}
	loaded, err := keys.LoadKEK(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.ID() != first.ID() {
		t.Errorf("LoadKEK ID = %s, want %s", loaded.ID(), first.ID())
	}

	// A sealed record made with one opens with the other.
	s, err := keys.Seal(first, mustGenerate(t, keys.EdDSA))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Open(loaded, s); err != nil {
		t.Errorf("Open with reloaded KEK: %v", err)
	}
}

func TestLoadKEKRefusesOpenModes(t *testing.T) {
	t.Parallel()
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "kek")
			if _, _, err := keys.LoadOrCreateKEK(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			_, _, err := keys.LoadOrCreateKEK(path)
			if !errors.Is(err, keys.ErrInsecureKEKFile) {
				t.Fatalf("LoadOrCreateKEK = %v, want ErrInsecureKEKFile", err)
			}
			for _, want := range []string{path, "chmod 600"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if _, err := keys.LoadKEK(path); !errors.Is(err, keys.ErrInsecureKEKFile) {
				t.Errorf("LoadKEK = %v, want ErrInsecureKEKFile", err)
			}
		})
	}
}

func TestLoadKEKErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const secretMarker = "SECRETMARKER"
	tests := []struct {
		name    string
		path    string
		wantErr error
	}{
		{name: "fail/missing", path: filepath.Join(dir, "nope"), wantErr: fs.ErrNotExist},
		{name: "fail/not base64", path: write("bad", secretMarker+"!!\n"), wantErr: keys.ErrInvalidKEK},
		{name: "fail/short", path: write("short", base64.StdEncoding.EncodeToString([]byte(secretMarker))+"\n"), wantErr: keys.ErrInvalidKEK},
		{name: "fail/empty", path: write("empty", ""), wantErr: keys.ErrInvalidKEK},
		{name: "fail/huge", path: write("huge", strings.Repeat("A", 4096)), wantErr: keys.ErrInvalidKEK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := keys.LoadKEK(tt.path)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("LoadKEK = %v, want %v", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), secretMarker) || strings.Contains(err.Error(), base64.StdEncoding.EncodeToString([]byte(secretMarker))) {
				t.Errorf("error echoes file content: %v", err)
			}
		})
	}
	if _, err := keys.LoadKEK(dir); err == nil {
		t.Error("LoadKEK(directory) succeeded")
	}

	// Files written by hand may lack the newline or use CRLF.
	secret := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, keys.KEKSize))
	want := mustKEK(t, 9).ID()
	for _, content := range []string{secret, secret + "\r\n"} {
		k, err := keys.LoadKEK(write("hand", content))
		if err != nil {
			t.Fatalf("LoadKEK(%q): %v", content, err)
		}
		if k.ID() != want {
			t.Errorf("LoadKEK(%q).ID() = %s, want %s", content, k.ID(), want)
		}
	}
}

// TestLoadOrCreateKEKConcurrent has several callers race to create the same
// file: exactly one creates it and all end up with the same KEK.
func TestLoadOrCreateKEKConcurrent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "kek")
	const n = 8
	ids := make([]string, n)
	created := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var k *keys.KEK
			k, created[i], errs[i] = keys.LoadOrCreateKEK(path)
			if k != nil {
				ids[i] = k.ID()
			}
		})
	}
	wg.Wait()
	creators := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("caller %d: %v", i, errs[i])
		}
		if created[i] {
			creators++
		}
		if ids[i] != ids[0] {
			t.Errorf("caller %d got KEK %s, caller 0 got %s", i, ids[i], ids[0])
		}
	}
	if creators != 1 {
		t.Errorf("%d callers report creating the KEK, want 1", creators)
	}
}

func TestNewKEK(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := keys.NewKEK(make([]byte, n)); !errors.Is(err, keys.ErrInvalidKEK) {
			t.Errorf("NewKEK(%d bytes) = %v, want ErrInvalidKEK", n, err)
		}
	}
	a, b := mustKEK(t, 1), mustKEK(t, 1)
	if a.ID() != b.ID() {
		t.Error("same secret gives different IDs")
	}
	if a.ID() == mustKEK(t, 2).ID() {
		t.Error("different secrets give the same ID")
	}
	if len(a.ID()) != 16 {
		t.Errorf("ID %q is not 16 hex digits", a.ID())
	}
	if got, want := a.String(), "KEK("+a.ID()+")"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
