//go:build unix && !linux

package wire

const mapPopulate = 0
