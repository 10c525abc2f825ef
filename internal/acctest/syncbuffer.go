package acctest

import "github.com/duckops/terraform-provider-motherduck/internal/syncbuffer"

// SyncBuffer is a bytes.Buffer safe for one writer and concurrent readers:
// the output of a CLI process that a test reads while the process still
// writes it.
type SyncBuffer = syncbuffer.Buffer
