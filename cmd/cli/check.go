package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/internal/action"
	"github.com/mattermost/fleetgen/render/outdir"
)

type checkOptions struct {
	*globalOptions
	format, against, changedSince string
}

func newCheckCommand(g *globalOptions) *cobra.Command {
	o := &checkOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Fail when out/ differs from what the inventory renders",
		Long: `check renders the inventory in memory and compares it with out/: modified,
missing and orphaned files, shown as a unified diff. It writes nothing.
Exit codes: 0 clean, 1 error, 2 drift.

--format github prints workflow annotations on stdout and appends a
Markdown summary to $GITHUB_STEP_SUMMARY (or prints it when that is unset).
The summary starts with what the change means (as fleetgen explain says
it): of the drift itself, or, with --against REF, of the inventory
compared with out/ at REF (a pull request's base), shown even when there
is no drift. Drift is always computed against out/ in the working tree.

--changed-since REF checks only the environments whose inventory folder,
folder of out/ or manifest entries differ from REF, a commit whose out/
was checked in full (CI checks every commit of the main branch so): the
others render as they did at REF. A change anywhere else (fleetgen's
code, the chart cache) checks every environment. The whole inventory
still loads and validates.
With --against, out/ at REF is listed first and the bytes of the rendered
files REF does not hold are kept for the explanation; it uses no cache.

A render cache outside the repository ($FLEETGEN_CACHE; default fleetgen/
in the user's cache folder; "off" turns it off) remembers the SHA-256 of
every file each environment rendered: an environment whose inventory files
and fleetgen binary are unchanged, and whose part of out/ still holds
exactly those files (every byte read), is not rendered again. Any
difference means a full render.`,
		Example: `  fleetgen check
  fleetgen check --format json
  fleetgen check --format github
  fleetgen check --format github --against "$BASE_SHA"
  fleetgen check --format github --against "$BASE_SHA" --changed-since "$BASE_SHA"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	cmd.Flags().StringVar(&o.format, "format", "text", "output format: text, json or github")
	cmd.Flags().StringVar(&o.against, "against", "", "with --format github: explain the inventory against out/ at this git commit")
	completeWords(cmd, "format", checkFormats...)
	cmd.Flags().StringVar(&o.changedSince, "changed-since", "", "check only the environments changed since this git commit, whose out/ was checked")
	completeGitRefs(cmd, "against")
	completeGitRefs(cmd, "changed-since")
	return cmd
}

func (o *checkOptions) run(cmd *cobra.Command) error {
	if err := checkFormat(o.format, checkFormats...); err != nil {
		return err
	}
	if o.against != "" && o.format != "github" {
		return fmt.Errorf("--against explains the change in the GitHub summary: use it with --format github")
	}
	config := o.config(cmd)
	explainer := &action.Explain{Config: config, Against: o.against}
	check := &action.Check{Config: config}
	if o.changedSince != "" && len(o.envs) > 0 {
		return fmt.Errorf("--changed-since chooses the environments to check itself: use it without --env")
	}
	check.ChangedSince = o.changedSince
	if o.against != "" {
		// out/ at the commit is read first, so the check keeps only the
		// bytes of the files the explanation needs: those it changes.
		base, err := explainer.OpenBase(cmd.Context())
		if err != nil {
			return err
		}
		explainer.Base, check.Keep = base, base.Changed
	}
	res, err := check.Run()
	if err != nil {
		return failed(err)
	}
	note := ""
	if scope := check.Scope; o.changedSince != "" && scope != nil {
		note = scopeNote(*scope, o.changedSince)
		if !scope.All {
			// The explanation covers the environments checked; the
			// others are as they were at the commit.
			scoped := *config
			scoped.Envs = scope.Envs
			explainer.Config = &scoped
		}
	}
	drift := res.Drift
	section := ""
	nothingChanged := check.Scope != nil && !check.Scope.All && len(check.Scope.Envs) == 0
	if o.format == "github" && (o.against != "" || !drift.Clean()) && !nothingChanged { // a clean check has no drift to explain
		rep, err := explainer.Of(cmd.Context(), res.Files, drift)
		if err != nil {
			return err
		}
		section = rep.Markdown()
	}
	if note != "" {
		if o.format == "github" {
			section = note + "\n\n" + section
		} else {
			fmt.Fprintln(cmd.ErrOrStderr(), "fleetgen: "+note)
		}
	}
	if err := o.print(cmd.OutOrStdout(), drift, section); err != nil {
		return err
	}
	if !drift.Clean() {
		if o.format == "text" {
			fmt.Fprintln(cmd.ErrOrStderr(), driftHint(drift, o.outDir))
		}
		return exitCode(exitDrift)
	}
	return nil
}

// scopeNote says which environments a check since ref covered.
func scopeNote(s action.Scope, ref string) string {
	at := ref
	if !strings.HasPrefix(s.Commit, ref) {
		at = fmt.Sprintf("%s (%.12s)", ref, s.Commit)
	}
	switch {
	case s.All:
		return "checked every environment: files outside the inventory and out/ changed since " + at
	case len(s.Envs) == 0:
		return "no environment changed since " + at + ": nothing to check"
	default:
		return fmt.Sprintf("checked the environments changed since %s: %s; the others are as they were there", at, strings.Join(s.Envs, ", "))
	}
}

// driftHint says, after the drift report, what to do about it.
func driftHint(drift *outdir.Drift, out string) string {
	out = strings.TrimSuffix(filepath.ToSlash(out), "/") + "/"
	hint := fmt.Sprintf("fleetgen: %s differs from what the inventory renders: run fleetgen render, then commit %s", out, out)
	for _, fd := range drift.Files() {
		if slices.ContainsFunc(fd.Notes, func(n string) bool { return strings.Contains(n, "edited by hand") }) {
			return hint + "; render keeps a file edited by hand: move the change into the inventory, or discard it with render --force"
		}
	}
	return hint
}

func (o *checkOptions) print(stdout io.Writer, drift *outdir.Drift, section string) error {
	switch o.format {
	case "json":
		return drift.WriteJSON(stdout)
	case "github":
		path := os.Getenv("GITHUB_STEP_SUMMARY")
		if path == "" {
			return drift.WriteGitHub(stdout, stdout, section)
		}
		summary, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		err = drift.WriteGitHub(stdout, summary, section)
		if cerr := summary.Close(); err == nil {
			err = cerr
		}
		return err
	default:
		return drift.WriteText(stdout)
	}
}
