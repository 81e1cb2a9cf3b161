package inventory

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/mattermost/fleetgen/internal/suggest"
)

// MaxFileSize bounds one inventory file: a real one is a few kilobytes, and a
// runaway file must not stall CI.
const MaxFileSize = 4 << 20

// Files are the inventory files read by Load, by path, for printing
// diagnostics with their source lines. Credential-looking values are masked.
// Only the bytes are kept: a file's syntax tree is several times its size,
// and nothing needs it once the inventory is decoded.
type Files map[string]*hcl.File

// folder is the top level of one environment folder, all files merged.
type folder struct {
	Environments     []*Environment     `hcl:"environment,block"`
	WorkloadClusters []*WorkloadCluster `hcl:"workload_cluster,block"`
	HAClusters       []*HACluster       `hcl:"ha_cluster,block"`
}

// Load reads every environment folder under dir (or only the named ones),
// decodes, defaults and validates them. The inventory is nil when the
// diagnostics hold an error; warnings come back with a usable inventory.
// Paths in diagnostics are dir joined with the file's name, so a relative dir
// gives relative paths.
func Load(dir string, only ...string) (*Inventory, Files, hcl.Diagnostics) {
	return LoadWith(dir, LoadOptions{Only: only})
}

// LoadOptions change what LoadWith reads.
type LoadOptions struct {
	// Only limits the load to these environments; empty means all.
	Only []string
	// Overlay holds file contents that replace the files on disk, by path
	// (dir joined with the environment and file name, as in diagnostics).
	// A file of an environment folder that does not exist on disk yet is
	// read too, and so is a folder that exists only in the overlay: the
	// edit commands validate their result this way before writing it. The
	// overlay bytes go through every screen a file on disk does.
	Overlay map[string][]byte
}

// LoadWith is Load with options: it validates an edited inventory without
// writing it.
func LoadWith(dir string, opts LoadOptions) (*Inventory, Files, hcl.Diagnostics) {
	envDirs, diags := environmentDirs(dir, opts.Only, opts.Overlay)
	loaded := loadEnvironments(envDirs, opts.Overlay)
	files := Files{}
	inv := &Inventory{}
	for _, l := range loaded {
		for name, f := range l.files {
			files[name] = &hcl.File{Bytes: f.Bytes}
		}
		diags = append(diags, l.diags...)
		if l.env != nil {
			inv.Environments = append(inv.Environments, l.env)
		}
	}
	// Environments that decoded are validated even when another one (or an
	// unknown attribute) failed, so one run reports every problem. A value
	// left as Placeholder is reported once, as not filled in, and not again
	// by the rules its value breaks.
	var filled placeholders
	for _, l := range loaded {
		filled = append(filled, l.placeholders...)
	}
	diags = append(diags, filled.diagnostics()...)
	diags = append(diags, filled.filter(validate(inv))...)
	diags = setAsideUnfinished(inv, loaded, diags, opts.Only)
	if diags.HasErrors() {
		return nil, files, diags
	}
	return inv, files, diags
}

// UnfinishedSummary is the warning that names an environment left aside
// because it still holds Placeholder values.
const UnfinishedSummary = "Environment not finished"

// setAsideUnfinished takes out of inv every environment whose only errors
// are values not filled in (a "fleetgen new environment" scaffold being
// completed): they become warnings, with one more that lists what is left
// to fill in, and the other environments load, render and check as if it
// were not there. An environment with any other error still fails the
// load, and so does one the run names (--env): it cannot do what it asks.
func setAsideUnfinished(inv *Inventory, loaded []loadedEnvironment, diags hcl.Diagnostics, only []string) hcl.Diagnostics {
	for _, l := range loaded {
		if l.env == nil || len(l.placeholders) == 0 || slices.Contains(only, l.env.Name) {
			continue
		}
		inEnv := func(d *hcl.Diagnostic) bool {
			return d.Subject != nil && l.files[d.Subject.Filename] != nil
		}
		onlyPlaceholders := true
		for _, d := range diags {
			if d.Severity == hcl.DiagError && inEnv(d) && d.Summary != PlaceholderSummary {
				onlyPlaceholders = false
			}
		}
		if !onlyPlaceholders {
			continue
		}
		var names []string
		for _, d := range diags {
			if d.Severity == hcl.DiagError && inEnv(d) {
				d.Severity = hcl.DiagWarning
			}
		}
		for _, p := range l.placeholders {
			names = append(names, p.name)
		}
		others := " The other environments are rendered and checked."
		if len(loaded) == 1 {
			others = " Nothing else is rendered: it is the only environment."
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  UnfinishedSummary,
			Detail: fmt.Sprintf("The environment %q still has %d value(s) to fill in (%s): it is left aside, not rendered or checked, until they are; out/%s is left as it is.%s",
				l.env.Name, len(names), strings.Join(names, ", "), l.env.Name, others),
			Subject: l.env.NameRange.Ptr(),
		})
		inv.Environments = slices.DeleteFunc(inv.Environments, func(e *Environment) bool { return e == l.env })
		inv.Unfinished = append(inv.Unfinished, l.env.Name)
	}
	return diags
}

