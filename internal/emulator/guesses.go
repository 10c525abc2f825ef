package emulator

import "net/http"

// The contract (the OpenAPI file and its README) is silent on a few answers the
// emulator must give. Each guess is made here, and only here, so that it is
// easy to correct once the live service is observed.

// Minting for another human user. The README says an admin may not do it but
// gives no status; this is the 403 the OpenAPI file documents for a caller
// that lacks a permission, with the contract's error body.
const (
	otherHumanMintStatus  = http.StatusForbidden
	otherHumanMintMessage = "cannot create tokens for other human users"
)

func refuseMintForOtherHuman() (int, any) {
	return otherHumanMintStatus, errorBody(otherHumanMintStatus, otherHumanMintMessage, issue{Message: otherHumanMintMessage})
}

// Creating a user whose name is taken. The OpenAPI file documents no 409 for
// POST /v1/users, only 400/401/403/404/500, and calls the username "unique in
// an organization": a 400 BAD_REQUEST naming the username is the most likely.
const existingUserMessage = "username already exists"

func refuseExistingUser() (int, any) {
	return badRequest([]issue{{Message: existingUserMessage, Path: []string{"username"}}})
}

// DefaultDucklingConfig is what a user that never set anything reads. The
// contract says only that such a user reads a full configuration holding the
// organization's defaults, and that which values those are is not
// documented; these are the emulator's, and clients must not rely on them.
var DefaultDucklingConfig = DucklingConfig{ReadWriteSize: "standard", ReadWriteCooldown: DefaultCooldownSeconds, ReadScalingSize: "pulse", FlockSize: 1}
