// Package syntax parses KQL text with participle into a private concrete
// syntax tree and lowers it to lang/ast. Parse is its only entry point.
package syntax
