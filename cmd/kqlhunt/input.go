package main

import (
	"fmt"
	"io"
	"os"
)

// QueryInput is the shared way commands take a query: an argument, -f FILE, or -f - for stdin.
type QueryInput struct {
	File  string `short:"f" name:"file" help:"Read the query from FILE ('-' for standard input)." placeholder:"FILE"`
	Query string `arg:"" optional:"" help:"The query text."`
}

// load returns the source name and text of the query.
func (q *QueryInput) load(e *env) (name, text string, err error) {
	switch {
	case q.File != "" && q.Query != "":
		return "", "", &exitError{exitQuery, "kqlhunt: give the query as an argument or with -f, not both"}
	case q.File == "-":
		b, err := io.ReadAll(e.stdin)
		if err != nil {
			return "", "", &exitError{exitQuery, fmt.Sprintf("kqlhunt: reading standard input: %v", err)}
		}
		return "<stdin>", string(b), nil
	case q.File != "":
		b, err := os.ReadFile(q.File)
		if err != nil {
			return "", "", &exitError{exitQuery, fmt.Sprintf("kqlhunt: %v", err)}
		}
		return q.File, string(b), nil
	case q.Query != "":
		return "query", q.Query, nil
	}
	return "", "", &exitError{exitQuery, "kqlhunt: no query: give it as an argument, or with -f FILE / -f -"}
}
