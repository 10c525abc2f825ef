// Package client is a small, dependency-free client for the part of the
// MotherDuck REST API that manages users and access tokens:
//
//	POST   /v1/users                           create a service account
//	DELETE /v1/users/{username}                delete a user and all its data
//	POST   /v1/users/{username}/tokens         mint a token (the secret is returned once)
//	GET    /v1/users/{username}/tokens         list a user's tokens
//	DELETE /v1/users/{username}/tokens/{id}    invalidate (revoke) a token
//	GET    /v1/users                           list users and service accounts (paged)
//	GET    /v1/active_accounts                 accounts with Ducklings running
//	POST   /v1/dives/{dive_id}/embed-session   mint a Dive embed session (returned once)
//
// It imports nothing from the Terraform plugin libraries so that it can be
// tested on its own against an HTTP fake.
//
// # Files
//
//	client.go     Config, New and the Client
//	users.go      the per-user bookkeeping (one type, used through its methods)
//	cache.go      ListTokens: the shared, generation-checked list cache
//	mint.go       CreateToken: baseline, name lock, attempts
//	recovery.go   clean-up after a mint whose outcome is unknown
//	tokens.go     the token types and the list, revoke and user calls
//	transport.go  one HTTP attempt, retries and waits
//	errors.go     typed errors
//	redact.go     keeping secrets out of printed values and error text
//	userlist.go   ListUsers: every page of the user list, each user once
//	activeaccounts.go  ListActiveAccounts
//	embed.go      CreateEmbedSession: never repeated once it may have been sent
//
// # Transport
//
// Every request carries the admin bearer token, Accept and User-Agent headers
// (and Content-Type when it has a body), escapes each path segment on its own,
// and runs under a per-attempt timeout (Config.RequestTimeout). GET is retried
// on 429, 500, 502, 503, 504 and transport failures; DELETE on 429, 502, 503,
// 504 and transport failures; POST only when the request certainly did not
// take effect (a 429 answer, or a failure before a connection to the server
// was obtained). Waits are exponential with full jitter, or the server's
// Retry-After (seconds or HTTP date), both capped at Config.MaxRetryWait, and
// end at once when the caller's context is cancelled. One call, its attempts
// and waits together, takes at most Config.MaxCallTime: a retry that would not
// fit is not made. Every wait, and giving up, is logged at WARN with its
// reason; errors say how many attempts were made over how long.
//
// # Secrets
//
// No secret (the admin token, a minted token's secret, an Authorization
// header) ever appears in an error string, in a field given to the Logger, or
// in the fmt output of Config, Client or CreatedToken. Error bodies from the
// server are sanitised before they are kept.
//
// # Ambiguous mint recovery
//
// Minting is not idempotent: a mint whose answer is lost (a dropped
// connection, a 5xx, a timeout after the request was sent, the caller's
// cancellation) may or may not have created a token whose secret nobody will
// ever see. CreateToken never leaves such a token behind silently:
//
//  1. Baseline. Per user, the client keeps the set of token ids known to exist
//     before this process's mints. Any list of the user made by this process
//     while none of its mints of that user was in flight fills it; if no such
//     list was made yet, CreateToken makes one first (one per user per
//     process; concurrent mints share it). The client also remembers every
//     id it minted and handed back.
//  2. Serialisation. Mints of the same (username, name) are serialised, so two
//     of our own mints with one name never mistake each other's tokens.
//  3. Recovery. When a mint's outcome is unknown, the client lists the user's
//     tokens with a context detached from the caller's cancellation (with its
//     own two-minute bound) and revokes the token that is not in the
//     baseline, was not minted by this process, matches the request (same
//     name, same token_type, and expire_at - created_ts within 2s of the ttl,
//     or no expire_at without ttl) and was created while the request was out:
//     created_ts between the moment it was sent and the moment the client
//     gave up on it, on the server's clock (the client's, Config.Now, moved
//     by the offset learnt from the created_ts of the tokens it minted or,
//     before its first mint, from the Date header of the API's answers, and
//     widened by that reading's uncertainty), widened by 2s for the API's
//     whole-second timestamps and a slightly wrong estimate. A token of
//     the same name created outside that window is another workspace's (two
//     runs minting the same names at once) and is never touched, nor is a
//     token that existed before. A 404 NOT_FOUND on revoke counts as revoked.
//  4. Retry or report. If recovery succeeded, the mint is attempted again
//     while attempts remain and the caller has not cancelled; otherwise the
//     original error is returned. If listing or revoking failed, an
//     *AmbiguousMintError names the user, the token name, the time and the ids
//     that could not be revoked, and tells the operator what to check. When
//     the token's id could not be learnt, its LostMint (user, name, ttl,
//     token_type, description, window, ids known before) lets the caller
//     settle it later with LostMint.Matches on a fresh list.
//  5. Late commits. A server may commit a request after the client gave up on
//     it, or list it only later. The signature and window of every ambiguous
//     mint are therefore remembered for ten minutes, and later lists of that
//     user by this process revoke a matching unknown token created inside the
//     window (only while no mint of that name is running).
//
// Two tokens that both match one request's window cannot be told apart: one
// of them may be another workspace's, minted in the same second with the
// same name, type and ttl. Then none is revoked, and the error names both
// (AmbiguousMintError.Candidates). The same holds for a single match when
// the failed request in fact created nothing and another workspace minted
// that name in the same seconds: the window narrows that case to a few
// seconds, and no API field can narrow it further.
//
// # Paging
//
// The token list is read to its end: when an answer carries a next-page
// cursor (next_page_token or next_cursor, at the top level or inside a
// "pagination" object) the client asks again with page_token, and returns
// every page's tokens. A page that cannot be read or a cursor seen before
// fails the whole list, because callers take a token missing from it for
// revoked. For the same reason a list of more than one page is read again
// until two reads in a row hold the same tokens and repeat none (tokens
// minted or revoked between two pages, or pages ordered anew, can shift one
// out of every page; a read that repeats a token missed another); a list
// that does not settle within maxListReads reads is a *ListUnsettledError.
//
// # List cache
//
// ListTokens shares work per user: concurrent calls wait on one request, and
// its answer serves later calls until any mint or revoke of that user (whatever
// its outcome) bumps the user's generation. A call that starts after a write
// never joins or uses a request that started before it. Expiry is judged at
// each call against Config.Now, ids revoked by this client are never
// reported, errors are never cached and every returned slice is a fresh copy.
package client
