package kernels

import (
	"fmt"
	"regexp"
	"sync"
)

// Regular expressions are Go regexp (RE2) patterns. Compiled patterns are
// cached process-wide, so a constant pattern compiles once per query (and
// across queries), not once per batch.

var (
	sxReMu    sync.Mutex
	sxReCache = map[string]*regexp.Regexp{}
)

const sxReCacheMax = 4096

// sxRegex compiles (or returns the cached) pattern p.
func sxRegex(p string) (*regexp.Regexp, error) {
	sxReMu.Lock()
	re, ok := sxReCache[p]
	sxReMu.Unlock()
	if ok {
		return re, nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %v", p, err)
	}
	sxReMu.Lock()
	if len(sxReCache) >= sxReCacheMax {
		sxReCache = map[string]*regexp.Regexp{}
	}
	sxReCache[p] = re
	sxReMu.Unlock()
	return re, nil
}