// loadedEnvironment is what loadEnvironment made of one folder.
type loadedEnvironment struct {
	env          *Environment
	files        Files
	diags        hcl.Diagnostics
	placeholders placeholders
}

// loadEnvironments loads the environment folders at once, as many at a
// time as Go runs threads: parsing is most of a load and the environments
// share nothing until validation. Each gets its own parser and Files, so
// the results, kept in folder order, are what a serial load gives.
func loadEnvironments(dirs []string, overlay map[string][]byte) []loadedEnvironment {
	loaded := make([]loadedEnvironment, len(dirs))
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, dir := range dirs {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			l := &loaded[i]
			l.files = Files{}
			l.env, l.placeholders, l.diags = loadEnvironment(hclparse.NewParser(), l.files, dir, overlay)
		})
	}
	wg.Wait()
	return loaded
}

// An EnvironmentDigest is an environment folder and its Digest.
type EnvironmentDigest struct {
	Dir    string
	Digest [32]byte
}

// Digests reads every file Load would read, as it would, without parsing
// them, and gives the Digest of each environment folder, in Load's order:
// what a cache of Load's work is keyed by. Its diagnostics are those of
// the reads; a caller with any falls back on Load.
func Digests(dir string, only ...string) ([]EnvironmentDigest, hcl.Diagnostics) {
	dirs, diags := environmentDirs(dir, only, nil)
	out := make([]EnvironmentDigest, 0, len(dirs))
	for _, d := range dirs {
		sources, ds := readFolder(d, nil)
		diags = append(diags, ds...)
		out = append(out, EnvironmentDigest{Dir: d, Digest: sources.digest(d)})
	}
	return out, diags
}

// A source is one inventory file as read: its path and bytes.
type source struct {
	path string
	src  []byte
}

type sources []source

// readFolder reads the inventory files of the environment folder dir and
// of the overlay, in name order. A file that cannot be read is left out,
// with its diagnostic.
func readFolder(dir string, overlay map[string][]byte) (sources, hcl.Diagnostics) {
	names, err := folderFiles(dir, overlay)
	if err != nil {
		return nil, hcl.Diagnostics{pathError(dir, "Cannot read the environment folder", err)}
	}
	var read sources
	var diags hcl.Diagnostics
	for _, n := range names {
		path := filepath.Join(dir, n)
		src, ds := readFile(path, overlay)
		diags = append(diags, ds...)
		if src != nil {
			read = append(read, source{path, src})
		}
	}
	return read, diags
}

// digest is Environment.Digest of the folder dir holding s: every field
// is length-prefixed, so no two folders share one.
func (s sources) digest(dir string) [32]byte {
	h := sha256.New()
	field := func(b []byte) {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
		h.Write(b)
	}
	field([]byte(dir))
	for _, f := range s {
		field([]byte(f.path))
		field(f.src)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// environmentDirs lists the environment folders of dir in name order.
func environmentDirs(dir string, only []string, overlay map[string][]byte) ([]string, hcl.Diagnostics) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) && len(overlay) > 0:
		// The first environment of a new repository, validated before
		// fleetgen new environment writes it.
	case errors.Is(err, fs.ErrNotExist):
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read the inventory folder",
			Detail: fmt.Sprintf("There is no inventory folder %q here. Run fleetgen from the repository's root, give --inventory, "+
				"or start one with fleetgen new environment <name>.", dir),
			Subject: &hcl.Range{Filename: dir},
		}}
	case err != nil:
		return nil, hcl.Diagnostics{pathError(dir, "Cannot read the inventory folder", err)}
	}
	var diags hcl.Diagnostics
	var names []string
	for path := range overlay {
		env := filepath.Dir(path)
		if filepath.Dir(env) == filepath.Clean(dir) && !isDir(env) && isInventoryFile(filepath.Base(path)) {
			names = append(names, filepath.Base(env))
		}
	}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		switch {
		case strings.HasPrefix(name, "."):
			continue
		case isDir(path):
			names = append(names, name)
		case strings.HasSuffix(name, ".hcl"):
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Inventory file outside an environment folder",
				Detail:   fmt.Sprintf("%q is not inside an environment folder, so no environment would read it. Move it to %s/<env>/.", path, dir),
				Subject:  &hcl.Range{Filename: path},
			})
		}
	}
	if len(only) == 0 {
		if len(names) == 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "No environments",
				Detail:   fmt.Sprintf("The inventory folder %q has no environment folders; each environment is a folder of .hcl files. Start one with fleetgen new environment <name>.", dir),
				Subject:  &hcl.Range{Filename: dir},
			})
		}
		slices.Sort(names)
		return joinAll(dir, slices.Compact(names)), diags
	}
	wanted := slices.Clone(only)
	slices.Sort(wanted)
	var picked []string
	for _, want := range slices.Compact(wanted) {
		if slices.Contains(names, want) {
			picked = append(picked, want)
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unknown environment",
			Detail:   fmt.Sprintf("There is no environment folder %q in %q.%s", want, dir, suggest.DidYouMean(want, names)),
		})
	}
	return joinAll(dir, picked), diags
}

