// Package workflows holds only tests: they check the security properties
// of the GitHub Actions workflows under .github/workflows (explicit
// read-only top-level permissions; no write in a job but id-token: write,
// that only in jobs that use OIDC and, where pull requests run, only in the
// plan job's shape; the register workflow's and the pr-comment workflow's
// documented writes; no pull_request_target, no static cloud keys, every
// action pinned to a commit or an exact version, no expression inside a
// run: script), run actionlint on them, and run their scripts against the
// real terraform or against fakes of the tools they call.
package workflows
