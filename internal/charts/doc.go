// Package charts owns the local Helm chart cache of hydrated environments:
// the packaged charts under charts/ (by default) and the lock file that
// records, for each (repository, chart, version), the sha256 digest of its
// archive. Pull fills the cache with Helm's own downloader, verifying each
// archive against its repository's index and the lock; Load reads an
// archive back for rendering and verifies it against the lock, without ever
// touching the network.
//
// It knows nothing of rendering: the command layer loads the charts an
// inventory needs and hands the verified archives to render.
package charts
