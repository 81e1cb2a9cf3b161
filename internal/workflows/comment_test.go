package workflows

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/prsummary"
)

// fakeGH is a stand-in gh for pr-comment.sh, over files in $FAKE: the ci
// run's artifact (artifact/), each pull request's head (pulls/<n>) and
// the comments of every pull request (comments.json, with the pull
// request's number in "pr"). It serves the calls the script makes, logs
// each to gh.log, and fails any other.
const fakeGH = `echo "$*" >>"$FAKE/gh.log"
comments=$FAKE/comments.json
[ -f "$comments" ] || echo '[]' >"$comments"
case "$1 $2" in
"run download")
	[ "$3" = "$RUN_ID" ] && [ "$4 $5 $6 $7 $8" = "--repo $GITHUB_REPOSITORY --name pr-summary --dir" ] || exit 1
	cp "$FAKE"/artifact/* "$9"/
	exit 0
	;;
esac
[ "$1" = api ] || exit 1
shift
method=GET paginate=0 input="" filter=""
while [ $# -gt 0 ]; do
	case $1 in
	--method) method=$2; shift 2 ;;
	--paginate) paginate=1; shift ;;
	--input) input=$2; shift 2 ;;
	--jq) filter=$2; shift 2 ;;
	repos/*) path=$1; shift ;;
	*) exit 1 ;;
	esac
done
path=${path#repos/$GITHUB_REPOSITORY/}
case "$method $path" in
"GET pulls/"*)
	[ -f "$FAKE/$path" ] || { echo "HTTP 404: Not Found" >&2; exit 1; }
	jq -n --arg sha "$(cat "$FAKE/$path")" '{head: {sha: $sha}}' | jq -r "$filter"
	;;
"GET issues/"*/comments)
	[ "$paginate" = 1 ] || exit 1
	n=${path#issues/}; n=${n%/comments}
	jq --argjson n "$n" '[.[] | select(.pr == $n)]' "$comments" | jq -r "$filter"
	;;
"PATCH issues/comments/"*)
	id=${path#issues/comments/}
	jq --argjson id "$id" --slurpfile in "$input" 'map(if .id == $id then .body = $in[0].body else . end)' "$comments" >"$comments.new"
	mv "$comments.new" "$comments"
	echo "https://github.test/comment/$id"
	;;
"POST issues/"*/comments)
	n=${path#issues/}; n=${n%/comments}
	jq --argjson n "$n" --slurpfile in "$input" '. + [{id: (length + 100), pr: $n, user: {login: "github-actions[bot]"}, body: $in[0].body}]' "$comments" >"$comments.new"
	mv "$comments.new" "$comments"
	echo "https://github.test/comment/new"
	;;
*) exit 1 ;;
esac
`

type fakeComment struct {
	ID   int `json:"id"`
	PR   int `json:"pr"`
	User struct {
		Login string `json:"login"`
	} `json:"user"`
	Body string `json:"body"`
}

// commentTest runs pr-comment.sh against fakeGH.
type commentTest struct {
	fake, bin string
}

