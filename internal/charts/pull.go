package charts

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/downloader"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"

	"github.com/mattermost/fleetgen/internal/atomicfile"
	"github.com/mattermost/fleetgen/internal/suggest"
)

// PullOptions configure how Pull reaches the chart repositories.
type PullOptions struct {
	// CAFile is a PEM bundle of extra certificate authorities for https
	// chart repositories (a private repository, or a test's server).
	CAFile string
	// PlainHTTP talks to oci:// registries over plain HTTP (a registry on
	// loopback in a test); never for a real registry.
	PlainHTTP bool
}

// PullReport says what Pull did with each chart.
type PullReport struct {
	Downloaded []Ref // fetched, verified and locked
	Locked     []Ref // already in the cache, verified against the index, now locked
	UpToDate   []Ref // in the cache and the lock, with the locked digest: nothing fetched
}

// Pull makes every chart of refs present in the cache and recorded in the
// lock. A chart already locked whose archive is present and matches its
// digest is not fetched at all, so a second Pull touches neither the
// network nor any file. Otherwise the archive is downloaded with Helm's
// downloader and must have the digest the repository's index lists (for an
// oci:// registry, the digest of the chart layer in the manifest) and, when
// the lock already records the chart, the locked digest too. Every chart
// is tried; the lock records those that succeeded, and the error lists the
// others.
func (c *Cache) Pull(refs []Ref, opts PullOptions) (*PullReport, error) {
	refs = slices.Clone(refs)
	slices.SortFunc(refs, compareRefs)
	refs = slices.Compact(refs)
	report := &PullReport{}
	if len(refs) == 0 {
		return report, nil
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, err
	}
	var errs []error
	changed := false
	for _, ref := range refs {
		entry, how, err := c.pullOne(ref, opts)
		if err != nil {
			errs = append(errs, fmt.Errorf("chart %s: %w", ref, err))
			continue
		}
		switch how {
		case pulledNothing:
			report.UpToDate = append(report.UpToDate, ref)
			continue
		case pulledLockOnly:
			report.Locked = append(report.Locked, ref)
		case pulledDownload:
			report.Downloaded = append(report.Downloaded, ref)
		}
		c.lock.set(entry)
		changed = true
	}
	if changed {
		if err := atomicfile.WriteFile(filepath.Join(c.Dir, LockFile), c.lock.marshal(), 0o644); err != nil {
			errs = append(errs, err)
		}
	}
	return report, errors.Join(errs...)
}

type pulled int

const (
	pulledNothing pulled = iota
	pulledLockOnly
	pulledDownload
)

func (c *Cache) pullOne(ref Ref, opts PullOptions) (Entry, pulled, error) {
	locked, isLocked := c.lock.entry(ref)
	file := ref.FileName()
	if isLocked {
		file = locked.File
	} else if other, taken := c.fileOwner(file); taken {
		return Entry{}, 0, fmt.Errorf("its archive name %s is already used by the chart %s in the cache; two repositories serve a chart of that name and version", file, other)
	}
	path := filepath.Join(c.Dir, file)
	cached, err := readArchive(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Entry{}, 0, err
	}
	present := err == nil
	if isLocked && present {
		if d := Digest(cached); d != locked.Digest {
			return Entry{}, 0, &DigestError{Ref: ref, Path: path, Source: "the lock", Expected: locked.Digest, Actual: d}
		}
		return locked, pulledNothing, nil
	}

	data, listed, err := fetch(ref, opts, present)
	if err != nil {
		return Entry{}, 0, err
	}
	if isLocked && listed != locked.Digest {
		return Entry{}, 0, fmt.Errorf("the repository now lists the sha256 digest %s for it, but %s records %s: the chart was published again under the same version; check the change, then remove its entry from the lock to accept it", listed, LockFile, locked.Digest)
	}
	if present {
		// Present but not locked (copied by hand): lock it if the
		// repository vouches for exactly these bytes, never replace it
		// (an oci:// fetch downloads even then: a registry has no index).
		if d := Digest(cached); d != listed {
			return Entry{}, 0, &DigestError{Ref: ref, Path: path, Source: "the repository's index", Expected: listed, Actual: d}
		}
		return Entry{Repository: ref.Repository, Chart: ref.Chart, Version: ref.Version, File: file, Digest: listed}, pulledLockOnly, nil
	}
	if d := Digest(data); d != listed {
		return Entry{}, 0, &DigestError{Ref: ref, Source: "the repository's index", Expected: listed, Actual: d}
	}
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return Entry{}, 0, err
	}
	return Entry{Repository: ref.Repository, Chart: ref.Chart, Version: ref.Version, File: file, Digest: listed}, pulledDownload, nil
}

// fileOwner is the locked chart whose archive is named file, if any.
func (c *Cache) fileOwner(file string) (Ref, bool) {
	for _, e := range c.lock.Charts {
		if e.File == file {
			return e.Ref(), true
		}
	}
	return Ref{}, false
}

