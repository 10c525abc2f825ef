package provider

import (
	"context"
	"encoding/json"
	"net"
	"net/url"
	"reflect"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// Private state that both resources keep (never shown in plans):
// privateEndpointKey, the API URL a token was minted through or a service
// account created or imported through. It is only the URL. A fingerprint of
// the organization would be better, but the API has no call that names the
// caller's organization, and a fingerprint of the admin token (even salted)
// is derived from a secret, and would also change with every rotation of the
// admin token, failing refreshes that are fine.
const privateEndpointKey = "endpoint"

// privateGetter and privateSetter are the framework's private state
// (req.Private, resp.Private).
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// present reports whether p holds private state: the framework always
// passes it, a test calling a method directly may not.
func present(p any) bool {
	v := reflect.ValueOf(p)
	return v.IsValid() && !(v.Kind() == reflect.Pointer && v.IsNil())
}

type endpointRecord struct {
	APIURL string `json:"api_url"`
}

// recordEndpoint notes in private state that the object belongs to url.
func recordEndpoint(ctx context.Context, p privateSetter, url string, diags *diag.Diagnostics) {
	if !present(p) || url == "" {
		return
	}
	b, err := json.Marshal(endpointRecord{APIURL: url})
	if err != nil {
		diags.AddError("Cannot Record the API Endpoint", err.Error())
		return
	}
	diags.Append(p.SetKey(ctx, privateEndpointKey, b)...)
}

// recordedElsewhere returns the API URL recorded for the object when it is
// not current, or "" when it is the same or nothing was recorded (an object
// created by an earlier version of the provider).
func recordedElsewhere(ctx context.Context, p privateGetter, current string, diags *diag.Diagnostics) string {
	if !present(p) {
		return ""
	}
	b, d := p.GetKey(ctx, privateEndpointKey)
	diags.Append(d...)
	if len(b) == 0 {
		return ""
	}
	var rec endpointRecord
	if err := json.Unmarshal(b, &rec); err != nil || rec.APIURL == "" || sameAPIURL(rec.APIURL, current) {
		return ""
	}
	return rec.APIURL
}

// sameAPIURL reports whether two API root URLs name the same API, however
// written: scheme and host in any case, a default port or not, a trailing
// dot or slash, and any loopback host (localhost, 127.0.0.0/8, ::1) for
// another.
func sameAPIURL(a, b string) bool {
	return strings.EqualFold(a, b) || canonicalAPIURL(a) == canonicalAPIURL(b)
}

func canonicalAPIURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return raw
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		host = "loopback"
	}
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	return scheme + "://" + net.JoinHostPort(host, port) + strings.TrimSuffix(u.EscapedPath(), "/")
}

// privateFlag reports whether the flag under key (JSON true) is set.
func privateFlag(ctx context.Context, p privateGetter, key string, diags *diag.Diagnostics) bool {
	var set bool
	return readPrivate(ctx, p, key, "the flag "+key, &set, diags) && set
}

// readPrivate decodes the JSON record kept under key into out; false when
// there is none, or when it cannot be read (an error naming what it is).
func readPrivate(ctx context.Context, p privateGetter, key, what string, out any, diags *diag.Diagnostics) bool {
	if !present(p) {
		return false
	}
	b, d := p.GetKey(ctx, key)
	diags.Append(d...)
	if len(b) == 0 {
		return false
	}
	if err := json.Unmarshal(b, out); err != nil {
		diags.AddError("Unreadable Private State", "The record of "+what+" kept in private state cannot be read: "+err.Error())
		return false
	}
	return true
}