func newCommentTest(t *testing.T) *commentTest {
	t.Helper()
	tooltest.Look(t, "bash", "jq")
	c := &commentTest{fake: t.TempDir(), bin: t.TempDir()}
	fakeBin(t, c.bin, "gh", fakeGH)
	for _, d := range []string{"artifact", "pulls"} {
		if err := os.MkdirAll(filepath.Join(c.fake, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func (c *commentTest) file(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(c.fake, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// artifact writes what ci.yml's summary job uploads.
func (c *commentTest) artifact(t *testing.T, pr, sha, summary string) {
	t.Helper()
	c.file(t, "artifact/pr-number", pr+"\n")
	c.file(t, "artifact/head-sha", sha+"\n")
	c.file(t, "artifact/summary.md", summary)
}

const (
	runHead = "1111111111111111111111111111111111111111"
	runURL  = "https://github.test/o/r/actions/runs/7"
)

func (c *commentTest) run(t *testing.T) (string, error) {
	t.Helper()
	script, err := filepath.Abs("../../.github/scripts/pr-comment.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", script)
	cmd.Env = append(os.Environ(), "PATH="+c.bin+string(os.PathListSeparator)+os.Getenv("PATH"), "FAKE="+c.fake,
		"GH_TOKEN=test", "GITHUB_REPOSITORY=o/r", "RUN_ID=7", "HEAD_SHA="+runHead, "RUN_URL="+runURL)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (c *commentTest) comments(t *testing.T) []fakeComment {
	t.Helper()
	var cs []fakeComment
	data, err := os.ReadFile(filepath.Join(c.fake, "comments.json"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestCommentCreatesThenUpdates: the first run comments, the next ones
// update that comment, never another one, not even one whose author
// pasted the marker.
func TestCommentCreatesThenUpdates(t *testing.T) {
	c := newCommentTest(t)
	c.file(t, "pulls/24", runHead+"\n")
	c.file(t, "comments.json", `[{"id": 5, "pr": 24, "user": {"login": "mallory"}, "body": "`+prsummary.Marker+` look here"},
		{"id": 6, "pr": 25, "user": {"login": "github-actions[bot]"}, "body": "`+prsummary.Marker+` another pull request"}]`)
	first := prsummary.Marker + "\n## What merging this pull request will do\n\nfirst\n"
	c.artifact(t, "24", runHead, first)
	if out, err := c.run(t); err != nil {
		t.Fatalf("pr-comment.sh: %v\n%s", err, out)
	}
	cs := c.comments(t)
	if len(cs) != 3 || cs[2].PR != 24 || cs[2].Body != first || cs[0].Body != prsummary.Marker+" look here" {
		t.Fatalf("after the first run: %+v", cs)
	}
	id := cs[2].ID

	second := prsummary.Marker + "\n## What merging this pull request will do\n\nsecond\n"
	c.artifact(t, "24", runHead, second)
	if out, err := c.run(t); err != nil {
		t.Fatalf("pr-comment.sh: %v\n%s", err, out)
	}
	cs = c.comments(t)
	if len(cs) != 3 || cs[2].ID != id || cs[2].Body != second || cs[0].Body != prsummary.Marker+" look here" || cs[1].Body != prsummary.Marker+" another pull request" {
		t.Errorf("after the second run: %+v", cs)
	}
}

// TestCommentRefusesAnotherHead: the artifact comes from the pull
// request's code; its number is used only when that pull request's head
// is the run's head, which the pull request cannot choose.
func TestCommentRefusesAnotherHead(t *testing.T) {
	summary := prsummary.Marker + "\nhello\n"
	for _, tc := range []struct{ name, pr, artifactSHA, prHead, summary, want string }{
		{"another pull request's number", "25", runHead, "2222222222222222222222222222222222222222", summary, "refusing to comment on it"},
		{"no such pull request", "26", runHead, "", summary, "HTTP 404"},
		{"artifact of another head", "24", "3333333333333333333333333333333333333333", runHead, summary, "the run's head is " + runHead},
		{"not a number", "24/../../x", runHead, runHead, summary, "not a number"},
		{"not a summary", "24", runHead, runHead, "hello\n", "does not start with the pr-summary marker"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCommentTest(t)
			if tc.prHead != "" {
				c.file(t, "pulls/"+tc.pr, tc.prHead+"\n")
			}
			c.artifact(t, tc.pr, tc.artifactSHA, tc.summary)
			out, err := c.run(t)
			if err == nil || !strings.Contains(out, tc.want) {
				t.Errorf("want a refusal with %q, got %v:\n%s", tc.want, err, out)
			}
			if len(c.comments(t)) != 0 {
				t.Errorf("commented: %+v", c.comments(t))
			}
		})
	}
}

// TestCommentTruncates: a summary over GitHub's 65,536-character limit is
// cut to exactly the limit, in characters (not bytes), and ends with a
// pointer to the run's job summary; a summary at the limit is kept whole.
func TestCommentTruncates(t *testing.T) {
	head := prsummary.Marker + "\n"
	for _, tc := range []struct {
		name string
		size int
		cut  bool
	}{{"at the limit", 65536, false}, {"over it", 70000, true}} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCommentTest(t)
			c.file(t, "pulls/24", runHead+"\n")
			summary := head + strings.Repeat("é", tc.size-utf8.RuneCountInString(head))
			c.artifact(t, "24", runHead, summary)
			if out, err := c.run(t); err != nil {
				t.Fatalf("pr-comment.sh: %v\n%s", err, out)
			}
			cs := c.comments(t)
			if len(cs) != 1 {
				t.Fatalf("%d comments", len(cs))
			}
			body := cs[0].Body
			if n := utf8.RuneCountInString(body); n > 65536 || tc.cut && n != 65536 {
				t.Errorf("the comment has %d characters", n)
			}
			cut := strings.Contains(body, "the summary is longer than a comment can hold") && strings.HasSuffix(body, "job summary of the [ci run]("+runURL+").\n")
			if cut != tc.cut || !tc.cut && body != summary || !utf8.ValidString(body) || !strings.HasPrefix(body, prsummary.Marker) {
				t.Errorf("cut %v, want %v; ends %q", cut, tc.cut, body[max(0, len(body)-200):])
			}
		})
	}
}

// TestCommentWorkflowStep: pr-comment.yml runs the script with the run's
// id, head and page from the workflow_run event, nothing from the
// artifact.
func TestCommentWorkflowStep(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(dir, "pr-comment.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			If    string
			Steps []struct {
				Run string
				Env map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	job := wf.Jobs["comment"]
	if job.If != "github.event.workflow_run.event == 'pull_request'" || len(job.Steps) != 2 {
		t.Fatalf("pr-comment.yml's job changed: %+v", job)
	}
	step := job.Steps[1]
	want := map[string]string{
		"GH_TOKEN": "${{ github.token }}",
		"RUN_ID":   "${{ github.event.workflow_run.id }}",
		"HEAD_SHA": "${{ github.event.workflow_run.head_sha }}",
		"RUN_URL":  "${{ github.event.workflow_run.html_url }}",
	}
	if step.Run != ".github/scripts/pr-comment.sh" || len(step.Env) != len(want) {
		t.Fatalf("the step changed: %+v", step)
	}
	for k, v := range want {
		if step.Env[k] != v {
			t.Errorf("env %s = %q, want %q", k, step.Env[k], v)
		}
	}
}
