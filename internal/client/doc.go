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
//	GET    /v1/users/{username}/instances      read a user's Duckling configuration
//	PUT    /v1/users/{username}/instances      replace it
//
// It imports nothing from the Terraform plugin libraries so that it can be
// tested on its own against an HTTP fake.
//
// # Files
//
//	client.go       Config, New and the Client
//	users.go        the per-user ledger (baseline, minted and revoked ids, name locks) and list flights
//	cache.go        ListTokens: the shared, generation-checked list cache
//	mint.go         CreateToken: baseline, name lock, attempts, the intent of each failed attempt
//	intent.go       Intent (a mint of unknown outcome), Settle, Debt and SettleDebt
//	serverclock.go  the API's clock (Now), learnt from Date headers and created_ts
//	tokens.go       the token types and the list, revoke and user calls
//	ducklings.go    the Duckling configuration read and write
//	transport.go    one HTTP attempt, retries and waits
//	errors.go       typed errors
//	redact.go       keeping secrets out of printed values and error text
//	userlist.go     ListUsers: every page of the user list, each user once
//	activeaccounts.go  ListActiveAccounts
//	embed.go        CreateEmbedSession: never repeated once it may have been sent
//
// # Transport
//
// Every request carries the admin bearer token, Accept and User-Agent headers
// (and Content-Type when it has a body), escapes each path segment on its own,
// and runs under a per-attempt timeout (Config.RequestTimeout). GET and PUT
// (the Duckling configuration write, which replaces the whole configuration)
// are retried on 429, 500, 502, 503, 504 and transport failures; DELETE on 429, 502, 503,
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
// # Mints of unknown outcome
//
// Minting is not idempotent: a mint whose answer is lost (a dropped
// connection, a 5xx, a timeout after the request was sent, the caller's
// cancellation, an unusable answer) may or may not have created a token
// whose secret nobody will ever see. Each such attempt becomes an Intent:
// the request's signature (user, name, ttl, token_type, description), its
// window on the API's clock, and the ids known not to be its (the user's
// baseline, learnt by one list before the first mint, and every id this
// process minted or revoked). Intent.Settle reads it against a list: the one
// unknown token that matches it inside its window is its token; several are
// candidates that cannot be told apart (one may be another workspace's), so
// none is touched and the intent stays open; none settles it only once the
// request can no longer commit: at once for an answer the API itself wrote,
// lateCommitBound later for a timeout or a dropped connection ("not in the
// list yet" is no evidence). CreateToken settles each failed attempt at once
// (revoking its token), and returns what stays unsettled as a Debt, on
// success (CreatedToken.Owed) or failure (*AmbiguousMintError). The caller
// keeps the Debt and settles it later with SettleDebt, a named step: a
// list never revokes anything by itself.
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
// each call against the API's clock (Now), ids revoked by this client are never
// reported, errors are never cached and every returned slice is a fresh copy.
package client
