package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
)

// missingUnit matches pflag's error for a duration given without a unit.
var missingUnit = regexp.MustCompile(`invalid argument "([^"]*)" for "([^"]*)" flag: time: missing unit in duration`)

// flagHint rewrites a flag error into one that says what was meant, when
// it can tell: `--timeout 5` → did you mean 5s?
func flagHint(err error) error {
	if m := missingUnit.FindStringSubmatch(err.Error()); m != nil {
		flag := m[2] // "--timeout", or "-t, --timeout" for a flag with a shorthand
		if i := strings.LastIndex(flag, "--"); i >= 0 {
			flag = flag[i:]
		}
		return fmt.Errorf("%s %s: a duration needs a unit — did you mean %ss? (%w)", flag, m[1], m[1], err)
	}
	return err
}

// formatsByExtension maps an output file's extension to its format.
var formatsByExtension = map[string]string{
	".json": "json", ".xml": "junit", ".html": "html", ".htm": "html",
	".md": "markdown", ".markdown": "markdown", ".txt": "text",
}

// formatFromOutput picks the format from -o's extension when --format was
// not given, and refuses a --format the extension contradicts (exit 2).
func formatFromOutput(g *globalOptions) error {
	if g.Output == "" {
		return nil
	}
	ext := strings.ToLower(filepath.Ext(g.Output))
	byExt, known := formatsByExtension[ext]
	switch {
	case !known:
		return nil
	case !g.FormatGiven:
		g.Format = byExt
	case normalFormat(g.Format) != byExt:
		return &usageError{err: fmt.Errorf("--format %s does not fit -o %s (a %s file): drop --format, or name the file for %s", g.Format, g.Output, byExt, g.Format)}
	}
	return nil
}

// normalFormat is a format's canonical name (md → markdown).
func normalFormat(f string) string {
	if f == "md" {
		return "markdown"
	}
	return f
}

// commandNames are the names of root's commands (for typo suggestions).
func commandNames(cmd *cobra.Command) []string {
	var out []string
	for _, c := range cmd.Root().Commands() {
		if !c.Hidden {
			out = append(out, c.Name())
		}
	}
	return out
}
