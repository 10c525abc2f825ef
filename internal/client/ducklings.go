package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
)

const (
	OpReadDucklingConfig  = "read duckling configuration"
	OpWriteDucklingConfig = "write duckling configuration"
)

// DucklingConfig always has both halves. Its JSON form is the API's shape.
type DucklingConfig struct {
	ReadWrite   ReadWriteDucklings   `json:"read_write"`
	ReadScaling ReadScalingDucklings `json:"read_scaling"`
}

type ReadWriteDucklings struct {
	InstanceSize    string `json:"instance_size"`
	CooldownSeconds *int64 `json:"cooldown_seconds,omitempty"` // nil when not set (always for pulse)
}

type ReadScalingDucklings struct {
	InstanceSize    string `json:"instance_size"`
	FlockSize       int64  `json:"flock_size"`
	CooldownSeconds *int64 `json:"cooldown_seconds,omitempty"`
}

// wireDuckling reads numbers as json.Number: the contract types flock_size
// as a number, and a whole number may come back written as 4.0.
type wireDuckling struct {
	InstanceSize    string       `json:"instance_size"`
	FlockSize       *json.Number `json:"flock_size,omitempty"`
	CooldownSeconds *json.Number `json:"cooldown_seconds,omitempty"`
}

type wireDucklingConfig struct {
	ReadWrite   *wireDuckling `json:"read_write"`
	ReadScaling *wireDuckling `json:"read_scaling"`
}

func ducklingsPath(username string) string {
	return "/v1/users/" + escapeSegment(username) + "/instances"
}

// GetDucklingConfig: a missing user is an error for which IsNotFound is true.
func (c *Client) GetDucklingConfig(ctx context.Context, username string) (DucklingConfig, error) {
	if err := validUsername(OpReadDucklingConfig, username); err != nil {
		return DucklingConfig{}, err
	}
	cl := &call{op: OpReadDucklingConfig, method: http.MethodGet, path: ducklingsPath(username)}
	body, err := c.do(ctx, cl)
	if err != nil {
		return DucklingConfig{}, err
	}
	cfg, reason := decodeDucklingConfig(body)
	if reason != "" {
		return DucklingConfig{}, &InvalidResponseError{Operation: cl.op, Method: cl.method, Path: cl.path, StatusCode: http.StatusOK, Reason: reason}
	}
	return cfg, nil
}

// PutDucklingConfig replaces the whole configuration (a nil cooldown: the service's default) and
// returns a fresh read: the write's own answer has been seen to lack a cooldown that was set.
func (c *Client) PutDucklingConfig(ctx context.Context, username string, cfg DucklingConfig) (DucklingConfig, error) {
	if err := validUsername(OpWriteDucklingConfig, username); err != nil {
		return DucklingConfig{}, err
	}
	body, err := json.Marshal(struct {
		Config wireDucklingConfig `json:"config"`
	}{cfg.wire()})
	if err != nil {
		return DucklingConfig{}, fmt.Errorf("%s: encoding the request: %w", OpWriteDucklingConfig, err)
	}
	if _, err := c.do(ctx, &call{op: OpWriteDucklingConfig, method: http.MethodPut, path: ducklingsPath(username), body: body}); err != nil {
		return DucklingConfig{}, err
	}
	return c.GetDucklingConfig(ctx, username)
}

func (cfg DucklingConfig) wire() wireDucklingConfig {
	return wireDucklingConfig{
		ReadWrite:   &wireDuckling{InstanceSize: cfg.ReadWrite.InstanceSize, CooldownSeconds: wireCooldown(cfg.ReadWrite.InstanceSize, cfg.ReadWrite.CooldownSeconds)},
		ReadScaling: &wireDuckling{InstanceSize: cfg.ReadScaling.InstanceSize, FlockSize: wireInt(&cfg.ReadScaling.FlockSize), CooldownSeconds: wireCooldown(cfg.ReadScaling.InstanceSize, cfg.ReadScaling.CooldownSeconds)},
	}
}

// wireCooldown never sends a cooldown with pulse, which the API refuses
// (400), even one a read reported for a pulse half and a write sends back.
func wireCooldown(size string, v *int64) *json.Number {
	if size == "pulse" {
		return nil
	}
	return wireInt(v)
}

func wireInt(v *int64) *json.Number {
	if v == nil {
		return nil
	}
	n := json.Number(fmt.Sprint(*v))
	return &n
}

func decodeDucklingConfig(body []byte) (DucklingConfig, string) {
	var w wireDucklingConfig
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&w); err != nil {
		return DucklingConfig{}, "the body is not a JSON object with read_write and read_scaling"
	}
	switch {
	case w.ReadWrite == nil || w.ReadScaling == nil:
		return DucklingConfig{}, "read_write or read_scaling is missing"
	case w.ReadWrite.InstanceSize == "" || w.ReadScaling.InstanceSize == "":
		return DucklingConfig{}, "an instance_size is missing"
	case w.ReadScaling.FlockSize == nil:
		return DucklingConfig{}, "read_scaling.flock_size is missing"
	}
	var cfg DucklingConfig
	var reason string
	cfg.ReadWrite.InstanceSize = w.ReadWrite.InstanceSize
	cfg.ReadScaling.InstanceSize = w.ReadScaling.InstanceSize
	flock, ok := wholeNumber(w.ReadScaling.FlockSize)
	if !ok || flock == nil {
		return DucklingConfig{}, "read_scaling.flock_size is not a whole number"
	}
	cfg.ReadScaling.FlockSize = *flock
	if cfg.ReadWrite.CooldownSeconds, ok = wholeNumber(w.ReadWrite.CooldownSeconds); !ok {
		reason = "read_write.cooldown_seconds is not a whole number"
	}
	if cfg.ReadScaling.CooldownSeconds, ok = wholeNumber(w.ReadScaling.CooldownSeconds); !ok {
		reason = "read_scaling.cooldown_seconds is not a whole number"
	}
	return cfg, reason
}

func wholeNumber(n *json.Number) (*int64, bool) {
	if n == nil {
		return nil, true
	}
	if i, err := n.Int64(); err == nil {
		return &i, true
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return nil, false
	}
	i := int64(f)
	return &i, true
}
