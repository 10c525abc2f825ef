package bench

import (
	"strings"
	"unicode/utf8"
)

// Table is a Markdown table. Columns whose header starts with ">" are right
// aligned (the ">" is not printed).
type Table struct {
	Header []string
	Rows   [][]string
}

// AddRow appends a row.
func (t *Table) AddRow(cells ...string) { t.Rows = append(t.Rows, cells) }

// Markdown renders the table with padded columns, so it reads well both as
// plain text and rendered.
func (t *Table) Markdown() string {
	n := len(t.Header)
	for _, r := range t.Rows {
		n = max(n, len(r))
	}
	head := make([]string, n)
	right := make([]bool, n)
	for i, h := range t.Header {
		if strings.HasPrefix(h, ">") {
			right[i] = true
			h = h[1:]
		}
		head[i] = h
	}
	width := make([]int, n)
	for i := range n {
		width[i] = max(3, utf8.RuneCountInString(head[i]))
	}
	for _, r := range t.Rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i := range n {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if right[i] {
				b.WriteString(" " + pad + c + " |")
			} else {
				b.WriteString(" " + c + pad + " |")
			}
		}
		b.WriteString("\n")
	}
	line(head)
	b.WriteString("|")
	for i := range n {
		if right[i] {
			b.WriteString(" " + strings.Repeat("-", width[i]-1) + ": |")
		} else {
			b.WriteString(" " + strings.Repeat("-", width[i]) + " |")
		}
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		line(r)
	}
	return b.String()
}
