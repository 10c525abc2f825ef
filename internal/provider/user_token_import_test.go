package provider

import "testing"

func TestParseImportID(t *testing.T) {
	u, id, problem := parseImportID("svc_ci/0b7c3f3e-5d55-4a52-9a55-6d1f7b0f0a11")
	if problem != "" || u != "svc_ci" || id != "0b7c3f3e-5d55-4a52-9a55-6d1f7b0f0a11" {
		t.Fatalf("got %q %q %q", u, id, problem)
	}
	for _, bad := range []string{"", "svc_ci", "/id", "svc_ci/", "a/b/c", "bad user/id", "svc_ci/id with space", "../id"} {
		if _, _, problem := parseImportID(bad); problem == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}
