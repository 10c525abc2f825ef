package emulator

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
)

// Duckling configuration (GET and PUT /v1/users/{username}/instances), as the
// contract describes it: one configuration per user, replaced whole by each
// write, gone with the user.

// Limits of the Duckling configuration.
const (
	MinCooldownSeconds     = 60
	MaxCooldownSeconds     = 86400
	DefaultCooldownSeconds = 60
	MaxFlockSize           = 64
)

// InstanceSizes are the Duckling sizes the write accepts.
var InstanceSizes = []string{"pulse", "standard", "jumbo", "mega", "giga"}

// PulseCooldownMessage is the 400 answer's message for a cooldown set on a
// pulse half (documented wording).
const PulseCooldownMessage = "cooldown_seconds cannot be set for Pulse instances"

// DucklingConfig is a user's Duckling configuration as the emulator holds
// it. A cooldown of 0 means none (a pulse half).
type DucklingConfig struct {
	ReadWriteSize       string
	ReadWriteCooldown   int
	ReadScalingSize     string
	FlockSize           int
	ReadScalingCooldown int
}

// OpPutInstances is PUT /v1/users/{username}/instances in Request.Op and Fault.Op.
const OpPutInstances = "put_instances"

// DucklingConfig returns the user's configuration, false when the user
// does not exist.
func (s *Server) DucklingConfig(username string) (DucklingConfig, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[username] == nil {
		return DucklingConfig{}, false
	}
	return s.ducklingConfigLocked(username), true
}

// SetDucklingConfig replaces the user's configuration out of band, as the
// web UI does (no request is recorded, nothing is validated). It reports
// whether the user exists.
func (s *Server) SetDucklingConfig(username string, cfg DucklingConfig) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[username] == nil {
		return false
	}
	if s.ducklings == nil {
		s.ducklings = map[string]DucklingConfig{}
	}
	s.ducklings[username] = cfg
	return true
}

func (s *Server) ducklingConfigLocked(username string) DucklingConfig {
	if cfg, ok := s.ducklings[username]; ok {
		return cfg
	}
	return DefaultDucklingConfig
}

type ducklingJSON struct {
	InstanceSize    string `json:"instance_size"`
	FlockSize       *int   `json:"flock_size,omitempty"`
	CooldownSeconds *int   `json:"cooldown_seconds,omitempty"`
}

// ducklingAnswer is the configuration as the API answers it. A pulse half
// has no cooldown (inferred). withCooldowns false leaves every cooldown out,
// as the write's answer has been seen to do.
func ducklingAnswer(cfg DucklingConfig, withCooldowns bool) map[string]ducklingJSON {
	cooldown := func(v int) *int {
		if v == 0 || !withCooldowns {
			return nil
		}
		return &v
	}
	flock := cfg.FlockSize
	return map[string]ducklingJSON{
		"read_write":   {InstanceSize: cfg.ReadWriteSize, CooldownSeconds: cooldown(cfg.ReadWriteCooldown)},
		"read_scaling": {InstanceSize: cfg.ReadScalingSize, FlockSize: &flock, CooldownSeconds: cooldown(cfg.ReadScalingCooldown)},
	}
}

func (s *Server) getDucklingsLocked(rt route, issues []issue) (int, any) {
	if len(issues) > 0 {
		return badRequest(issues)
	}
	if s.users[rt.username] == nil {
		return notFound("user not found")
	}
	return http.StatusOK, ducklingAnswer(s.ducklingConfigLocked(rt.username), true)
}

// putDucklingsLocked validates and stores a whole configuration: both
// halves required; a cooldown left out of a non-pulse half stores the default.
func (s *Server) putDucklingsLocked(r *http.Request, rt route, in body, issues []issue) (int, any) {
	fields, berr := parseObjectBody(r, in)
	if berr != nil {
		return badRequest(append(issues, *berr))
	}
	config, iss := objectField(fields, "config", nil)
	issues = append(issues, iss...)
	var cfg DucklingConfig
	pulseCooldown := false
	if config != nil {
		for _, half := range []string{"read_write", "read_scaling"} {
			where := []string{"config", half}
			obj, iss := objectField(config, half, where[:1])
			issues = append(issues, iss...)
			if obj == nil {
				continue
			}
			size, iss := stringField(obj, "instance_size", true, 1, 0)
			if len(iss) == 0 && !slices.Contains(InstanceSizes, size) {
				iss = []issue{{Message: "instance_size must be one of pulse, standard, jumbo, mega, giga", Path: []string{"instance_size"}}}
			}
			issues = append(issues, under(where, iss)...)
			cooldown, iss := wholeField(obj, "cooldown_seconds", false, MinCooldownSeconds, MaxCooldownSeconds)
			issues = append(issues, under(where, iss)...)
			if _, set := obj["cooldown_seconds"]; set && size == "pulse" {
				pulseCooldown = true
			} else if !set && size != "pulse" {
				cooldown = DefaultCooldownSeconds
			}
			if half == "read_write" {
				cfg.ReadWriteSize, cfg.ReadWriteCooldown = size, cooldown
				continue
			}
			flock, iss := wholeField(obj, "flock_size", true, 0, MaxFlockSize)
			issues = append(issues, under(where, iss)...)
			cfg.ReadScalingSize, cfg.FlockSize, cfg.ReadScalingCooldown = size, flock, cooldown
		}
	}
	if pulseCooldown && len(issues) == 0 {
		return http.StatusBadRequest, errorBody(http.StatusBadRequest, PulseCooldownMessage, issue{Message: PulseCooldownMessage})
	}
	if len(issues) > 0 {
		return badRequest(issues)
	}
	if s.users[rt.username] == nil {
		return notFound("user not found")
	}
	if s.ducklings == nil {
		s.ducklings = map[string]DucklingConfig{}
	}
	s.ducklings[rt.username] = cfg
	return http.StatusOK, ducklingAnswer(cfg, false)
}

// objectField reads a required JSON object field; where is its parent's path.
func objectField(fields map[string]json.RawMessage, key string, where []string) (map[string]json.RawMessage, []issue) {
	path := append(slices.Clone(where), key)
	raw, ok := fields[key]
	if !ok {
		return nil, []issue{{Message: key + " is required", Path: path}}
	}
	if k := jsonKind(raw); k != "object" {
		return nil, []issue{{Message: key + " must be an object, received " + k, Path: path}}
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil, []issue{{Message: key + " is not a valid object", Path: path}}
	}
	return obj, nil
}

// wholeField reads a whole number field from lo to hi; 0 when absent.
func wholeField(fields map[string]json.RawMessage, key string, required bool, lo, hi int) (int, []issue) {
	raw, ok := fields[key]
	if !ok {
		if required {
			return 0, []issue{{Message: key + " is required", Path: []string{key}}}
		}
		return 0, nil
	}
	if k := jsonKind(raw); k != "number" {
		return 0, []issue{{Message: key + " must be a number, received " + k, Path: []string{key}}}
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil || v != math.Trunc(v) || v < float64(lo) || v > float64(hi) {
		return 0, []issue{{Message: key + " must be a whole number from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi), Path: []string{key}}}
	}
	return int(v), nil
}

// under prefixes the issues' paths with where.
func under(where []string, issues []issue) []issue {
	for i := range issues {
		issues[i].Path = append(slices.Clone(where), issues[i].Path...)
	}
	return issues
}
