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

// instancesBody is the 200 answer of GET /v1/users/{username}/instances. The
// README says only that it is the user's Duckling configuration and answers
// 200 while the user exists; this body is INVENTED (minimal and plausible)
// and clients must not read anything from it but its status.
func instancesBody() any {
	type instance struct {
		InstanceSize string `json:"instance_size"`
	}
	return struct {
		ReadWrite   instance `json:"read_write"`
		ReadScaling instance `json:"read_scaling"`
	}{ReadWrite: instance{InstanceSize: "pulse"}, ReadScaling: instance{InstanceSize: "pulse"}}
}
