#!/usr/bin/env bash
# Refuses to apply HEAD_SHA when a successful push run of this workflow on
# BRANCH already applied a newer commit: the apply jobs run it first, since
# "Re-run failed jobs" of an old run re-runs them with the old run's
# commit and lists, without the affected job that refuses an old commit.
# Applying it would roll back what the newer run applied, and no later run
# would see a change to re-apply. Refusing loses nothing: a run that
# started after this one and succeeded covered its changes (its base is
# the last success, older than this run).
#
# Needs GH_TOKEN (actions: read, contents: read), HEAD_SHA, BRANCH, and
# GitHub's GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_WORKFLOW_REF; curl, jq.
set -euo pipefail

workflow=${GITHUB_WORKFLOW_REF%@*}
workflow=${workflow##*/}
api="$GITHUB_API_URL/repos/$GITHUB_REPOSITORY"

# get PATH: a GET of the REST API; the token goes through curl's
# configuration on stdin, not its command line.
get() {
	printf 'header = "Authorization: Bearer %s"\n' "$GH_TOKEN" |
		curl --config - -fsS --retry 3 -H 'Accept: application/vnd.github+json' \
			-H 'X-GitHub-Api-Version: 2022-11-28' "$api/$1"
}

runs=$(get "actions/workflows/$workflow/runs?branch=$BRANCH&event=push&status=success&per_page=1")
last=$(jq -r '.workflow_runs[0].head_sha // ""' <<<"$runs")
if [ -z "$last" ] || [ "$last" = "$HEAD_SHA" ]; then
	exit 0 # nothing applied yet, or this very commit
fi
compare=$(get "compare/$last...$HEAD_SHA")
status=$(jq -r '.status' <<<"$compare")
case $status in
behind)
	echo "::error::$HEAD_SHA is older than $last, which a later run already applied: re-running an old run would roll it back; dispatch the workflow to re-apply an environment"
	exit 1
	;;
ahead | diverged | identical) ;;
*)
	echo "::error::comparing $last with $HEAD_SHA: unexpected status \"$status\""
	exit 1
	;;
esac
