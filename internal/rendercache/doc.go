// Package rendercache remembers, outside the repository, what each
// environment rendered to: for a key naming everything a render is a
// function of (the fleetgen binary, by its Go build ID; the environment's
// files, by inventory.Environment.Digest; the chart archives of its
// hydrated apps), the path, mode and SHA-256 of every file.
//
// A check or render whose environment's key is in the cache reads that
// environment's part of out/ and compares each file with the SHA-256 it
// should have, instead of rendering it (outdir.Prefetcher.Verify). Any
// difference, and any damaged entry, means a render, as without a cache:
// the cache can make a run faster, never change what it finds, provided
// nobody but fleetgen writes it. It lives in the user's cache folder
// (EnvVar), never in the repository, so no change under review can
// forge it; CI starts with none.
//
// Entries are text, checksummed, written by rename; unused ones are
// removed after five days (Trim).
package rendercache
