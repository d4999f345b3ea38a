package ast

// Format prints q in canonical form. PLACEHOLDER: being written.
func Format(q *Query) string { return "" }
