package client

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// maxListPages: a server handing out fresh cursors must not keep us forever.
const maxListPages = 1000

const maxListReads = 4

// fetchPage reads the page that cursor names ("" for the first and from the
// last); reason says why an answer could not be used, never quoting it.
type fetchPage[T any] func(ctx context.Context, cursor string) (items []T, next, reason string, err error)

type list struct{ op, path, items string }

// readStable is the one pager: every page, each item once (by id), all or
// nothing, since a caller takes an item missing from it for gone. Items that
// come or go between pages, or pages ordered anew (no order is promised),
// skip or repeat items, so a paged list is read until two reads agree and
// repeat nothing, or, when pages always overlap alike, maxListReads agree.
func readStable[T any](ctx context.Context, l list, fetch fetchPage[T], id func(*T) string) ([]T, error) {
	items, pages, repeats, err := readPages(ctx, l, fetch, id)
	if err != nil || (pages == 1 && repeats == "") {
		return items, err
	}
	alike := 1 // reads in a row with the same items and the same repeats
	for read := 2; read <= maxListReads; read++ {
		again, _, repeatsAgain, err := readPages(ctx, l, fetch, id)
		if err != nil {
			return nil, err
		}
		alike++
		if !sameIDs(items, again, id) || repeatsAgain != repeats {
			alike = 1
		}
		if (alike >= 2 && repeats == "") || alike == maxListReads {
			return again, nil
		}
		items, repeats = again, repeatsAgain
	}
	return nil, &ListUnsettledError{Operation: l.op, Method: http.MethodGet, Path: l.path, Reads: maxListReads, Items: l.items}
}

// readPages reads the list once; repeats are the ids that came back more
// than once, sorted and joined.
func readPages[T any](ctx context.Context, l list, fetch fetchPage[T], id func(*T) string) (out []T, pages int, repeats string, err error) {
	seenIDs := map[string]bool{}
	seenCursors := map[string]bool{}
	var repeated []string
	cursor := ""
	for page := 1; ; page++ {
		bad := func(reason string) error {
			if page > 1 {
				reason = fmt.Sprintf("page %d: %s", page, reason)
			}
			return &InvalidResponseError{Operation: l.op, Method: http.MethodGet, Path: l.path, StatusCode: http.StatusOK, Reason: reason}
		}
		items, next, reason, err := fetch(ctx, cursor)
		switch {
		case err != nil && page > 1 && IsNotFound(err):
			// The owner was there a page ago: a NOT_FOUND now says
			// nothing reliable about it, and must not read as "gone".
			return nil, page, "", bad("answered " + err.Error())
		case err != nil:
			return nil, page, "", err
		case reason != "":
			return nil, page, "", bad(reason)
		}
		for i := range items {
			k := id(&items[i])
			if seenIDs[k] {
				repeated = append(repeated, k)
				continue
			}
			seenIDs[k] = true
			out = append(out, items[i])
		}
		if next == "" {
			slices.Sort(repeated)
			return out, page, strings.Join(slices.Compact(repeated), ","), nil
		}
		if seenCursors[next] {
			return nil, page, "", bad("the next-page cursor repeats an earlier one, so the list cannot be read to its end")
		}
		if page >= maxListPages {
			return nil, page, "", bad(fmt.Sprintf("more than %d pages", maxListPages))
		}
		seenCursors[next] = true
		cursor = next
	}
}

// sameIDs assumes each id at most once in a and in b.
func sameIDs[T any](a, b []T, id func(*T) string) bool {
	if len(a) != len(b) {
		return false
	}
	in := make(map[string]bool, len(a))
	for i := range a {
		in[id(&a[i])] = true
	}
	for i := range b {
		if !in[id(&b[i])] {
			return false
		}
	}
	return true
}
