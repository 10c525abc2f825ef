package emulator

import (
	"cmp"
	"hash/fnv"
	"slices"
)

// answerOrder returns the tokens of a list answer, given in creation order, in
// the order the list call answers them. The contract does not guarantee any
// order, so the emulator makes sure no client can come to depend on one: the
// answer is sorted by a hash of each token's random id, and whenever that
// happens to be the creation order it is rotated, so that a list of two tokens
// or more is never in creation order. For a given set of tokens the order is
// the same on every call, which keeps pages (see pageOf) consistent.
func answerOrder(created []*Token) []*Token {
	out := slices.Clone(created)
	slices.SortStableFunc(out, func(a, b *Token) int { return cmp.Compare(idHash(a.ID), idHash(b.ID)) })
	if len(out) > 1 && slices.Equal(out, created) {
		out = slices.Concat(out[1:], out[:1])
	}
	return out
}

func idHash(id string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	return h.Sum64()
}
