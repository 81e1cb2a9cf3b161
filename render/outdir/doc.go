// Package outdir owns writing out/ and comparing it with a render: it is
// the only code that changes the output tree. Write makes out/ hold exactly
// the rendered files, each replaced atomically, and prunes the files it
// wrote before that are no longer rendered; Check plans the same changes
// without making them and reports them as drift, as text, JSON or GitHub
// annotations and a step summary.
//
// Around the files it owns fleetgen's bookkeeping at the top of out/: the
// ownership manifest, which tells the files fleetgen wrote (and may
// overwrite or delete) from everyone else's, which it never touches; the
// journal, which lets the next run finish a render killed part way; and the
// lock, which keeps two renders, or a render and a check, from
// interleaving. Every operation goes through one os.Root on out/ (the
// read-only scan, on Linux, through descriptors opened from it one name at
// a time: scan_linux.go) and refuses symbolic links, so nothing it does can
// land outside out/ or on another file of it. The failpoint (FailpointEnv) lets tests kill or
// freeze a real process after an exact change.
//
// It takes rendered files as layout.File and knows nothing of what they
// hold: it must not import the inventory or any renderer family
// (Prometheus, Helm, Argo CD, Terraform, HA, …) nor render itself. Of
// fleetgen it imports only render/layout, for File and the names of
// out/'s own files, and render/internal/parallel, to hash on every core.
package outdir
