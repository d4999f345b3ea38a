package queries_test

// The pack tests read their input tables with every registered reader, as
// `kqlhunt hunt` does (cmd/kqlhunt/formats.go): an OutlookActivities.jsonl of
// API records or an EmailHeaders.mbox must go through the mail and M365
// readers, not the generic JSON/CSV ones.
import (
	_ "github.com/kqlhunt/kqlhunt/exec/source/m365"
	_ "github.com/kqlhunt/kqlhunt/exec/source/mail"
)
