package layout

import "io/fs"

// A File is one rendered output, relative to out/.
type File struct {
	Path string      // slash-separated, relative to out/, e.g. "prod/ha/acme/mm1/apply.sh"
	Mode fs.FileMode // ModeFile, or ModeScript for scripts
	Data []byte
}

// Modes of rendered files.
const (
	ModeFile   fs.FileMode = 0o644
	ModeScript fs.FileMode = 0o755
)
