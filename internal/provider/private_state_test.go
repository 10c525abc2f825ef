package provider

import "testing"

// TestSameAPIURL: the endpoint recorded for a token or an account matches
// the same API however its URL is written, and no other API.
func TestSameAPIURL(t *testing.T) {
	same := [][2]string{
		{"https://api.motherduck.com", "https://api.motherduck.com/"},
		{"https://api.motherduck.com", "HTTPS://API.MotherDuck.com"},
		{"https://api.motherduck.com", "https://api.motherduck.com:443"},
		{"https://api.motherduck.com", "https://api.motherduck.com."},
		{"http://127.0.0.1:8080", "http://localhost:8080"},
		{"http://[::1]:8080", "http://127.0.0.2:8080/"},
	}
	differ := [][2]string{
		{"https://api.motherduck.com", "https://api.eu.motherduck.com"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8081"},
		{"https://api.motherduck.com", "http://api.motherduck.com"},
		{"https://api.motherduck.com:8443", "https://api.motherduck.com"},
	}
	for _, p := range same {
		if !sameAPIURL(p[0], p[1]) {
			t.Errorf("%s and %s taken for different APIs", p[0], p[1])
		}
	}
	for _, p := range differ {
		if sameAPIURL(p[0], p[1]) {
			t.Errorf("%s and %s taken for the same API", p[0], p[1])
		}
	}
}