// fetch returns ref's archive and the digest its repository lists for it.
// With indexOnly (an https repository) it reads only the index and returns
// no archive.
func fetch(ref Ref, opts PullOptions, indexOnly bool) ([]byte, string, error) {
	if strings.HasPrefix(ref.Repository, "oci://") {
		return fetchOCI(ref, opts)
	}
	return fetchHTTP(ref, opts, indexOnly)
}

// repoName is the name fleetgen gives a repository in the private Helm
// repository configuration of one fetch.
const repoName = "fleetgen"

// fetchHTTP reads the repository's index.yaml with Helm's repo package, then
// downloads the archive with Helm's ChartDownloader through a private,
// throwaway repositories.yaml and cache, so the user's Helm configuration is
// neither read nor changed.
func fetchHTTP(ref Ref, opts PullOptions, indexOnly bool) ([]byte, string, error) {
	tmp, err := os.MkdirTemp("", "fleetgen-pull-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(tmp)
	getters := getter.Providers{{Schemes: []string{"http", "https"}, New: getter.NewHTTPGetter}}
	entry := &repo.Entry{Name: repoName, URL: ref.Repository, CAFile: opts.CAFile}
	r, err := repo.NewChartRepository(entry, getters)
	if err != nil {
		return nil, "", err
	}
	r.CachePath = filepath.Join(tmp, "cache")
	indexPath, err := r.DownloadIndexFile()
	if err != nil {
		return nil, "", fmt.Errorf("reading the repository's index: %w", err)
	}
	index, err := repo.LoadIndexFile(indexPath)
	if err != nil {
		return nil, "", fmt.Errorf("reading the repository's index: %w", err)
	}
	cv, err := index.Get(ref.Chart, ref.Version)
	if err != nil || cv.Version != ref.Version {
		return nil, "", notInIndex(index, ref)
	}
	listed := strings.ToLower(strings.TrimPrefix(cv.Digest, "sha256:"))
	if !validDigest(listed) {
		return nil, "", fmt.Errorf("the repository's index lists no sha256 digest for it (%q), so its download cannot be verified", cv.Digest)
	}
	if indexOnly {
		return nil, listed, nil
	}
	config := filepath.Join(tmp, "repositories.yaml")
	rf := repo.NewFile()
	rf.Update(entry)
	if err := rf.WriteFile(config, 0o600); err != nil {
		return nil, "", err
	}
	dl := downloader.ChartDownloader{
		Out:              io.Discard,
		Verify:           downloader.VerifyNever,
		Getters:          getters,
		RepositoryConfig: config,
		RepositoryCache:  r.CachePath,
	}
	dest := filepath.Join(tmp, "download")
	if err := os.Mkdir(dest, 0o755); err != nil {
		return nil, "", err
	}
	saved, _, err := dl.DownloadTo(repoName+"/"+ref.Chart, ref.Version, dest)
	if err != nil {
		return nil, "", fmt.Errorf("downloading: %w", err)
	}
	data, err := os.ReadFile(saved)
	return data, listed, err
}

// fetchOCI pulls the chart layer from an OCI registry with Helm's registry
// client. The registry has no index: the digest that vouches for the
// archive is the chart layer's in the version's manifest, which the client
// checks the blob against as it reads it.
func fetchOCI(ref Ref, opts PullOptions) ([]byte, string, error) {
	clientOpts := []registry.ClientOption{registry.ClientOptWriter(io.Discard)}
	if opts.PlainHTTP {
		clientOpts = append(clientOpts, registry.ClientOptPlainHTTP())
	}
	client, err := registry.NewClient(clientOpts...)
	if err != nil {
		return nil, "", err
	}
	// OCI tags cannot hold "+": Helm pushes 1.0.0+x as 1.0.0_x.
	target := strings.TrimPrefix(ref.Repository, "oci://") + "/" + ref.Chart + ":" + strings.ReplaceAll(ref.Version, "+", "_")
	res, err := client.Pull(target, registry.PullOptWithChart(true), registry.PullOptIgnoreMissingProv(true))
	if err != nil {
		return nil, "", fmt.Errorf("pulling %s: %w", target, err)
	}
	listed := strings.TrimPrefix(res.Chart.Digest, "sha256:")
	if !validDigest(listed) {
		return nil, "", fmt.Errorf("the registry's manifest lists the chart layer digest %q, not a sha256", res.Chart.Digest)
	}
	return res.Chart.Data, listed, nil
}

// notInIndex says that the index lacks the chart, or the version of it,
// naming the chart or version probably meant: the index's versions come
// newest first, so a tie goes to the newest.
func notInIndex(index *repo.IndexFile, ref Ref) error {
	versions, ok := index.Entries[ref.Chart]
	if !ok || len(versions) == 0 {
		return fmt.Errorf("the repository's index has no chart %q%s", ref.Chart,
			suggest.Clause(ref.Chart, slices.Sorted(maps.Keys(index.Entries))))
	}
	var listed []string
	for _, v := range versions {
		listed = append(listed, v.Version)
	}
	return fmt.Errorf("the repository's index has no version %q of the chart %q%s", ref.Version, ref.Chart, suggest.Clause(ref.Version, listed))
}
