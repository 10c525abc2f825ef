package client

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

func i64(v int64) *int64 { return &v }

// ducklingServer answers GET and PUT of one user's configuration: PUT
// answers the statuses in putFailures first, then stores the body and
// answers it without cooldowns (as the live service has been seen to).
type ducklingServer struct {
	mu          sync.Mutex
	stored      string // the JSON a GET answers
	putFailures []int
	puts, gets  int
	lastPut     map[string]any
}

func (d *ducklingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if r.URL.EscapedPath() != "/v1/users/svc%2Fa/instances" {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message":"user not found","code":"NOT_FOUND","issues":[]}`)
		return
	}
	switch r.Method {
	case http.MethodGet:
		d.gets++
		_, _ = io.WriteString(w, d.stored)
	case http.MethodPut:
		d.puts++
		if len(d.putFailures) > 0 {
			w.WriteHeader(d.putFailures[0])
			d.putFailures = d.putFailures[1:]
			return
		}
		var body struct {
			Config json.RawMessage `json:"config"`
		}
		b, _ := io.ReadAll(r.Body)
		if json.Unmarshal(b, &body) != nil || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		_ = json.Unmarshal(body.Config, &d.lastPut)
		d.stored = string(body.Config)
		_, _ = io.WriteString(w, `{"read_write":{"instance_size":"x"},"read_scaling":{"instance_size":"x","flock_size":0}}`)
	}
}

