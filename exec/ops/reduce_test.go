package ops

import (
	"reflect"
	"testing"
)

func TestReducePatterns(t *testing.T) {
	cities := []string{"San Bernard", "San Jose", "San Diego", "Saint Lucy", "Saint Paul", "Moscow", "Moscow", "Paris", "One -on- One", "Two -on- Two", "x"}
	got := ReducePatterns(cities, 0.1, "")
	want := []string{"San *", "San *", "San *", "Saint *", "Saint *", "Moscow", "Moscow", "others", "* -on- *", "* -on- *", "others"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("default separators:\n got %q\nwant %q", got, want)
	}
	// explicit separators are dropped from the pattern; numbers are wildcards
	got = ReducePatterns([]string{"fooZ1", "fooZ22", "fooZ3"}, 0.1, "Z")
	if want := []string{"foo*", "foo*", "foo*"}; !reflect.DeepEqual(got, want) {
		t.Errorf("explicit separators: got %q, want %q", got, want)
	}
	// all-unique single terms: nothing to keep
	got = ReducePatterns([]string{"a1x", "b2y", "c3z"}, 0.5, "")
	if want := []string{"others", "others", "others"}; !reflect.DeepEqual(got, want) {
		t.Errorf("unique terms: got %q, want %q", got, want)
	}
}
