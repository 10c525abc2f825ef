package quietlogs

import (
	"maps"
	"os"
	"testing"
)

func TestQuietLogSettings(t *testing.T) {
	off := map[string]string{
		"TF_LOG_SDK": "off", "TF_LOG_SDK_PROTO": "off", "TF_LOG_SDK_FRAMEWORK": "off", "TF_LOG_PROVIDER_MOTHERDUCK": "off",
	}
	cases := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"nothing set", nil, off},
		// terraform-exec passes TF_LOG and friends set to "" when no log
		// was asked for; Terraform and terraform-plugin-log read that as
		// unset.
		{"set but empty", map[string]string{"TF_LOG": "", "TF_LOG_PATH": "", "TF_LOG_PROVIDER": ""}, off},
		{"unrelated variables", map[string]string{"TF_LOG_CORE": "TRACE", "TF_IN_AUTOMATION": "1", "TF_LOG_PROVIDER_OTHER": "TRACE"}, off},
	}
	for _, name := range logRequestVars {
		cases = append(cases, struct {
			name string
			env  map[string]string
			want map[string]string
		}{name + " set", map[string]string{name: "x"}, nil})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := quietLogSettings(func(k string) string { return tc.env[k] })
			if !maps.Equal(got, tc.want) {
				t.Errorf("quietLogSettings(%v) = %v, want %v", tc.env, got, tc.want)
			}
		})
	}
}

func TestQuietLogsUnlessAsked(t *testing.T) {
	for _, name := range append(logRequestVars, loggerLevelVars...) {
		t.Setenv(name, "")
	}
	if quiet, err := quietLogsUnlessAsked(); err != nil || !quiet {
		t.Fatalf("quietLogsUnlessAsked() with no log settings = %v, %v; want true, nil", quiet, err)
	}
	for _, name := range loggerLevelVars {
		if got := os.Getenv(name); got != "off" {
			t.Errorf("%s = %q after quietLogsUnlessAsked with no log settings, want off", name, got)
		}
	}

	t.Setenv("TF_LOG", "TRACE")
	for _, name := range loggerLevelVars {
		t.Setenv(name, "")
	}
	if quiet, err := quietLogsUnlessAsked(); err != nil || quiet {
		t.Fatalf("quietLogsUnlessAsked() with TF_LOG=TRACE = %v, %v; want false, nil", quiet, err)
	}
	for _, name := range loggerLevelVars {
		if got := os.Getenv(name); got != "" {
			t.Errorf("%s = %q after quietLogsUnlessAsked with TF_LOG=TRACE, want it left alone", name, got)
		}
	}
}
