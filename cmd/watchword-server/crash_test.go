package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"watchword/server/pow"
	"watchword/wasm/api"
)

// binary builds the server once per test run.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "watchword-server")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type proc struct {
	cmd  *exec.Cmd
	base string
	log  *syncBuf
}

func start(t *testing.T, bin, data, addr string) *proc {
	t.Helper()
	p := &proc{base: "http://" + addr, log: &syncBuf{}}
	p.cmd = exec.Command(bin, "-addr", addr, "-data", data, "-pow-difficulty", "1")
	p.cmd.Env = append(os.Environ(), "WATCHWORD_DATABASE_URL=")
	p.cmd.Stderr = p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(p.base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.cmd.Process.Kill()
	t.Fatalf("server did not start:\n%s", p.log)
	return nil
}

func (p *proc) kill() {
	p.cmd.Process.Kill() // SIGKILL: no shutdown code runs
	p.cmd.Wait()
}

func call(t *testing.T, base, method, path, token string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return res.StatusCode, fmt.Errorf("decode %s: %w", b, err)
		}
	}
	return res.StatusCode, nil
}

// TestCrashSafety kills the server with SIGKILL in the middle of bursts of
// pushes, 20 times. After each restart every acknowledged push is present
// with the revision it was acknowledged at, and retrying it returns the
// first answer without applying anything twice.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and restarts the server binary 20 times")
	}
	bin := binary(t)
	data := t.TempDir()
	addr := freeAddr(t)
	p := start(t, bin, data, addr)

	// Register and activate through the outbox (no SMTP configured).
	var ch api.PoWChallenge
	if _, err := call(t, p.base, "GET", "/api/v1/pow", "", nil, &ch); err != nil {
		t.Fatal(err)
	}
	nonce, _ := pow.Solve(context.Background(), ch.Challenge)
	const email, password = "crash@example.org", "Crash7Password"
	if st, err := call(t, p.base, "POST", "/api/v1/accounts", "", api.RegisterRequest{Email: email, Password: password,
		Statement: api.StatementDecision{Decision: "skipped", Version: "1"}, PoW: api.PoWSolution{Challenge: ch.Challenge, Nonce: nonce}}, nil); st != 202 {
		t.Fatalf("register: %d %v\n%s", st, err, p.log)
	}
	token := activationToken(t, filepath.Join(data, "outbox"))
	if st, _ := call(t, p.base, "POST", "/api/v1/accounts/activate", "", api.TokenRequest{Token: token}, nil); st != 200 {
		t.Fatalf("activate: %d", st)
	}
	var si api.SignInResponse
	if st, _ := call(t, p.base, "POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password}, &si); st != 200 {
		t.Fatalf("sign in: %d", st)
	}
	access := si.Tokens.AccessToken
	hdr := api.VaultHeader{VaultID: strings.Repeat("ab", 16), WrappedKey: []byte("k"), KDF: api.KDFParams{Algorithm: api.KDFArgon2id,
		Salt: make([]byte, 16), MemoryKiB: api.MinKDFMemoryKiB, Time: api.MinKDFTime, Threads: 1}}
	if st, _ := call(t, p.base, "PUT", "/api/v1/vault", access, hdr, nil); st != 200 {
		t.Fatalf("header: %d", st)
	}

	type acked struct {
		req  api.PushRequest
		resp api.PushResponse
	}
	var (
		mu   sync.Mutex
		ack  []acked
		sent []api.PushRequest
		seq  int
	)
	for round := 0; round < 20; round++ {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					mu.Lock()
					seq++
					n := seq
					mu.Unlock()
					req := api.PushRequest{IdempotencyKey: fmt.Sprintf("push-%d", n), Changes: []api.Change{
						{ID: fmt.Sprintf("%032x", n), Ciphertext: []byte(fmt.Sprintf("ciphertext %d", n))}}}
					mu.Lock()
					sent = append(sent, req)
					mu.Unlock()
					var resp api.PushResponse
					if st, err := call(t, p.base, "POST", "/api/v1/vault/entries", access, req, &resp); err == nil && st == 200 {
						mu.Lock()
						ack = append(ack, acked{req, resp})
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(30+round*7) * time.Millisecond)
		p.kill()
		cancel()
		wg.Wait()
		p = start(t, bin, data, addr)

		// Every acknowledged push is there, at its acknowledged revision.
		var pull api.PullResponse
		entries := map[string]api.Entry{}
		for since := int64(0); ; {
			if st, err := call(t, p.base, "GET", fmt.Sprintf("/api/v1/vault/entries?since=%d&limit=1000", since), access, nil, &pull); st != 200 {
				t.Fatalf("round %d pull: %d %v", round, st, err)
			}
			for _, e := range pull.Entries {
				entries[e.ID] = e
				since = e.Revision
			}
			if !pull.More {
				break
			}
		}
		for _, a := range ack {
			e, ok := entries[a.req.Changes[0].ID]
			if !ok || e.Revision != a.resp.Results[0].Revision || string(e.Ciphertext) != string(a.req.Changes[0].Ciphertext) {
				t.Fatalf("round %d: acknowledged push %s lost or changed: %+v", round, a.req.IdempotencyKey, e)
			}
		}
		// Retrying an acknowledged push returns the first answer.
		if len(ack) > 0 {
			a := ack[len(ack)-1]
			var again api.PushResponse
			if st, err := call(t, p.base, "POST", "/api/v1/vault/entries", access, a.req, &again); st != 200 {
				t.Fatalf("round %d retry: %d %v", round, st, err)
			}
			b1, _ := json.Marshal(a.resp)
			b2, _ := json.Marshal(again)
			if !bytes.Equal(b1, b2) {
				t.Fatalf("round %d: retried push answered %s, first %s", round, b2, b1)
			}
		}
		// Revisions are unique: no push was applied twice.
		seen := map[int64]bool{}
		for _, e := range entries {
			if seen[e.Revision] {
				t.Fatalf("round %d: revision %d used twice", round, e.Revision)
			}
			seen[e.Revision] = true
		}
	}
	p.kill()
	if len(ack) < 20 {
		t.Fatalf("only %d pushes were acknowledged in 20 rounds", len(ack))
	}
	t.Logf("%d pushes sent, %d acknowledged", len(sent), len(ack))
}

var tokenRE = regexp.MustCompile(`/activate\?token=([A-Za-z0-9_-]{43})`)

func activationToken(t *testing.T, dir string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := os.ReadDir(dir)
		for _, f := range files {
			b, _ := os.ReadFile(filepath.Join(dir, f.Name()))
			// Quoted-printable may soft-wrap long lines.
			text := strings.ReplaceAll(strings.ReplaceAll(string(b), "=\r\n", ""), "=\n", "")
			text = strings.ReplaceAll(text, "=3D", "=")
			if m := tokenRE.FindStringSubmatch(text); m != nil {
				return m[1]
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no activation mail in the outbox")
	return ""
}
