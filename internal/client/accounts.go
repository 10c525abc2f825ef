package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// UserExists asks through the user's token list (a JSON NOT_FOUND for a
// user that does not exist), so that it shares ListTokens' cache: checking
// an account and reading its tokens in one run costs one list call.
func (c *Client) UserExists(ctx context.Context, username string) (bool, error) {
	return existsFrom(c.ListTokens(ctx, username))
}

// UserExistsUncached is UserExists without the cache.
func (c *Client) UserExistsUncached(ctx context.Context, username string) (bool, error) {
	if err := validUsername(OpListTokens, username); err != nil {
		return false, err
	}
	return existsFrom(c.getTokens(ctx, username))
}

func existsFrom(_ []Token, err error) (bool, error) {
	switch {
	case err == nil:
		return true, nil
	case IsNotFound(err):
		return false, nil
	default:
		return false, err
	}
}

// UserExistsError is a create refused because the user already exists
// (found before the request, or created by someone else meanwhile).
type UserExistsError struct {
	Username string
	Cause    error // the API's refusal, when the create was sent
}

func (e *UserExistsError) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s %q: the user already exists (%v)", OpCreateServiceAccount, e.Username, e.Cause)
	}
	return fmt.Sprintf("%s %q: the user already exists", OpCreateServiceAccount, e.Username)
}

func (e *UserExistsError) Unwrap() error { return e.Cause }

// AmbiguousCreateError is a create whose outcome is unknown: the account
// may exist, or still come to, and asking afterwards did not tell.
type AmbiguousCreateError struct {
	Username string
	Cause    error
	CheckErr error  // nil when the check answered that the account does not exist yet
	Intent   Intent // for the caller to keep until the account exists or Closes passes
}

func (e *AmbiguousCreateError) Error() string {
	if e.CheckErr != nil {
		return fmt.Sprintf("%s %q: the outcome is unknown (%v), and checking whether the account exists failed (%v)",
			OpCreateServiceAccount, e.Username, e.Cause, e.CheckErr)
	}
	return fmt.Sprintf("%s %q: the outcome is unknown (%v): the account does not exist yet, but the API may still "+
		"create it until %s", OpCreateServiceAccount, e.Username, e.Cause, e.Intent.Closes().UTC().Format(time.RFC3339))
}

func (e *AmbiguousCreateError) Unwrap() error { return e.Cause }

// CreateNewServiceAccount creates a service account that must not exist
// yet (else *UserExistsError). After a create of unknown outcome, a user
// found is ours (recovered is the failure); one missing gives
// *AmbiguousCreateError unless the API itself answered. A refusal while the
// user exists by then lost a race: *UserExistsError.
func (c *Client) CreateNewServiceAccount(ctx context.Context, username string) (recovered, err error) {
	exists, err := c.UserExistsUncached(ctx, username)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, &UserExistsError{Username: username}
	}
	in := Intent{Username: username, From: c.Now()}
	createErr := c.CreateServiceAccount(ctx, username)
	in.To = c.Now()
	if createErr == nil {
		return nil, nil
	}
	var apiErr *APIError
	if errors.As(createErr, &apiErr) && apiErr.StatusCode < http.StatusInternalServerError {
		if apiErr.StatusCode != http.StatusTooManyRequests {
			// A refusal created nothing: tell a lost race from other refusals.
			if exists, cerr := c.UserExistsUncached(ctx, username); cerr == nil && exists {
				return nil, &UserExistsError{Username: username, Cause: createErr}
			}
		}
		return nil, createErr
	}
	// A 5xx or a transport failure may have been carried out. An error the
	// API itself wrote means it was done with the request.
	in.Answered = errors.As(createErr, &apiErr) && apiErr.Code != "" && apiErr.StatusCode == http.StatusInternalServerError
	exists, checkErr := c.existsAfterAmbiguousCreate(ctx, username)
	switch {
	case checkErr != nil:
		return nil, &AmbiguousCreateError{Username: username, Cause: createErr, CheckErr: checkErr, Intent: in}
	case exists:
		c.log.Warn(ctx, "service account create failed ambiguously, and the account exists: it was created", map[string]any{
			"operation": OpCreateServiceAccount, "username": username, "reason": createErr.Error(),
		})
		return createErr, nil
	case in.Answered:
		return nil, createErr
	default:
		return nil, &AmbiguousCreateError{Username: username, Cause: createErr, Intent: in}
	}
}

// existsAfterAmbiguousCreate runs detached from ctx's cancellation: a create
// canceled mid-flight must still learn its outcome.
func (c *Client) existsAfterAmbiguousCreate(ctx context.Context, username string) (exists bool, err error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.recovery)
	defer cancel()
	err = c.persist(rctx, func() error {
		var cerr error
		exists, cerr = c.UserExistsUncached(rctx, username)
		return cerr
	})
	return exists, err
}
