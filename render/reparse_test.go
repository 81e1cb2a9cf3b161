package render

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2/hclparse"
	"golang.org/x/crypto/ssh"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/render/ha"
	"github.com/mattermost/fleetgen/render/layout"
)

// reparse parses a rendered file with the parser of its own format, chosen
// by its name, so every renderer (those of other outputs too, once they
// exist) is covered without a list to keep up to date. It returns the error
// of the parser; a format without a parser here is prose (README.md) or
// reported by unknownFormat.
func reparse(f layout.File) error {
	name := path.Base(f.Path)
	switch {
	case strings.HasSuffix(name, ".tf.json"), strings.HasSuffix(name, ".json"):
		return parseJSON(f.Data)
	case strings.HasSuffix(name, ".tf"), strings.HasSuffix(name, ".hcl"), strings.HasSuffix(name, ".tfvars"), strings.HasSuffix(name, ".tfbackend"):
		_, diags := hclparse.NewParser().ParseHCL(f.Data, f.Path)
		if diags.HasErrors() {
			return diags
		}
		return nil
	case strings.HasSuffix(name, ".yml"), strings.HasSuffix(name, ".yaml"):
		return parseYAML(f.Data)
	case strings.HasSuffix(name, ".sh"), bytes.HasPrefix(f.Data, []byte("#!/bin/bash")), bytes.HasPrefix(f.Data, []byte("#!/usr/bin/env bash")):
		return bashSyntax(f.Data)
	case strings.HasSuffix(name, ".rules"):
		return iptablesStructure(f.Data)
	case name == "peers" && path.Base(path.Dir(path.Dir(path.Dir(f.Path)))) == "fleetgen":
		_, err := ha.ReadPeers(f.Data)
		return err
	case name == "known_hosts":
		return sshLines(f.Data, func(line []byte) error { _, _, _, _, _, err := ssh.ParseKnownHosts(line); return err })
	case name == "authorized_keys", strings.HasSuffix(name, ".authorized_keys"):
		return sshLines(f.Data, func(line []byte) error { _, _, _, _, err := ssh.ParseAuthorizedKey(line); return err })
	case path.Base(path.Dir(f.Path)) == "sshd_config.d":
		return sshdStructure(f.Data)
	case strings.HasSuffix(name, ".conf"), strings.HasSuffix(name, ".service"):
		return systemdStructure(f.Data)
	}
	return nil
}

// unknownFormat reports whether reparse has no parser for f and f is not
// prose: a new output format needs a line in reparse.
func unknownFormat(f layout.File) bool {
	name := path.Base(f.Path)
	known := []string{".json", ".tf", ".hcl", ".tfvars", ".tfbackend", ".yml", ".yaml", ".sh", ".rules", ".conf", ".service", ".md"}
	for _, ext := range known {
		if strings.HasSuffix(name, ext) {
			return false
		}
	}
	return name != "known_hosts" && name != "peers" && name != "authorized_keys" && !strings.HasSuffix(name, ".authorized_keys") &&
		!bytes.HasPrefix(f.Data, []byte("#!"))
}

// sshdStructure is the cheap check of an sshd_config drop-in; the real
// sshd reads the fixture's in ha_tools_test.go. Every line is blank, a
// comment, or a keyword and its arguments, none of them quoted.
var sshdLine = regexp.MustCompile(`^\t?[A-Z][A-Za-z0-9]+ [^\s"'#][^"'#]*$`)

func sshdStructure(data []byte) error {
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") && !sshdLine.MatchString(line) {
			return fmt.Errorf("line %d: %q is not an sshd_config line", i+1, line)
		}
	}
	return nil
}

func parseJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON document")
	}
	return nil
}

// parseYAML decodes every document of a YAML stream.
func parseYAML(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// bashChecked remembers the scripts bash -n accepted, by hash: fuzzing
// renders the same scripts for most inputs, and a bash process per script
// per input would dominate the run.
var bashChecked sync.Map

func bashSyntax(data []byte) error {
	sum := sha256.Sum256(data)
	if _, ok := bashChecked.Load(sum); ok {
		return nil
	}
	cmd := exec.Command("bash", "-n")
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bash -n: %v: %s", err, stderr.String())
	}
	bashChecked.Store(sum, true)
	return nil
}

// iptablesStructure is the cheap check of an iptables-restore file (ufw's
// after.rules); the real iptables-restore runs on the examples in
// ha_tools_test.go. Every line is blank, a comment, a *table, a :chain
// declaration, a command (-A, -F, -N, …) with balanced double quotes, or COMMIT,
// and every table is committed.
var iptablesCommand = regexp.MustCompile(`^-[ADEFINPRXZ] \S`)

func iptablesStructure(data []byte) error {
	open := false
	s := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "*"):
			if open {
				return fmt.Errorf("line %d: table opened before COMMIT", n)
			}
			open = true
		case line == "COMMIT":
			if !open {
				return fmt.Errorf("line %d: COMMIT without a table", n)
			}
			open = false
		case !open:
			return fmt.Errorf("line %d: %q outside a table", n, line)
		case strings.HasPrefix(line, ":"):
		case iptablesCommand.MatchString(line):
			if strings.Count(line, `"`)%2 != 0 {
				return fmt.Errorf("line %d: unbalanced quotes", n)
			}
		default:
			return fmt.Errorf("line %d: %q is not an iptables-restore line", n, line)
		}
	}
	if open {
		return errors.New("table not committed")
	}
	return s.Err()
}

// systemdStructure checks a unit file's lines: comments, [Section]
// headers, Key=Value, continuation lines after a trailing backslash.
func systemdStructure(data []byte) error {
	cont := false
	for n, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		l := strings.TrimSpace(line)
		switch {
		case cont:
		case l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, ";"):
		case strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]"):
		case strings.Contains(l, "=") && !strings.ContainsAny(l[:strings.Index(l, "=")], " \t[]"):
		default:
			return fmt.Errorf("line %d: %q is not a unit file line", n+1, line)
		}
		cont = strings.HasSuffix(l, `\`) && !strings.HasPrefix(l, "#")
	}
	return nil
}

// sshLines parses every line that is not blank or a comment.
func sshLines(data []byte, parse func([]byte) error) error {
	for n, line := range bytes.Split(data, []byte("\n")) {
		l := bytes.TrimSpace(line)
		if len(l) == 0 || l[0] == '#' {
			continue
		}
		if err := parse(l); err != nil {
			return fmt.Errorf("line %d: %v", n+1, err)
		}
	}
	return nil
}
