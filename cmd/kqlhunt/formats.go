package main

// Export formats beyond the generic ones in exec/source.
import (
	_ "github.com/kqlhunt/kqlhunt/exec/source/m365"
	_ "github.com/kqlhunt/kqlhunt/exec/source/mail"
)
