// Package gitout reads the rendered tree (out/) of a commit through the
// git program: which files it holds, their blob ids, their content, and
// which differ between two commits. It runs git with no network and no
// credentials, and leaves what the files mean to its callers
// (affected, explain).
package gitout
