package tooltest

import (
	"os"
	"testing"
)

// gitLocators are the variables by which git finds a repository other
// than the one of its working directory. A git hook exports some of them
// (GIT_DIR, GIT_INDEX_FILE): a test run from one would otherwise commit
// its test repository's files into the repository of the hook.
var gitLocators = []string{
	"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_PREFIX",
}

// IsolateGit makes the git programs the test runs, directly or through
// the code under test, use the repository of their working directory, no
// user or system configuration, and a fixed author. It needs git.
func IsolateGit(t *testing.T) {
	t.Helper()
	Look(t, "git")
	for _, k := range gitLocators {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)
	}
	for k, v := range map[string]string{
		"GIT_CONFIG_GLOBAL": os.DevNull, "GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
		"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
	} {
		t.Setenv(k, v)
	}
}
