package inventory

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// TestSecretFindersMatchTheirRegexpOverTheWholeSource pins the shortcuts
// of the finders (a byte search before the regexp, URLs searched line by
// line) to what the plain regexp finds over the whole source, on every
// inventory fixture and on text made to trip them.
func TestSecretFindersMatchTheirRegexpOverTheWholeSource(t *testing.T) {
	srcs := [][]byte{
		[]byte("a = \"https://tok@h/x\" b = \"ftp://u:p@h\"\nhttps://x@y git+ssh://git@h:p@x\n://@ x://a@b\n_x://u:p@h é://u:p@h"),
		[]byte("x = \"s3://u:p@h\"\r\nprometheus_url = \"http://10.0.0.1:9090\" # http://user@h\nno url here\n://"),
		[]byte("AWS_SECRET_ACCESS_KEY = \"abc\"\naws_secret_access_key:\n  zzz\nAwS_SeCrEt_AcCeSs_KeY=\"q\""),
		[]byte("aws_ſecret_access_\u212aey = 1"),
		[]byte("AKIAABCDEFGHIJKLMNOP ASIAABCDEFGHIJKLMNOP xAKIAABCDEFGHIJKLMNOP AKIAABCDEFGHIJKLMNO"),
	}
	srcs = append(srcs, readSources(t, "testdata", func(path string) bool { return filepath.Ext(path) == ".hcl" })...)
	finders := []struct {
		name string
		find func([]byte) [][2]int
		re   *regexp.Regexp
		keep func(src []byte, m []int) bool
		grp  int
	}{
		{"AWS access key IDs", findAWSAccessKeyIDs, awsAccessKeyID, nil, 0},
		{"AWS secret keys", findAWSSecretKeys, awsSecretKey, nil, 1},
		{"URL credentials", findURLCredentials, urlUserinfo, func(src []byte, m []int) bool {
			scheme := string(bytes.ToLower(src[m[2]:m[3]]))
			return bytes.ContainsRune(src[m[4]:m[5]], ':') || scheme == "http" || scheme == "https"
		}, 2},
	}
	found := 0
	for _, f := range finders {
		for _, src := range srcs {
			var want [][2]int
			for _, m := range f.re.FindAllSubmatchIndex(src, -1) {
				if f.keep == nil || f.keep(src, m) {
					want = append(want, [2]int{m[2*f.grp], m[2*f.grp+1]})
				}
			}
			got := f.find(src)
			if !slices.Equal(got, want) {
				t.Errorf("%s in %q: %v, the regexp over the whole source finds %v", f.name, src, got, want)
			}
			found += len(want)
		}
	}
	if found < 12 {
		t.Errorf("the inputs hold only %d secrets: the test proves little", found)
	}
}
