package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/internal/gitout"
	"github.com/mattermost/fleetgen/registration"
)

type serveOptions struct {
	*globalOptions
	repo, dataDir, listen, secretFile, header string
	base, branch, provisionerEnv, author      string
	quiet, maxWait, retry                     time.Duration
	maxBody                                   int64
}

func newServeCommand(g *globalOptions) *cobra.Command {
	o := &serveOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "serve --env ENV --repo URL --secret-file FILE",
		Short: "Turn the provisioner's cluster events into inventory pull requests",
		Long: `serve is the registration service: it takes the Mattermost provisioner's
cluster events (event subscriptions; webhooks are accepted too) on POST
/events, records each before answering 200, and publishes what they ask for
in batches: a cluster that becomes stable is added as a workload_cluster of
--env, a deleted one removed, exactly as fleetgen add and remove would, on a
fresh copy of --base, rendered, committed and force-pushed to --branch. The
repository's register workflow opens the pull request, checks it and merges
it when it changes only workload clusters. See docs/registration.md.

Every request must carry the shared secret (read from --secret-file) in the
--secret-header header. GET /healthz, /readyz and /metrics (Prometheus)
answer without it. SIGTERM stops taking events and finishes the
publication under way.`,
		Example: `  fleetgen serve --env prod --repo git@github.com:acme/fleet.git --secret-file /etc/fleetgen/secret/secret`,
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	f := cmd.Flags()
	f.StringVar(&o.repo, "repo", "", "the fleet repository to fetch and push (required)")
	f.StringVar(&o.dataDir, "data-dir", "/var/lib/fleetgen", "the service's folder: its event ledger and its clone (a persistent volume)")
	f.StringVar(&o.listen, "listen", ":8080", "address to serve on")
	f.StringVar(&o.secretFile, "secret-file", "", "file holding the shared secret (required)")
	f.StringVar(&o.header, "secret-header", registration.DefaultSecretHeader, "the request header that carries the shared secret")
	f.StringVar(&o.base, "base", "main", "the repository's main branch")
	f.StringVar(&o.branch, "branch", "", "the branch to push (default fleetgen/register/<env>)")
	f.StringVar(&o.provisionerEnv, "provisioner-environment", "", "the provisioner's environment name, in its events' extra data (default: --env)")
	f.StringVar(&o.author, "author", "fleetgen registration <fleetgen-registration@users.noreply.github.com>", "author of the commits")
	f.DurationVar(&o.quiet, "batch-quiet", 30*time.Second, "publish once no event changed anything for this long")
	f.DurationVar(&o.maxWait, "batch-max-wait", 5*time.Minute, "publish at the latest this long after a batch's first change")
	f.DurationVar(&o.retry, "retry", 10*time.Second, "first wait after a failed publication (doubles up to --batch-max-wait)")
	f.Int64Var(&o.maxBody, "max-body", 64<<10, "largest request body accepted, in bytes")
	_ = cmd.MarkFlagRequired("repo")
	_ = cmd.MarkFlagRequired("secret-file")
	return cmd
}

func (o *serveOptions) run(cmd *cobra.Command) error {
	if len(o.envs) != 1 {
		return errors.New("name the environment the provisioner works for with exactly one --env")
	}
	env := o.envs[0]
	secret, err := os.ReadFile(o.secretFile)
	if err != nil {
		return fmt.Errorf("--secret-file: %w", err)
	}
	if secret = []byte(strings.TrimSpace(string(secret))); len(secret) < 16 {
		return fmt.Errorf("--secret-file %s: the secret has %d characters; use at least 16", o.secretFile, len(secret))
	}
	if o.branch == "" {
		o.branch = "fleetgen/register/" + env
	}
	if o.provisionerEnv == "" {
		o.provisionerEnv = env
	}
	unlock, err := registration.LockDataDir(o.dataDir)
	if err != nil {
		return err
	}
	defer unlock()
	ledger, err := registration.OpenLedger(o.dataDir, o.provisionerEnv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), nil))
	s := &registration.Service{
		Ledger: ledger,
		Publisher: &registration.Publisher{
			Repo: o.repo, Dir: filepath.Join(o.dataDir, "checkout"), Base: o.base, Branch: o.branch, Env: env,
			InventoryDir: o.inventoryDir, OutDir: o.outDir, ChartsDir: o.chartsDir, Author: o.author,
		},
		Secret: secret, Header: o.header, MaxBody: o.maxBody,
		Quiet: o.quiet, MaxWait: o.maxWait, Retry: o.retry, Log: log,
	}
	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log.Info("serving", "address", l.Addr().String(), "env", env, "branch", o.branch)
	return s.Serve(ctx, l)
}

type verifyRegistrationOptions struct {
	*globalOptions
	base, head string
}

func newVerifyRegistrationCommand(g *globalOptions) *cobra.Command {
	o := &verifyRegistrationOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "verify-registration --env ENV --base REV",
		Short: "Pass only when a commit adds or removes workload clusters and nothing else",
		Long: `verify-registration is the gate of automatic merges: it passes when --head
(default HEAD) changes, compared with --base, only workload clusters of
--env, each exactly as fleetgen add workload-cluster <id> or fleetgen
remove workload-cluster <id> would (the edits are replayed on --base and
the files compared byte for byte), and besides them only out/<env>/.
Run fleetgen check as well: it says whether out/ is what the inventory
renders. Exit codes: 0 passes, 1 anything else.`,
		Example: `  fleetgen verify-registration --env prod --base origin/main`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(o.envs) != 1 {
				return errors.New("name the environment with exactly one --env")
			}
			ctx := context.Background()
			repo, err := gitout.Open(ctx, ".", o.outDir)
			if err != nil {
				return err
			}
			v, err := registration.Verify(ctx, repo.Top, o.base, o.head, o.envs[0], filepath.ToSlash(filepath.Clean(o.inventoryDir)), repo.OutPath)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: only workload clusters change: added %d %v, removed %d %v\n", o.envs[0], len(v.Added), v.Added, len(v.Removed), v.Removed)
			return nil
		},
	}
	cmd.Flags().StringVar(&o.base, "base", "", "the commit to compare with (required)")
	cmd.Flags().StringVar(&o.head, "head", "HEAD", "the commit to verify")
	_ = cmd.MarkFlagRequired("base")
	completeGitRefs(cmd, "base")
	completeGitRefs(cmd, "head")
	return cmd
}
