package m365

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// eachCSVObject calls fn with every row of a CSV file as an object (header
// name → cell text; empty cells are left out). A "#TYPE" first line is
// skipped. A row with a quoting error is reported (bad, o nil); a row with
// more cells than the header is loaded without them and reported (bad and
// o). n is the row's first line.
func eachCSVObject(f *source.File, fn func(n int, o *obj, bad *catalog.Problem) error) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 1<<20)
	offset := 0
	if b, _ := br.Peek(5); bytes.Equal(b, []byte("#TYPE")) {
		if _, err := br.ReadString('\n'); err != nil && err != io.EOF {
			return &source.Error{File: f.Path, Reason: err.Error()}
		}
		offset = 1
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return &source.Error{File: f.Path, Line: 1 + offset, Reason: "no CSV header: " + errString(err)}
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return &source.Error{File: f.Path, Line: line + offset, Reason: err.Error()}
			}
			if ferr := fn(pe.StartLine+offset, nil, &catalog.Problem{File: f.Path, Line: pe.StartLine + offset, Reason: "row skipped: " + pe.Err.Error()}); ferr != nil {
				return ferr
			}
			continue
		}
		if len(cells) == 1 && strings.TrimSpace(cells[0]) == "" {
			continue
		}
		var extra *catalog.Problem
		if len(cells) > len(header) {
			extra = &catalog.Problem{File: f.Path, Line: line + offset, Reason: fmt.Sprintf("row has %d cells, header has %d: extra cells dropped", len(cells), len(header))}
			cells = cells[:len(header)]
		}
		b := types.NewBag(len(cells))
		for i, c := range cells {
			if c != "" {
				b.Set(header[i], c)
			}
		}
		if ferr := fn(line+offset, newObj(b), extra); ferr != nil {
			return ferr
		}
	}
}
