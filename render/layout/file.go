package layout

import (
	"crypto/sha256"
	"io/fs"
)

// A File is one rendered output, relative to out/.
type File struct {
	Path string      // slash-separated, relative to out/, e.g. "prod/ha/acme/mm1/apply.sh"
	Mode fs.FileMode // ModeFile, or ModeScript for scripts
	Data []byte
	// Sum, set only when Data is nil, is the SHA-256 of the content the
	// file had: a check or a render that found exactly that content in
	// out/ already lets the bytes go early and keeps what the manifest
	// needs (outdir.Prefetcher.Add).
	Sum *[32]byte
}

// Content is the file's bytes, or false when they were let go for Sum.
func (f File) Content() ([]byte, bool) { return f.Data, f.Sum == nil }

// SHA256 is the SHA-256 of the file's content: Sum, or that of its bytes.
func (f File) SHA256() [32]byte {
	if f.Sum != nil {
		return *f.Sum
	}
	return sha256.Sum256(f.Data)
}

// Modes of rendered files.
const (
	ModeFile   fs.FileMode = 0o644
	ModeScript fs.FileMode = 0o755
)