// loadEnvironment parses and decodes one environment folder and applies
// defaults. It returns nil when the folder could not be decoded.
func loadEnvironment(parser *hclparse.Parser, files Files, dir string, overlay map[string][]byte) (*Environment, placeholders, hcl.Diagnostics) {
	env, diags := loadFolder(parser, files, dir, overlay)
	var found placeholders
	if env != nil {
		found = findPlaceholders(files)
	}
	return env, found, diags
}

// folderFiles lists the inventory files of dir in name order: those on
// disk and those of the overlay. A folder only in the overlay has no error.
func folderFiles(dir string, overlay map[string][]byte) ([]string, error) {
	var names []string
	entries, err := os.ReadDir(dir)
	if err != nil && !(errors.Is(err, fs.ErrNotExist) && len(overlay) > 0) {
		return nil, err
	}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	for path := range overlay {
		if filepath.Dir(path) == dir {
			names = append(names, filepath.Base(path))
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	return slices.DeleteFunc(names, func(n string) bool { return !isInventoryFile(n) }), nil
}

func loadFolder(parser *hclparse.Parser, files Files, dir string, overlay map[string][]byte) (*Environment, hcl.Diagnostics) {
	name := filepath.Base(dir)
	read, diags := readFolder(dir, overlay)
	var parsed []*hcl.File
	for _, r := range read {
		f, ds := parseBytes(parser, files, r.path, r.src)
		diags = append(diags, ds...)
		if f != nil {
			parsed = append(parsed, f)
		}
	}
	if len(parsed) == 0 && !diags.HasErrors() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Empty environment folder",
			Detail:   fmt.Sprintf("The environment folder %q has no .hcl files; it needs at least the environment %q block.", dir, name),
			Subject:  &hcl.Range{Filename: dir},
		})
	}
	if diags.HasErrors() {
		return nil, diags
	}

	var top folder
	decodeDiags := gohcl.DecodeBody(hcl.MergeFiles(parsed), nil, &top)
	diags = append(diags, decodeDiags...)
	if !onlyUnknownNames(decodeDiags) {
		return nil, diags
	}
	switch len(top.Environments) {
	case 0:
		if len(top.HAClusters) > 0 && len(top.WorkloadClusters) == 0 {
			// Self-hosted HA clusters alone: the folder names the environment.
			at := hcl.Range{Filename: parsed[0].Body.MissingItemRange().Filename, Start: hcl.InitialPos, End: hcl.InitialPos}
			env := &Environment{Name: name, NameRange: at, DeclRange: at, Dir: dir, Digest: read.digest(dir), HAOnly: true, HAClusters: top.HAClusters}
			applyDefaults(env)
			return env, diags
		}
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing environment block",
			Detail:   fmt.Sprintf("The folder %q needs exactly one environment %q block in one of its files (a folder of ha_cluster blocks alone is an HA-only environment).", dir, name),
			Subject:  &hcl.Range{Filename: parsed[0].Body.MissingItemRange().Filename, Start: hcl.InitialPos, End: hcl.InitialPos},
		})
	case 1:
	default:
		first := top.Environments[0]
		for _, dup := range top.Environments[1:] {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate environment block",
				Detail:   fmt.Sprintf("An environment folder holds exactly one environment block; %q was already declared at %s.", first.Name, first.DeclRange),
				Subject:  dup.DeclRange.Ptr(),
			})
		}
		return nil, diags
	}
	env := top.Environments[0]
	env.Dir = dir
	env.Digest = read.digest(dir)
	env.WorkloadClusters = top.WorkloadClusters
	env.HAClusters = top.HAClusters
	applyDefaults(env)
	return env, diags
}

