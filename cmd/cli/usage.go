package cli

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mattermost/fleetgen/internal/suggest"
)

// A usageError is a mistake in how a command was called: an unknown
// command, argument or flag, or a missing one. It is printed with the
// command's usage and exits 1.
type usageError struct {
	cmd *cobra.Command
	err error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// strictUsage makes every command refuse, with its usage, what it does
// not take. A command that only groups others (add, completion, ...)
// would otherwise print its help and exit 0 on "fleetgen add foo".
func strictUsage(root *cobra.Command) {
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &usageError{c, flagSuggestion(c, err)} })
	// The root's unknown command gets the one-line suggestion of the
	// others (printError), not cobra's "Did you mean this?" block.
	root.DisableSuggestions = true
	root.SuggestionsMinimumDistance = 2 // cobra's default
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		switch {
		case c != root && c.HasSubCommands() && c.Run == nil && c.RunE == nil:
			c.Use = c.Name() + " <command>"
			c.Args = cobra.ArbitraryArgs
			c.SuggestionsMinimumDistance = 2 // cobra's default, which only its root applies
			c.RunE = func(c *cobra.Command, args []string) error {
				if len(args) == 0 {
					return &usageError{c, fmt.Errorf("%s needs a command: %s", c.CommandPath(), strings.Join(commandNames(c), ", "))}
				}
				msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
				if s := c.SuggestionsFor(args[0]); len(s) > 0 {
					msg += fmt.Sprintf("; did you mean %q?", s[0])
				}
				return &usageError{c, errors.New(msg)}
			}
		case c.Args != nil:
			validate := c.Args
			c.Args = func(c *cobra.Command, args []string) error {
				if err := validate(c, args); err != nil {
					return &usageError{c, err}
				}
				return nil
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func commandNames(c *cobra.Command) []string {
	var names []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	return names
}

// printError says what went wrong; a usage mistake is followed by the
// usage of the command it concerns.
func printError(w io.Writer, root *cobra.Command, err error) {
	fmt.Fprintln(w, errorLine(root, err))
	var u *usageError
	switch {
	case errors.As(err, &u):
		fmt.Fprintf(w, "\n%s", u.cmd.UsageString())
	case strings.HasPrefix(err.Error(), "unknown command "): // cobra's, for the root's arguments
		fmt.Fprintf(w, "\n%s", root.UsageString())
	}
}

// rootUnknownCommand reads the command of cobra's `unknown command "x" for
// "fleetgen"`, the root's; the other commands' come from strictUsage.
var rootUnknownCommand = regexp.MustCompile(`^unknown command "(.*)" for "fleetgen"$`)

// errorLine is the line printError starts with: for the root's unknown
// command, with the command probably meant.
func errorLine(root *cobra.Command, err error) string {
	msg := err.Error()
	if m := rootUnknownCommand.FindStringSubmatch(msg); m != nil {
		if s := root.SuggestionsFor(m[1]); len(s) > 0 {
			msg += fmt.Sprintf("; did you mean %q?", s[0])
		}
	}
	return "fleetgen: " + msg
}

// unknownFlag reads pflag's `unknown flag: --x`.
var unknownFlag = regexp.MustCompile(`^unknown flag: --([^=]+)$`)

// flagSuggestion adds to pflag's unknown long flag the flag of c probably
// meant.
func flagSuggestion(c *cobra.Command, err error) error {
	m := unknownFlag.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	var names []string
	c.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	if s := suggest.Closest(m[1], names); s != "" {
		return fmt.Errorf("%w; did you mean --%s?", err, s)
	}
	return err
}
