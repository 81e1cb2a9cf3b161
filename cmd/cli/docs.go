package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// docsHeader starts every generated page, so no one edits one by hand.
const docsHeader = "<!-- Generated from fleetgen's command tree by `make docs`. Do not edit: change the command's help in cmd/cli. -->\n\n"

// newDocsCommand is the hidden command that writes docs/cli: one Markdown
// page per command, from the same cobra tree --help prints, so the two
// cannot disagree. Helm keeps its reference the same way (helm docs).
func newDocsCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:    "docs DIR",
		Short:  "Write one Markdown page per command into DIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeDocs(root, args[0])
		},
	}
}

// writeDocs replaces the Markdown pages of dir with the command tree's.
// Pages of commands that no longer exist are deleted; other files are
// refused rather than deleted, since fleetgen did not write them.
func writeDocs(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !isCommandPage(e.Name()) {
			return fmt.Errorf("%s: not a generated command page; docs writes only fleetgen*.md there", filepath.Join(dir, e.Name()))
		}
	}
	for _, e := range entries {
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	root.InitDefaultCompletionCmd()
	root.DisableAutoGenTag = true
	prepend := func(string) string { return docsHeader }
	link := func(name string) string { return name }
	return doc.GenMarkdownTreeCustom(root, dir, prepend, link)
}

// isCommandPage reports whether name is a page writeDocs makes.
func isCommandPage(name string) bool {
	return strings.HasPrefix(name, "fleetgen") && strings.HasSuffix(name, ".md")
}