// onlyUnknownNames reports whether every error of a decode is a misspelt or
// unknown name: such errors leave every known field decoded, so validating
// the rest still finds real problems instead of follow-on noise.
func onlyUnknownNames(diags hcl.Diagnostics) bool {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Summary != "Unsupported argument" && d.Summary != "Unsupported block type" {
			return false
		}
	}
	return true
}

// readFile reads one inventory file, from the overlay when it holds
// path, refusing what is no regular file or too large.
func readFile(path string, overlay map[string][]byte) ([]byte, hcl.Diagnostics) {
	if src, ok := overlay[path]; ok {
		if len(src) > MaxFileSize {
			return nil, hcl.Diagnostics{pathError(path, "Inventory file too large", fmt.Errorf("%s has %d bytes; an inventory file may have at most %d", path, len(src), MaxFileSize))}
		}
		return src, nil
	}
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, hcl.Diagnostics{pathError(path, "Cannot read inventory file", err)}
	case info.IsDir():
		return nil, hcl.Diagnostics{pathError(path, "Inventory file is a directory", fmt.Errorf("%s is a directory; .hcl names are reserved for inventory files", path))}
	case !info.Mode().IsRegular():
		// Reading a named pipe would block forever, a device could be endless.
		return nil, hcl.Diagnostics{pathError(path, "Inventory file is not a regular file", fmt.Errorf("%s is a %s, not a regular file", path, describeType(info.Mode())))}
	case info.Size() > MaxFileSize:
		return nil, hcl.Diagnostics{pathError(path, "Inventory file too large", fmt.Errorf("%s has %d bytes; an inventory file may have at most %d", path, info.Size(), MaxFileSize))}
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, hcl.Diagnostics{pathError(path, "Cannot read inventory file", err)}
	}
	return src, nil
}

// parseBytes screens and parses the bytes of one inventory file.
func parseBytes(parser *hclparse.Parser, files Files, path string, src []byte) (*hcl.File, hcl.Diagnostics) {
	if diags := screenBytes(path, src); diags.HasErrors() {
		files[path] = &hcl.File{Bytes: src}
		return nil, diags
	}
	masked, diags := screenSecrets(path, src)
	if diags.HasErrors() {
		// Parsing the masked text would only add errors about the mask;
		// the masked bytes are kept so diagnostics can quote their lines.
		files[path] = &hcl.File{Bytes: masked}
		return nil, diags
	}
	f, ds := parser.ParseHCL(masked, path)
	files[path] = f
	if f == nil {
		// The parser keeps a file even when it fails; this is only defensive.
		files[path] = &hcl.File{Bytes: masked}
	}
	diags = append(diags, ds...)
	if diags.HasErrors() {
		return nil, diags
	}
	return f, diags
}

