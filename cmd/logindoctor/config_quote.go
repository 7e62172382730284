package main

// What a configuration error may repeat of the file. `--config` can point
// at any file the user can read (/etc/shadow, a key file), so an error
// quotes at most a short, printable setting name, and never the parser's
// account of a line's content.

import (
	"regexp"
	"strconv"
	"unicode/utf8"
)

// maxQuotedKeyRunes bounds a key name repeated in an error message.
const maxQuotedKeyRunes = 64

// keyNameRE is what a setting's name looks like once viper has lowercased
// it: letters, digits, '_', '-' and the '.' between a section and its key.
var keyNameRE = regexp.MustCompile(`^[a-z0-9_.\-]+$`)

// quoteKeyName quotes k for an error message when it looks like a setting
// name; anything else (a password hash, a line of some other file) is
// described, not repeated.
func quoteKeyName(k string) string {
	if utf8.RuneCountInString(k) > maxQuotedKeyRunes || !keyNameRE.MatchString(k) {
		return "(a line that is not a setting)"
	}
	return strconv.Quote(k)
}

// yamlLineRE finds the line number in a YAML parser error.
var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// yamlProblemRE finds the parser's own description of the problem; it is
// repeated only when made of plain words (the parser's fixed phrases), never
// when it carries quoted or escaped content of the file.
var yamlProblemRE = regexp.MustCompile(`line \d+: ([a-zA-Z ,]{1,80})$`)

// describeYAMLError says where a YAML file went wrong without quoting it:
// the line number and, when it holds no content of the file, the parser's
// fixed description.
func describeYAMLError(err error) string {
	msg := err.Error()
	line := yamlLineRE.FindStringSubmatch(msg)
	if line == nil {
		return "it is not a list of `key: value` settings"
	}
	where := "near line " + line[1]
	if p := yamlProblemRE.FindStringSubmatch(msg); p != nil {
		return where + ": " + p[1]
	}
	return where + ": it is not a list of `key: value` settings"
}
