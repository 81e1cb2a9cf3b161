#!/usr/bin/env bash
# Posts what merging will do (the pr-summary artifact of a ci run, written
# by fleetgen pr-summary) as the pull request's one comment: it creates
# the comment the first time and updates that same comment afterwards,
# found by the hidden marker pr-summary starts with. pr-comment.yml runs
# it, from the default branch, on the completion of a ci run of a pull
# request (docs/apply.md, "Pull requests").
#
# The artifact comes from a run of the pull request's own code, so it is
# untrusted: its pull request number is only used after checking that
# this repository's pull request of that number has the run's head commit
# (HEAD_SHA, from the workflow_run event, which the pull request cannot
# set), and its Markdown is only ever a comment body, never run or
# interpolated. GitHub refuses a body over 65,536 characters: a longer
# summary is cut, with a pointer to the run's job summary.
#
# Needs GH_TOKEN (pull-requests: write, actions: read), RUN_ID and
# HEAD_SHA of the ci run, RUN_URL (its page), GITHUB_REPOSITORY; gh, jq.
set -euo pipefail

marker='<!-- fleetgen pr-summary -->'
max=65536
repo=$GITHUB_REPOSITORY
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

gh run download "$RUN_ID" --repo "$repo" --name pr-summary --dir "$dir"
pr=$(head -c 32 "$dir/pr-number" | tr -d '[:space:]')
sha=$(head -c 64 "$dir/head-sha" | tr -d '[:space:]')
if ! [[ $pr =~ ^[1-9][0-9]{0,9}$ ]]; then
	echo "::error::the artifact's pull request number is not a number: refusing to comment"
	exit 1
fi
if [ "$sha" != "$HEAD_SHA" ]; then
	echo "::error::the artifact says head $sha, the run's head is $HEAD_SHA: refusing to comment"
	exit 1
fi
# The pull request's head now; a push since the run makes it differ: that
# newer push's run posts its own summary.
head=$(gh api "repos/$repo/pulls/$pr" --jq .head.sha)
if [ "$head" != "$HEAD_SHA" ]; then
	echo "::error::pull request #$pr has head ${head:-none}, not the run's head $HEAD_SHA: refusing to comment on it"
	exit 1
fi
if [ "$(head -c ${#marker} "$dir/summary.md")" != "$marker" ]; then
	echo "::error::the artifact's summary.md does not start with the pr-summary marker: refusing to comment"
	exit 1
fi

note=$'\n\n---\n**Cut here**: the summary is longer than a comment can hold (65,536 characters). The whole summary is in the job summary of the [ci run]('"$RUN_URL"$').\n'
# --rawfile, not -R: jq 1.6's -R splits a character that straddles its
# read buffer into two replacement characters.
jq -n --rawfile s "$dir/summary.md" --arg note "$note" --argjson max "$max" \
	'{body: (if ($s | length) > $max then $s[0:($max - ($note | length))] + $note else $s end)}' \
	>"$dir/body.json"

# This workflow's own earlier comment: written by the token's bot user and
# starting with the marker (anyone can paste the marker; only the bot's
# comment is updated).
id=$(gh api --paginate "repos/$repo/issues/$pr/comments" \
	--jq ".[] | select(.user.login == \"github-actions[bot]\" and (.body | startswith(\"$marker\"))) | .id" | head -n 1)
if [ -n "$id" ]; then
	gh api --method PATCH "repos/$repo/issues/comments/$id" --input "$dir/body.json" --jq .html_url
	echo "updated the summary comment of pull request #$pr"
else
	gh api --method POST "repos/$repo/issues/$pr/comments" --input "$dir/body.json" --jq .html_url
	echo "commented the summary on pull request #$pr"
fi
