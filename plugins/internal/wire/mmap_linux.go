package wire

import "golang.org/x/sys/unix"

// mapPopulate pre-faults the mapping: one call instead of a fault per page.
const mapPopulate = unix.MAP_POPULATE
