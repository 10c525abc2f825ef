// Package client is a small, dependency-free client for the part of the
// MotherDuck REST API that manages users, access tokens, Duckling
// configurations and Dive embed sessions. It imports nothing from the
// Terraform plugin libraries, so that it can be tested on its own against an
// HTTP fake.
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
