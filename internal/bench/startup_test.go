package bench

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for a provider: started with the
// plugin handshake variables, it prints a handshake line and waits.
func TestMain(m *testing.M) {
	if os.Getenv(magicCookieKey) == magicCookieValue {
		fmt.Println("1|6|unix|/tmp/plugin-fake|grpc|")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestStartOnce(t *testing.T) {
	wall, _, err := startOnce(context.Background(), os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if wall <= 0 || wall > 30*time.Second {
		t.Errorf("startOnce wall = %v", wall)
	}
	if _, _, err := startOnce(context.Background(), "/bin/true"); err == nil {
		t.Error("startOnce accepted a program that printed no handshake line")
	}
}
