package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/accolade-badges/accolade/internal/sharedtest"
)

// TestCrashDuringIssuingNeverDuplicatesAnIndex kills an accolade process
// (SIGKILL) while several clients issue, restarts it on the same data
// directory, issues more, and checks that no status index was handed out
// twice and that every acknowledged credential survived.
func TestCrashDuringIssuingNeverDuplicatesAnIndex(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	const token = "crash-test-admin-token-00"
	vars := map[string]string{
		"ACCOLADE_ADDR": fmt.Sprintf("127.0.0.1:%d", freePort(t)), "ACCOLADE_DATA_DIR": dataDir,
		"ACCOLADE_ADMIN_TOKEN": token, "ACCOLADE_CONTEXTS_DIR": sharedtest.LoaderDirs(t), "ACCOLADE_OFFLINE": "true",
		"ACCOLADE_LOG_LEVEL": "error",
	}
	node := spawnServe(t, vars)
	_, ach := request(t, "POST", node.base+"/api/v1/achievements", token, `{"name":"Crash","description":"d","criteria":{"narrative":"n"}}`)
	achID := ach["id"].(string)

	var mu sync.Mutex
	slots := map[string]string{}
	issuing := make(chan struct{}) // closed when 40 credentials are acknowledged
	record := func(rec map[string]any) {
		st := rec["status"].(map[string]any)
		slot := fmt.Sprint(st["listId"], "#", st["index"])
		mu.Lock()
		defer mu.Unlock()
		if prev, dup := slots[slot]; dup {
			t.Errorf("status index %s handed to %s and %s", slot, prev, rec["id"])
		}
		slots[slot] = rec["id"].(string)
		if len(slots) == 40 {
			close(issuing)
		}
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				code, rec := tryRequest("POST", node.base+"/api/v1/credentials", token,
					`{"achievementId":"`+achID+`","recipient":{"email":"c`+strconv.Itoa(w)+`@example.org"},"format":"jwt_vc"}`)
				if code == 201 {
					record(rec)
				}
			}
		}()
	}
	// Kill while the clients are busy: once 40 credentials are in, however
	// long that takes (past the deadline, nothing was: that fails below).
	select {
	case <-issuing:
	case <-time.After(60 * time.Second):
	}
	_ = node.cmd.Process.Signal(syscall.SIGKILL)
	_ = node.cmd.Wait()
	stop.Store(true)
	wg.Wait()
	acked := len(slots)
	if acked == 0 {
		t.Fatalf("nothing was issued before the crash:\n%s", node.logs.String())
	}

	node = spawnServe(t, vars)
	mu.Lock()
	ids := make([]string, 0, len(slots))
	for _, id := range slots {
		ids = append(ids, id)
	}
	mu.Unlock()
	for _, id := range ids {
		if code, _ := request(t, "GET", node.base+"/api/v1/credentials/"+id, token, ""); code != 200 {
			t.Errorf("acknowledged credential %s lost in the crash: %d", id, code)
		}
	}
	for i := range 30 {
		code, rec := request(t, "POST", node.base+"/api/v1/credentials", token,
			`{"achievementId":"`+achID+`","recipient":{"email":"after`+strconv.Itoa(i)+`@example.org"},"format":"jwt_vc"}`)
		if code != 201 {
			t.Fatalf("issue after restart: %d %v", code, rec)
		}
		record(rec)
	}
	t.Logf("%d credentials acknowledged before SIGKILL, 30 after restart, %d distinct indexes", acked, len(slots))
}

// tryRequest is request without failing the test on transport errors (the
// server is being killed).
func tryRequest(method, url, token, body string) (int, map[string]any) {
	code, m, _ := doRequest(method, url, token, body)
	return code, m
}