func TestGetDucklingConfig(t *testing.T) {
	for name, tc := range map[string]struct {
		body   string
		want   DucklingConfig
		reason bool // an InvalidResponseError
	}{
		"full": {
			body: `{"read_write":{"instance_size":"standard","cooldown_seconds":300},"read_scaling":{"instance_size":"jumbo","flock_size":4,"cooldown_seconds":60}}`,
			want: DucklingConfig{ReadWriteDucklings{"standard", i64(300)}, ReadScalingDucklings{"jumbo", 4, i64(60)}},
		},
		"pulse without cooldowns, flock written as 2.0": {
			body: `{"read_write":{"instance_size":"pulse"},"read_scaling":{"instance_size":"pulse","flock_size":2.0}}`,
			want: DucklingConfig{ReadWriteDucklings{"pulse", nil}, ReadScalingDucklings{"pulse", 2, nil}},
		},
		"null cooldown":            {body: `{"read_write":{"instance_size":"pulse","cooldown_seconds":null},"read_scaling":{"instance_size":"pulse","flock_size":0}}`, want: DucklingConfig{ReadWriteDucklings{"pulse", nil}, ReadScalingDucklings{"pulse", 0, nil}}},
		"missing read_scaling":     {body: `{"read_write":{"instance_size":"pulse"}}`, reason: true},
		"missing flock_size":       {body: `{"read_write":{"instance_size":"pulse"},"read_scaling":{"instance_size":"pulse"}}`, reason: true},
		"fractional flock_size":    {body: `{"read_write":{"instance_size":"pulse"},"read_scaling":{"instance_size":"pulse","flock_size":1.5}}`, reason: true},
		"fractional cooldown":      {body: `{"read_write":{"instance_size":"standard","cooldown_seconds":60.5},"read_scaling":{"instance_size":"pulse","flock_size":1}}`, reason: true},
		"empty instance_size":      {body: `{"read_write":{"instance_size":""},"read_scaling":{"instance_size":"pulse","flock_size":1}}`, reason: true},
		"not json (a login page)":  {body: `<html>`, reason: true},
		"a string where an object": {body: `{"read_write":"standard","read_scaling":{"instance_size":"pulse","flock_size":1}}`, reason: true},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(&ducklingServer{stored: tc.body})
			defer srv.Close()
			c, _ := newTestClient(t, srv.URL)
			got, err := c.GetDucklingConfig(t.Context(), "svc/a")
			var invalid *InvalidResponseError
			if tc.reason {
				if !errors.As(err, &invalid) {
					t.Fatalf("want an InvalidResponseError, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !sameDucklings(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func sameDucklings(a, b DucklingConfig) bool {
	eq := func(x, y *int64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.ReadWrite.InstanceSize == b.ReadWrite.InstanceSize && eq(a.ReadWrite.CooldownSeconds, b.ReadWrite.CooldownSeconds) &&
		a.ReadScaling.InstanceSize == b.ReadScaling.InstanceSize && a.ReadScaling.FlockSize == b.ReadScaling.FlockSize &&
		eq(a.ReadScaling.CooldownSeconds, b.ReadScaling.CooldownSeconds)
}

// The write sends both halves inside "config", leaves out a nil cooldown,
// and returns what a read afterwards answers, not the write's own answer.
func TestPutDucklingConfig_sendsAllAndReadsBack(t *testing.T) {
	d := &ducklingServer{}
	srv := httptest.NewServer(d)
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	want := DucklingConfig{ReadWriteDucklings{"standard", i64(600)}, ReadScalingDucklings{"pulse", 3, nil}}
	got, err := c.PutDucklingConfig(t.Context(), "svc/a", want)
	if err != nil {
		t.Fatal(err)
	}
	if !sameDucklings(got, want) {
		t.Fatalf("got %+v, want %+v (the read-back)", got, want)
	}
	if d.puts != 1 || d.gets != 1 {
		t.Fatalf("%d PUT and %d GET, want 1 and 1", d.puts, d.gets)
	}
	rs, _ := d.lastPut["read_scaling"].(map[string]any)
	rw, _ := d.lastPut["read_write"].(map[string]any)
	if rw["instance_size"] != "standard" || rw["cooldown_seconds"] != float64(600) || rs["flock_size"] != float64(3) || rs["instance_size"] != "pulse" {
		t.Fatalf("the write sent %v", d.lastPut)
	}
	if _, ok := rs["cooldown_seconds"]; ok {
		t.Fatalf("a nil cooldown was sent: %v", d.lastPut)
	}
}

// A cooldown a read reported for a pulse half (the contract infers none,
// but build for both) is never sent back: the API refuses one with pulse.
func TestPutDucklingConfig_noCooldownWithPulse(t *testing.T) {
	d := &ducklingServer{}
	srv := httptest.NewServer(d)
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	cfg := DucklingConfig{ReadWriteDucklings{"pulse", i64(60)}, ReadScalingDucklings{"pulse", 2, i64(60)}}
	if _, err := c.PutDucklingConfig(t.Context(), "svc/a", cfg); err != nil {
		t.Fatal(err)
	}
	for _, half := range []string{"read_write", "read_scaling"} {
		if m, _ := d.lastPut[half].(map[string]any); m == nil || m["instance_size"] != "pulse" {
			t.Fatalf("the write sent %v", d.lastPut)
		} else if _, ok := m["cooldown_seconds"]; ok {
			t.Errorf("a cooldown was sent with pulse in %s: %v", half, d.lastPut)
		}
	}
}

// The write is idempotent: 429 and every 5xx are retried; a 400 is not.
func TestPutDucklingConfig_retries(t *testing.T) {
	for name, tc := range map[string]struct {
		failures []int
		puts     int
		ok       bool
	}{
		"429":         {[]int{429}, 2, true},
		"500":         {[]int{500}, 2, true},
		"502 503 504": {[]int{502, 503, 504}, 4, true},
		"400":         {[]int{400}, 1, false},
		"403":         {[]int{403}, 1, false},
		"always 503":  {[]int{503, 503, 503, 503, 503, 503}, 5, false},
	} {
		t.Run(name, func(t *testing.T) {
			d := &ducklingServer{putFailures: tc.failures}
			srv := httptest.NewServer(d)
			defer srv.Close()
			c, _ := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxAttempts = 5 })
			_, err := c.PutDucklingConfig(t.Context(), "svc/a", DucklingConfig{ReadWriteDucklings{"pulse", nil}, ReadScalingDucklings{"pulse", 1, nil}})
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if d.puts != tc.puts {
				t.Fatalf("%d PUT attempts, want %d", d.puts, tc.puts)
			}
		})
	}
}

// A JSON NOT_FOUND, on the read and on the write, is the user gone.
func TestDucklingConfig_userGone(t *testing.T) {
	srv := httptest.NewServer(&ducklingServer{})
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	if _, err := c.GetDucklingConfig(t.Context(), "ghost"); !IsNotFound(err) {
		t.Fatalf("read: %v", err)
	}
	if _, err := c.PutDucklingConfig(t.Context(), "ghost", DucklingConfig{ReadWriteDucklings{"pulse", nil}, ReadScalingDucklings{"pulse", 1, nil}}); !IsNotFound(err) {
		t.Fatalf("write: %v", err)
	}
	if _, err := c.GetDucklingConfig(t.Context(), ""); err == nil {
		t.Fatal("an empty username was sent")
	}
}
