// Package syncbuffer holds the one goroutine-safe output buffer that tests
// of the provider and of the emulator command read while a process or
// goroutine still writes to it. It imports nothing from Terraform, the
// client or the emulator.
package syncbuffer

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer safe for one writer and concurrent readers: the
// output of a CLI process that a test reads while the process still writes
// it (os/exec copies the output from another goroutine).
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
