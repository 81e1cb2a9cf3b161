package cli

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/internal/suggest"
	"github.com/mattermost/fleetgen/inventory"
)

// setUpCompletion adds cobra's completion command (bash, zsh, fish,
// powershell) with examples, and completes the values fleetgen knows:
// environment names from the inventory folder, and each --format's words.
func setUpCompletion(root *cobra.Command, g *globalOptions) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Example = `  source <(fleetgen completion bash)
  fleetgen completion zsh > "${fpath[1]}/_fleetgen"
  fleetgen completion fish > ~/.config/fish/completions/fleetgen.fish`
		for _, shell := range c.Commands() {
			shell.Example = completionExamples[shell.Name()]
		}
	}
	_ = root.RegisterFlagCompletionFunc("env", g.completeEnvs)
}

// completionExamples show how to load each shell's script, for --help and
// docs/cli; cobra's Long text explains the rest.
var completionExamples = map[string]string{
	"bash":       "  source <(fleetgen completion bash)\n  fleetgen completion bash > /etc/bash_completion.d/fleetgen",
	"zsh":        "  fleetgen completion zsh > \"${fpath[1]}/_fleetgen\"",
	"fish":       "  fleetgen completion fish > ~/.config/fish/completions/fleetgen.fish",
	"powershell": "  fleetgen completion powershell | Out-String | Invoke-Expression",
}

// completeEnvs offers the environment folders of --inventory. A missing
// or unreadable inventory offers nothing rather than an error: completion
// must never print into the user's command line.
func (g *globalOptions) completeEnvs(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
	sources, _ := inventory.Sources(g.inventoryDir)
	var names []cobra.Completion
	for _, s := range sources {
		if strings.HasPrefix(s.Env, prefix) {
			names = append(names, s.Env)
		}
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// completeWords completes a flag from a fixed list, such as --format's.
func completeWords(cmd *cobra.Command, flag string, words ...string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp))
}

// checkFormat refuses a --format that is none of formats, listing them
// and naming the one probably meant. It is the command's own error, not a
// usage mistake: the usage would bury the list.
func checkFormat(format string, formats ...string) error {
	if slices.Contains(formats, format) {
		return nil
	}
	list := strings.Join(formats[:len(formats)-1], ", ") + " or " + formats[len(formats)-1]
	return fmt.Errorf("unknown --format %q: use %s%s", format, list, suggest.Clause(format, formats))
}

// completeGitRefs completes flags that name a commit with the repository's
// branches and tags (git for-each-ref). Outside a repository, or without
// git, it offers nothing.
func completeGitRefs(cmd *cobra.Command, flags ...string) {
	refs := func(c *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		out, err := exec.CommandContext(c.Context(), "git", "for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes", "refs/tags").Output()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []cobra.Completion
		for _, ref := range strings.Fields(string(out)) {
			if strings.HasPrefix(ref, prefix) {
				names = append(names, ref)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
	for _, f := range flags {
		_ = cmd.RegisterFlagCompletionFunc(f, refs)
	}
}

// The words of each --format, completed and checked.
var (
	checkFormats    = []string{"text", "json", "github"}
	explainFormats  = []string{"text", "markdown", "json"}
	affectedFormats = []string{"text", "json"}
)
