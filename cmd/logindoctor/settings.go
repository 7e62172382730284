package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/logindoctor/logindoctor/checks/account"
)

// profileName is the file name of a profile IT ships.
const profileName = "logindoctor.yaml"

// loadSettings resolves configuration with precedence flags > env > file,
// and asks for the CRM address on a terminal when none is configured.
func (a *app) loadSettings(ctx context.Context, cmd *cobra.Command, g *globalOptions, args []string) (*settings, error) {
	l := newLoader(a.io.Getenv, a.io.Environ())
	if p := findProfile(g.ConfigFile); p.path != "" {
		if g.Verbose {
			fmt.Fprintf(a.io.ErrOut, "profile %s (%s)\n", p.path, p.source)
		}
		if err := l.readProfile(p); err != nil {
			return nil, err
		}
	} else if g.Verbose {
		fmt.Fprintln(a.io.ErrOut, "no profile: settings come from flags and LOGINDOCTOR_* variables")
	}
	if err := l.bindEnv(); err != nil {
		return nil, err
	}
	flags := cmd.Flags()
	for flag, key := range map[string]string{"timeout": "timeout", "check-timeout": "check_timeout", "lang": "lang", "ca-file": "ca_file"} {
		if f := flags.Lookup(flag); f != nil && f.Changed {
			l.set(key, f.Value.String())
		}
	}
	if len(args) == 1 {
		l.set("url", args[0])
	}
	s, err := l.resolve()
	if err != nil {
		return nil, err
	}
	if s.Target.URL == nil {
		u, err := a.askForURL(ctx)
		if err != nil {
			return nil, err
		}
		s.Target.URL = u
	}
	if err := a.readToken(s); err != nil {
		return nil, err
	}
	readHelpdeskToken(s, a.io.Getenv)
	return s, nil
}

// readToken reads the account secret (API token or directory password)
// with account.ReadSecret, the one reader: the environment variable named
// by account.token_env, or account.token_file, readable by its owner only.
// The secret is never printed.
func (a *app) readToken(s *settings) error {
	secret, err := account.ReadSecret(a.io.Getenv, s.Target.Account)
	if err != nil {
		return keyError("account.token_file", errors.New(strings.TrimPrefix(err.Error(), "account.token_file: ")))
	}
	s.Target.Account.Token = secret
	return nil
}
