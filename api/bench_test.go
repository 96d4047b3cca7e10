package api

// HTTP benchmarks: the whole issue path through the router with bbolt.
//   go test -run '^$' -bench . -benchmem ./api/

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func benchmarkIssueHTTP(b *testing.B, format string) {
	benchmarkIssueOn(b, newFixture(b, "https://badges.example.org", nil), format)
}

// benchmarkIssueOn issues over HTTP from 16 concurrent clients per core.
func benchmarkIssueOn(b *testing.B, f *fixture, format string) {
	w := f.do("POST", "/api/v1/achievements", testToken, achievementBody)
	if w.Code != http.StatusCreated {
		b.Fatalf("achievement: %d %s", w.Code, w.Body)
	}
	id := strings.SplitN(strings.SplitN(w.Body.String(), `"id":"`, 2)[1], `"`, 2)[0]
	body := `{"achievementId":"` + id + `","recipient":{"did":"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"},"format":"` + format + `"}`
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("POST", "/api/v1/credentials", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+testToken)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			f.srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Errorf("issue: %d %s", rec.Code, rec.Body)
				return
			}
		}
	})
}

func BenchmarkIssueHTTPDI(b *testing.B)  { benchmarkIssueHTTP(b, "ldp_vc") }
func BenchmarkIssueHTTPJWT(b *testing.B) { benchmarkIssueHTTP(b, "jwt_vc") }
