package client

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
)

const OpActiveAccounts = "list active accounts"

// ActiveAccount has at least one Duckling running (active or cooling down).
type ActiveAccount struct {
	Username  string
	Ducklings []Duckling
}

// Duckling: ID is "rw" or "rs.N", Type "read_write" or "read_scaling",
// Status "active" or "cooldown". The contract only describes these values,
// so others are passed on as they come.
type Duckling struct {
	ID, Type, Status string
}

// ListActiveAccounts reads one page, no cursor. It sorts accounts and
// Ducklings, so that the same running Ducklings always read the same.
func (c *Client) ListActiveAccounts(ctx context.Context) ([]ActiveAccount, error) {
	cl := &call{op: OpActiveAccounts, method: http.MethodGet, path: "/v1/active_accounts"}
	body, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	accounts, reason := decodeActiveAccounts(body)
	if reason != "" {
		return nil, &InvalidResponseError{Operation: cl.op, Method: cl.method, Path: cl.path, StatusCode: http.StatusOK, Reason: reason}
	}
	slices.SortFunc(accounts, func(a, b ActiveAccount) int { return cmp.Compare(a.Username, b.Username) })
	for _, a := range accounts {
		slices.SortFunc(a.Ducklings, func(x, y Duckling) int {
			return cmp.Or(cmp.Compare(x.ID, y.ID), cmp.Compare(x.Type, y.Type), cmp.Compare(x.Status, y.Status))
		})
	}
	return accounts, nil
}

func decodeActiveAccounts(body []byte) ([]ActiveAccount, string) {
	var v struct {
		Accounts *[]struct {
			Username  *string `json:"username"`
			Ducklings []struct {
				ID     *string `json:"id"`
				Type   *string `json:"type"`
				Status *string `json:"status"`
			} `json:"ducklings"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, "body is not the expected JSON object"
	}
	if v.Accounts == nil {
		return nil, `missing field "accounts"`
	}
	out := make([]ActiveAccount, 0, len(*v.Accounts))
	for i, a := range *v.Accounts {
		if a.Username == nil || *a.Username == "" {
			return nil, fmt.Sprintf(`account %d: missing field "username"`, i)
		}
		acc := ActiveAccount{Username: *a.Username, Ducklings: make([]Duckling, 0, len(a.Ducklings))}
		for j, d := range a.Ducklings {
			if d.ID == nil || d.Type == nil || d.Status == nil {
				return nil, fmt.Sprintf(`account %d, duckling %d: missing field "id", "type" or "status"`, i, j)
			}
			acc.Ducklings = append(acc.Ducklings, Duckling{ID: *d.ID, Type: *d.Type, Status: *d.Status})
		}
		out = append(out, acc)
	}
	return out, ""
}
