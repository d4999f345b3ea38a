package syntax

import (
	"errors"
	"regexp"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Kusto's query editors (the Azure Data Explorer web UI, Log Analytics,
// Kusto.Explorer, Defender's advanced hunting) split a text into query blocks
// at blank lines, and published hunting queries rely on that: several
// queries in one text, separated by an empty line and no ';'. Parse accepts
// such texts as several statements: when parsing fails at the first token
// after a blank line, and the statement before it is complete (so ending it
// there lets parsing go on), the blank line ends the statement.

// maxBlocks bounds how many blank-line boundaries one text may get.
const maxBlocks = 64

var blankLine = regexp.MustCompile(`\n[ \t\r]*\n`)

// parseBlocks parses all, inserting statement boundaries at blank lines
// where parsing would otherwise fail there.
func parseBlocks(src string, all []lexer.Token) (*cstQuery, error) {
	cst, err := queryParser.ParseFromLexer(peeking(all))
	for tries := 0; err != nil && tries < maxBlocks; tries++ {
		var perr participle.Error
		if !errors.As(err, &perr) {
			break
		}
		i := blockBoundary(src, all, perr.Position().Offset)
		if i < 0 {
			break
		}
		next := make([]lexer.Token, 0, len(all)+1)
		next = append(next, all[:i]...)
		next = append(next, lexer.Token{Type: tokPunct, Value: ";", Pos: all[i].Pos})
		next = append(next, all[i:]...)
		retry, rerr := queryParser.ParseFromLexer(peeking(next))
		if rerr != nil {
			var p2 participle.Error
			// Keep the boundary only if parsing got further with it.
			if !errors.As(rerr, &p2) || p2.Position().Offset <= perr.Position().Offset {
				break
			}
		}
		all, cst, err = next, retry, rerr
	}
	return cst, err
}

// blockBoundary returns the index in all of the significant token at or
// after off when a blank line separates it from the previous significant
// token (which is not already a ';'), else -1.
func blockBoundary(src string, all []lexer.Token, off int) int {
	j := -1
	for i := range all {
		t := &all[i]
		if t.Type == tokWhitespace || t.Type == tokComment {
			continue
		}
		if t.Pos.Offset >= off {
			j = i
			break
		}
	}
	if j <= 0 || all[j].EOF() {
		return -1
	}
	p := j - 1
	for p >= 0 && (all[p].Type == tokWhitespace || all[p].Type == tokComment) {
		p--
	}
	if p < 0 || all[p].Value == ";" {
		return -1
	}
	// The first whitespace or comment token after the previous statement's
	// end starts the gap; a blank line must lie before the next token.
	gapStart := tokEnd(&all[p])
	if gapStart > all[j].Pos.Offset || !blankLine.MatchString(src[gapStart:all[j].Pos.Offset]) {
		return -1
	}
	// Insert before the comments that lead the next block, after the blank line.
	k := j
	for k-1 > p && all[k-1].Type == tokComment {
		k--
	}
	return k
}
