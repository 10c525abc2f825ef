package client

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkListTokens_cached is what each token's refresh pays for its
// user's list once it is cached: a plan of N tokens over U users calls it N
// times on lists of about N/U tokens. Figures: BENCHMARKS.md.
func BenchmarkListTokens_cached(b *testing.B) {
	for _, n := range []int{125, 1250} {
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			e := newEmuWithSvc(b)
			ctx := context.Background()
			for i := range n {
				req := CreateTokenRequest{Name: fmt.Sprintf("t%d", i), TokenType: TokenTypeReadWrite}
				if i%2 == 0 {
					req.TTL, req.Description = 3600, "with expiry and description"
				}
				if _, err := e.c.CreateToken(ctx, "svc", req); err != nil {
					b.Fatal(err)
				}
			}
			if toks, err := e.c.ListTokens(ctx, "svc"); err != nil || len(toks) != n {
				b.Fatalf("listed %d tokens, err %v; want %d", len(toks), err, n)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := e.c.ListTokens(ctx, "svc"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
