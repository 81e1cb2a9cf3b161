// Package render renders a validated inventory into the files of out/, in
// memory: Render runs one job per renderer family of each environment (and
// one per HA cluster) on every core, collects every problem as sorted
// diagnostics, and returns the files sorted by path. BuildKustomizations
// then builds every rendered kustomization as Argo CD will.
//
// The families are the packages below it, each a pure function from the
// inventory to files that imports no sibling: prometheus, helm, argocd,
// hydrate, terraform, ha. What they share is in render/internal; where
// each file goes is render/layout's; writing and comparing out/ is
// render/outdir's. This package writes nothing: the action layer
// (internal/action) hands its files to outdir.
//
// Hydrated environments get their charts as verified archives from the
// caller (Options.Charts): rendering never reads the chart cache or the
// network (internal/charts owns both).
package render
