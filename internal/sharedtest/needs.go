package sharedtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Environment variables naming the services and programs tests need.
const (
	// EnvRedis is the URL of the Redis the tests use
	// (redis://127.0.0.1:6379/0 in make test and CI).
	EnvRedis = "ACCOLADE_TEST_REDIS_URL"
	// EnvChromium is the Chromium binary the browser tests drive.
	EnvChromium = "ACCOLADE_CHROMIUM"
)

// pingTimeout bounds the one PING that Redis spends per URL and test binary.
const pingTimeout = 3 * time.Second

var (
	pingMu  sync.Mutex
	pingErr = map[string]error{} // URL → result of its first PING
)

// Redis returns the URL of the test Redis, $ACCOLADE_TEST_REDIS_URL, once
// it has answered a PING (asked once per URL and test binary). When the
// variable is unset or that Redis does not answer, the test is stopped by
// Missing: skipped with one line saying how to provide Redis, or failed
// when CI=true. Tests that use it take their own key prefix.
func Redis(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv(EnvRedis)
	if url == "" {
		Missing(tb, "Redis", "start redis-server and set "+EnvRedis+"=redis://127.0.0.1:6379/0 (make test sets it; .ci/run starts Redis) to run it")
		return ""
	}
	pingMu.Lock()
	err, asked := pingErr[url]
	if !asked {
		err = ping(url)
		pingErr[url] = err
	}
	pingMu.Unlock()
	if err != nil {
		Missing(tb, "Redis", fmt.Sprintf("%s=%s does not answer (%v): start redis-server there to run it", EnvRedis, url, err))
		return ""
	}
	return url
}

// ping asks the Redis at url for PONG.
func ping(url string) error {
	opts, err := goredis.ParseURL(url)
	if err != nil {
		return err
	}
	c := goredis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	return c.Ping(ctx).Err()
}

// Program returns the path of the named program on PATH; when it is not
// there the test is stopped by Missing, with how saying how to install it.
func Program(tb testing.TB, name, how string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(tb, "program "+name, how)
		return ""
	}
	return path
}

// Node returns the path of node (Node.js) on PATH after checking that the
// npm packages of each folder in npmDirs (relative to the module root, for
// example "interop/js") were installed by `make interop-deps`. Whatever is
// missing stops the test by Missing.
func Node(tb testing.TB, npmDirs ...string) string {
	tb.Helper()
	node := Program(tb, "node", "install Node.js 20 (apt-get install nodejs npm) to run it")
	if node == "" {
		return ""
	}
	for _, dir := range npmDirs {
		find()
		if module == "" {
			tb.Fatal("sharedtest: module root (go.mod) not found above the working directory")
			return ""
		}
		if _, err := os.Stat(filepath.Join(module, filepath.FromSlash(dir), "node_modules", ".package-lock.json")); err != nil {
			Missing(tb, "npm packages of "+dir, "run `make interop-deps` (npm ci in "+dir+") to run it")
			return ""
		}
	}
	return node
}

// Chromium returns the Chromium binary for browser tests: $ACCOLADE_CHROMIUM,
// else chromium on PATH. When there is none the test is stopped by Missing.
func Chromium(tb testing.TB) string {
	tb.Helper()
	const how = "install it (apt-get install chromium) or set " + EnvChromium + " to its binary to run it"
	if path := os.Getenv(EnvChromium); path != "" {
		if st, err := os.Stat(path); err != nil || st.IsDir() {
			Missing(tb, "Chromium", fmt.Sprintf("%s=%s is not a file; %s", EnvChromium, path, how))
			return ""
		}
		return path
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		Missing(tb, "Chromium", how)
		return ""
	}
	return path
}
