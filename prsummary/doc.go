// Package prsummary says what merging a pull request will do, for the
// pull request itself: per environment, the Terraform layers it changes
// with their plans' counts (from `terraform show -json`), the Argo CD
// Applications whose rendered objects change (for hydrated apps, the
// objects), and the HA nodes the apply workflow will run on.
//
// It reads what changed from git through affected, the plans from files
// the workflow wrote, and prints Markdown short enough to read, details
// folded. It runs nothing: no terraform, no network.
package prsummary
