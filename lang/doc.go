// Package lang holds what every phase of the KQL front end shares: the query
// source text with its line index, byte-offset spans, and diagnostics rendered
// as `FILE:LINE:COL: message` with the offending line and a caret.
package lang
