package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"testing"
	"time"

	"watchword/server/mail/smtpsink"
)

func TestHandler(t *testing.T) {
	sink, addr := smtpsink.Start(t, smtpsink.Options{})
	srv := httptest.NewServer(newHandler(sink))
	defer srv.Close()

	get := func(t *testing.T, query string) ([]smtpsink.Message, int) {
		t.Helper()
		resp, err := http.Get(srv.URL + "/messages" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, resp.StatusCode
		}
		var ms []smtpsink.Message
		if err := json.NewDecoder(resp.Body).Decode(&ms); err != nil {
			t.Fatal(err)
		}
		return ms, resp.StatusCode
	}
	sendTo := func(to, subject string) {
		msg := "From: a@example.org\r\nTo: " + to + "\r\nSubject: " + subject + "\r\n\r\nOpen http://127.0.0.1:8080/activate?token=x\r\n"
		if err := smtp.SendMail(addr, nil, "a@example.org", []string{to}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}

	if ms, _ := get(t, ""); len(ms) != 0 {
		t.Fatalf("empty sink lists %d messages", len(ms))
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		sendTo("ana@example.org", "one")
	}()
	ms, _ := get(t, "?to=ana@example.org&wait=5s")
	if len(ms) != 1 || ms[0].Subject != "one" || ms[0].Text != "Open http://127.0.0.1:8080/activate?token=x\n" {
		t.Fatalf("wait answered %+v", ms)
	}
	sendTo("bo@example.org", "two")
	tests := []struct {
		name, query string
		want        int
		status      int
	}{
		{"all", "", 2, 200},
		{"one recipient", "?to=BO@example.org", 1, 200},
		{"nobody, short wait", "?to=nobody@example.org&wait=10ms", 0, 200},
		{"bad wait", "?wait=forever", 0, 400},
		{"wait too long", "?wait=10m", 0, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, status := get(t, tt.query)
			if status != tt.status || len(ms) != tt.want {
				t.Errorf("got %d messages, status %d; want %d, %d", len(ms), status, tt.want, tt.status)
			}
		})
	}

	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/messages", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ms, _ := get(t, ""); resp.StatusCode != http.StatusNoContent || len(ms) != 0 {
		t.Errorf("after DELETE: status %d, %d messages", resp.StatusCode, len(ms))
	}
}

func TestRequireLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8025", true},
		{"localhost:0", true},
		{"[::1]:8025", true},
		{"0.0.0.0:8025", false},
		{":8025", false},
		{"192.168.1.2:8025", false},
		{"example.com:80", false},
		{"nonsense", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if err := requireLoopback(tt.addr); (err == nil) != tt.ok {
				t.Errorf("requireLoopback(%q) = %v, want ok=%v", tt.addr, err, tt.ok)
			}
		})
	}
}
