// Package quietlogs turns the provider process's loggers off when nobody
// asked for logs. main (and the benchmark's profiled-provider, which must
// behave as the shipped binary) call ServeOpts before serving.
//
// terraform-plugin-log gives the SDK loggers (terraform-plugin-go's "sdk" and
// "sdk.proto", the framework's "sdk.framework") and the provider's own tflog
// logger the level TRACE unless TF_LOG_SDK, TF_LOG_SDK_PROTO,
// TF_LOG_SDK_FRAMEWORK or TF_LOG_PROVIDER_MOTHERDUCK say otherwise, and
// go-plugin's server logger writes lines of its own at every start (ServeOpts
// silences that one when these are off). The
// provider then formats a JSON line for every protocol call, every framework
// step and every tflog call, and Terraform parses each one only to drop it
// when its own level (TF_LOG, TF_LOG_PROVIDER) is off: about a third of a
// framework provider's CPU per resource (BENCHMARKS.md).
//
// Who passes what to the provider process:
//
//   - Terraform (1.5.7, 1.11) and OpenTofu (1.12) start it through go-plugin
//     with exec.Command and no Env of their own, so go-plugin appends the
//     CLI's whole environment (os.Environ()) plus its PLUGIN_* handshake
//     variables. None of them sets a TF_LOG* variable itself: the provider
//     sees exactly what the user exported.
//   - terraform-plugin-testing serves the provider under test in the test
//     process (ProtoV6ProviderFactories): this main never runs there, and its
//     loggers go to the test sink, off unless TF_LOG, TF_ACC_LOG_PATH or
//     TF_LOG_PATH_MASK is set. The CLI it runs through terraform-exec gets
//     TF_LOG, TF_LOG_CORE, TF_LOG_PATH and TF_LOG_PROVIDER set to "" unless
//     TF_ACC_LOG_PATH or TF_LOG_PATH_MASK asks for a log (then TF_LOG=TRACE
//     or TF_ACC_LOG, TF_LOG_PATH, TF_LOG_CORE, TF_LOG_PROVIDER from the test
//     environment); everything else of the test environment passes through to
//     the CLI and from there to any provider binary it starts.
//
// Hence a variable counts as set only when it is not empty, as it does for
// Terraform and terraform-plugin-log (os.Getenv(name) != "").
package quietlogs

import (
	"os"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// logRequestVars are the variables by which someone asks for provider logs.
var logRequestVars = []string{
	"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_MOTHERDUCK",
	"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK",
	"TF_LOG_PATH", "TF_ACC_LOG_PATH", "TF_LOG_PATH_MASK",
}

// loggerLevelVars set the level of terraform-plugin-go's SDK and protocol
// loggers, the framework's logger and this provider's tflog logger.
var loggerLevelVars = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_MOTHERDUCK"}

// quietLogSettings returns the environment settings that turn every logger
// of the provider process off when none of logRequestVars is set, and none
// when any of them is, so that logging is then exactly what
// terraform-plugin-log would do by itself.
func quietLogSettings(getenv func(string) string) map[string]string {
	for _, name := range logRequestVars {
		if getenv(name) != "" {
			return nil
		}
	}
	out := make(map[string]string, len(loggerLevelVars))
	for _, name := range loggerLevelVars {
		out[name] = "off"
	}
	return out
}

// ServeOpts applies quietLogSettings to this process, before any logger is
// made, and returns the tf6server options that go with it: go-plugin's
// server logger silenced too when the others are off, none otherwise.
func ServeOpts() ([]tf6server.ServeOpt, error) {
	quiet, err := quietLogsUnlessAsked()
	if err != nil || !quiet {
		return nil, err
	}
	return []tf6server.ServeOpt{tf6server.WithGoPluginLogger(hclog.NewNullLogger())}, nil
}

// quietLogsUnlessAsked applies quietLogSettings to this process and reports
// whether it turned the loggers off.
func quietLogsUnlessAsked() (bool, error) {
	settings := quietLogSettings(os.Getenv)
	for name, value := range settings {
		if err := os.Setenv(name, value); err != nil {
			return false, err
		}
	}
	return settings != nil, nil
}
