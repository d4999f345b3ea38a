package types

// KindSet is a set of Kinds, used by function signatures.
type KindSet uint32

// Set returns the KindSet holding ks.
func Set(ks ...Kind) KindSet {
	var s KindSet
	for _, k := range ks {
		s |= 1 << k
	}
	return s
}

// Has reports whether k is in s. Unknown and Null are accepted by every non-empty set.
func (s KindSet) Has(k Kind) bool {
	if k == Unknown || k == Null {
		return s != 0
	}
	return s&(1<<k) != 0
}

// Common kind sets.
var (
	AnyScalar = Set(Bool, Int, Long, Real, Decimal, String, DateTime, TimeSpan, Guid, Dynamic)
	Numeric   = Set(Int, Long, Real, Decimal)
	Integral  = Set(Int, Long)
	// Summable kinds: numbers and timespans.
	Summable = Set(Int, Long, Real, Decimal, TimeSpan)
	// Ordered kinds can be compared with < and >.
	Ordered = Set(Int, Long, Real, Decimal, String, DateTime, TimeSpan, Bool, Guid)
)

// Promote returns the wider of two numeric kinds (int < long < decimal < real),
// following Kusto's arithmetic promotion. Non-numeric kinds return Unknown
// unless both are the same kind.
func Promote(a, b Kind) Kind {
	if a == b {
		return a
	}
	if a == Null || a == Unknown {
		return b
	}
	if b == Null || b == Unknown {
		return a
	}
	rank := func(k Kind) int {
		switch k {
		case Int:
			return 1
		case Long:
			return 2
		case Decimal:
			return 3
		case Real:
			return 4
		}
		return 0
	}
	ra, rb := rank(a), rank(b)
	if ra == 0 || rb == 0 {
		return Unknown
	}
	if ra > rb {
		return a
	}
	return b
}

// String renders the set as `string|long`, or a family name.
func (s KindSet) String() string {
	switch s {
	case AnyScalar:
		return "scalar"
	case Numeric:
		return "number"
	}
	var parts []string
	for k := Bool; k <= Dynamic; k++ {
		if s&(1<<k) != 0 {
			parts = append(parts, k.String())
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	out := parts[0]
	for _, p := range parts[1:] {
		out += "|" + p
	}
	return out
}
