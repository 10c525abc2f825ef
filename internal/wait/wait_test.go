package wait

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	if err := Sleep(t.Context(), 0); err != nil {
		t.Fatalf("zero wait on a live context: %v", err)
	}
	if err := Sleep(t.Context(), time.Millisecond); err != nil {
		t.Fatalf("short wait: %v", err)
	}
	done, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Sleep(done, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("zero wait on an ended context: %v", err)
	}
	if err := Sleep(done, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("long wait on an ended context: %v", err)
	}
}