// applyDefaults fills in every default docs/inventory.md lists, so renderers never
// repeat them.
func applyDefaults(env *Environment) {
	setDefault(&env.DeploymentName, env.DeploymentNameRange, "mattermost-central-command-control")
	tf := &env.Terraform
	setDefault(&tf.StateRegion, tf.StateRegionRange, env.Region)
	setDefault(&tf.ModuleSource, tf.ModuleSourceRange, "git::https://github.com/mattermost/mattermost-cloud-monitoring.git//aws")
	setDefault(&env.Network.APIAccess, env.Network.APIAccessRange, APIPrivate)
	setDefault(&env.Cluster.VolumeSizeGB, env.Cluster.VolumeSizeGBRange, 50)
	g := &env.GitOps
	setDefault(&g.Revision, g.RevisionRange, "main")
	setDefault(&g.ArgoCDNamespace, g.ArgoCDNamespaceRange, "argocd")
	setDefault(&g.Project, g.ProjectRange, "default")
	setDefault(&g.ArgoCDChartVersion, g.ArgoCDChartVersionRange, DefaultArgoCDChartVersion)
	setDefault(&g.ArgoCDAppsChartVersion, g.ArgoCDAppsChartVersionRange, DefaultArgoCDAppsChartVersion)

	if env.Federation == nil {
		env.Federation = &Federation{DeclRange: env.DeclRange}
	}
	fed := env.Federation
	setDefault(&fed.ScrapeInterval, fed.ScrapeIntervalRange, "15s")
	setDefault(&fed.ScrapeTimeout, fed.ScrapeTimeoutRange, "10s")
	setDefault(&fed.Match, fed.MatchRange, []string{`{job="prometheus"}`, `{__name__=~"job:.*"}`})
	applyAlertingDefaults(env.Alerting)

	for _, app := range env.Apps {
		setDefault(&app.Enabled, app.EnabledRange, true)
		setDefault(&app.Visibility, app.VisibilityRange, VisibilityPrivate)
		if d, ok := KnownApps[app.Name]; ok {
			app.Known = true
			setDefault(&app.Chart, app.ChartRange, d.Chart)
			setDefault(&app.Repository, app.RepositoryRange, d.Repository)
			setDefault(&app.Namespace, app.NamespaceRange, d.Namespace)
		}
		setDefault(&app.Release, app.ReleaseRange, "mattermost-cm-"+app.Name)
	}
	slices.SortStableFunc(env.Apps, func(a, b *App) int { return cmp.Compare(a.Name, b.Name) })
	if p := env.Provisioner; p != nil {
		setDefault(&p.Image, p.ImageRange, ProvisionerImage)
		setDefault(&p.Namespace, p.NamespaceRange, DefaultProvisionerNamespace)
		setDefault(&p.UtilitiesGitURL, p.UtilitiesGitURLRange, env.GitOps.RepoURL)
	}
	registrationDefaults(env) // after the provisioner's: it names its namespace

	for _, wc := range env.WorkloadClusters {
		setDefault(&wc.Federate, wc.FederateRange, true)
		setDefault(&wc.PrometheusURL, wc.PrometheusURLRange, fmt.Sprintf("http://%s.prometheus.%s:80", wc.ID, env.DNS.PrivateDomain))
	}
	slices.SortStableFunc(env.WorkloadClusters, func(a, b *WorkloadCluster) int { return cmp.Compare(a.ID, b.ID) })

	for _, c := range env.HAClusters {
		applyHADefaults(c)
	}
	slices.SortStableFunc(env.HAClusters, func(a, b *HACluster) int { return cmp.Compare(a.Name, b.Name) })
}

func applyHADefaults(c *HACluster) {
	setDefault(&c.ClusterName, c.ClusterNameRange, c.Name)
	setDefault(&c.SSHTunnels, c.SSHTunnelsRange, true)
	// An unparsable version is reported by validation; the zero version
	// keeps the defaults below well defined meanwhile.
	c.Version, _ = ParseVersion(c.MattermostVersion)
	setDefault(&c.GossipEncryption, c.GossipEncryptionRange, c.Version.EncryptionEffective())
	setDefault(&c.GossipPort, c.GossipPortRange, 8074)
	setDefault(&c.StreamingPort, c.StreamingPortRange, 8075)
	setDefault(&c.SSHPort, c.SSHPortRange, 22)
	setDefault(&c.TunnelUser, c.TunnelUserRange, "mattermost")
	setDefault(&c.TunnelUserHome, c.TunnelUserHomeRange, "/home/"+c.TunnelUser)
	setDefault(&c.ServiceUser, c.ServiceUserRange, "mattermost")
	setDefault(&c.ServiceName, c.ServiceNameRange, "mattermost")
	setDefault(&c.InstallDir, c.InstallDirRange, "/opt/mattermost")
	setDefault(&c.TunnelPorts, c.TunnelPortsRange, PortsOrdinal)
	setDefault(&c.TunnelPortBase, c.TunnelPortBaseRange, 18000)
	setDefault(&c.TunnelSupervision, c.TunnelSupervisionRange, SupervisionSystemd)
	for i, n := range c.Nodes {
		setDefault(&n.Ordinal, n.OrdinalRange, i+1)
	}
	slices.SortStableFunc(c.Nodes, func(a, b *Node) int { return cmp.Compare(a.Ordinal, b.Ordinal) })
}

// setDefault sets *v to def when the inventory does not write the
// attribute; a written value, even an empty one, is left for validation.
func setDefault[T any](v *T, written hcl.Range, def T) {
	if !set(written) {
		*v = def
	}
}

func pathError(path, summary string, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   err.Error(),
		Subject:  &hcl.Range{Filename: path},
	}
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

func joinAll(dir string, names []string) []string {
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(dir, n)
	}
	return paths
}
