package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maskSecrets makes every tflog call made with the returned context replace
// the given secrets, wherever they would appear, with asterisks.
func maskSecrets(ctx context.Context, secrets ...string) context.Context {
	kept := secrets[:0:0]
	for _, s := range secrets {
		if s != "" {
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 {
		return ctx
	}
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "token", "secret", "authorization", "Authorization")
	ctx = tflog.MaskAllFieldValuesStrings(ctx, kept...)
	return tflog.MaskMessageStrings(ctx, kept...)
}

// tflogLogger forwards the client's events to tflog, masking the admin token.
type tflogLogger struct{ secret string }

func (l tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(maskSecrets(ctx, l.secret), msg, fields)
}

func (l tflogLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(maskSecrets(ctx, l.secret), msg, fields)
}
