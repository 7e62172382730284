package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// profileName is the file name of a profile IT ships.
const profileName = "logindoctor.yaml"

// loadSettings resolves configuration with precedence flags > env > file,
// and asks for the CRM address on a terminal when none is configured.
func (a *app) loadSettings(cmd *cobra.Command, g *globalOptions, args []string) (*settings, error) {
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
		u, err := a.askForURL()
		if err != nil {
			return nil, err
		}
		s.Target.URL = u
	}
	if err := a.readToken(s); err != nil {
		return nil, err
	}
	return s, nil
}

// askForURL asks for the CRM address in one friendly line, on a terminal
// only; elsewhere a missing address is a configuration error.
func (a *app) askForURL() (*url.URL, error) {
	if !a.io.InTTY || !a.io.ErrTTY {
		return nil, configErrorf("%s", a.t("cli.no_url", nil))
	}
	fmt.Fprint(a.io.ErrOut, a.t("cli.ask_url", nil)+" ")
	line, err := bufio.NewReader(io.LimitReader(a.io.In, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, configErrorf("%s", a.t("cli.no_url", nil))
	}
	u, err := parseLoginURL(strings.TrimSpace(line))
	if err != nil {
		return nil, keyError("url", err)
	}
	if u == nil {
		return nil, configErrorf("%s", a.t("cli.no_url", nil))
	}
	return u, nil
}

// readToken reads the account API token from the environment variable
// named by account.token_env, or from account.token_file, which must be
// readable by its owner only. The token is never printed.
func (a *app) readToken(s *settings) error {
	acc := &s.Target.Account
	if acc.TokenEnv != "" {
		acc.Token = strings.TrimSpace(a.io.Getenv(acc.TokenEnv))
	}
	if acc.Token != "" || s.TokenFile == "" {
		return nil
	}
	st, err := os.Stat(s.TokenFile)
	if err != nil {
		return keyError("account.token_file", fmt.Errorf("cannot read it: %v", errors.Unwrap(err)))
	}
	if st.Mode().Perm()&0o077 != 0 && !isWindows() {
		return keyError("account.token_file", fmt.Errorf("%s is readable by other users (mode %o): run chmod 600 %s", s.TokenFile, st.Mode().Perm(), s.TokenFile))
	}
	f, err := openRegular(s.TokenFile)
	if err != nil {
		return keyError("account.token_file", fmt.Errorf("cannot read it: %w", err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return keyError("account.token_file", errors.New("cannot read it"))
	}
	acc.Token = strings.TrimSpace(string(data))
	return nil
}
