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
// It imports nothing from the Terraform plugin libraries, so that it can be
// tested on its own against an HTTP fake.
//
// # Files
//
//	client.go       Config, New and the Client
//	ledger.go       per user: the mint ledger (baseline, minted and revoked ids, name locks)
//	listcache.go    per user: ListTokens and its shared, generation-checked list cache
//	pager.go        readStable: every list, every page, read until two reads agree
//	mint.go         CreateToken: baseline, name lock, attempts, the intent of each failed attempt
//	intent.go       Intent (a mint of unknown outcome), Settle, Debt and SettleDebt
//	serverclock.go  the API's clock (Now), learnt from Date headers and created_ts
//	tokens.go       the token types and the list, revoke and user calls
//	accounts.go     UserExists and CreateNewServiceAccount
//	ducklings.go    the Duckling configuration read and write
//	transport.go    one HTTP attempt, retries and waits
//	errors.go       typed errors
//	redact.go       keeping secrets out of printed values, errors and logs
//	userlist.go     ListUsers, and userkind.go LookupUserKind
//	activeaccounts.go  ListActiveAccounts
//	embed.go        CreateEmbedSession: never repeated once it may have been sent
package client
