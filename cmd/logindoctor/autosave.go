package main

// Saving the report for IT. Every report ends "give IT the report ID
// LD-…"; a person whose run failed gets the ticket bundle sent to the
// helpdesk inbox when the profile names one (helpdesk.go), else — or when
// that fails — saved where they find it, the desktop, with one line saying
// which file to send.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/report"
)

// bundleSink is where a saved bundle goes: desktopSink, a file of the
// user's, or inboxSink, the helpdesk inbox of helpdesk.upload_url (whose
// "where" is then the report's page there).
type bundleSink interface {
	// save stores the bundle named name and says where it went.
	save(ctx context.Context, name string, zip []byte) (where string, err error)
}

// desktopSink saves into a directory of the user's (the desktop, else home).
type desktopSink struct{ dir string }

func (d desktopSink) save(ctx context.Context, name string, zip []byte) (string, error) {
	path := filepath.Join(d.dir, name)
	if err := writeOutput(ctx, path, zip, 0o600); err != nil {
		return "", err
	}
	return path, nil
}

// sinkFor chooses where the bundle of a failed run goes (nil: nowhere).
func (a *app) sinkFor() bundleSink {
	dir := desktopDir(runtime.GOOS, a.io.Getenv, dirExists)
	if dir == "" {
		return nil
	}
	return desktopSink{dir: dir}
}

// shouldSave decides whether a finished run saves its bundle for IT: only
// a failed run by a person — stdout a terminal, not CI, no --output or
// --bundle of their own choosing, not the demo — or a double-clicked
// window (force).
func shouldSave(verdict checks.Status, g *globalOptions, outTTY, ci, demo, force bool) bool {
	if verdict != checks.StatusFail || g.Output != "" || g.Bundle != "" || demo {
		return false
	}
	return force || (outTTY && !ci)
}

// shouldUpload decides whether a finished run sends its bundle to the
// helpdesk inbox: a failed run by a person (as shouldSave, but whatever
// --output and --bundle say: the report should reach IT either way) when
// the profile names an inbox.
func shouldUpload(verdict checks.Status, g *globalOptions, outTTY, ci, demo, force, inbox bool) bool {
	if !inbox || verdict != checks.StatusFail || demo {
		return false
	}
	return force || (outTTY && !ci)
}

// isCI reads the CI variable the way CI systems set it.
func isCI(getenv func(string) string) bool {
	v := strings.ToLower(getenv("CI"))
	return v != "" && v != "false" && v != "0"
}

// saveForIT sends the bundle of a failed run by a person to the helpdesk
// inbox when the profile names one (see shouldUpload) and says IT has it;
// otherwise, or when the upload fails, it saves the same bundle on the
// desktop (see shouldSave; after a failed upload even with --output) and
// says which file to send — with --bundle, that file. roots are the run's
// trusted roots (nil: the system's).
func (a *app) saveForIT(ctx context.Context, rep *report.Report, p runPlan, red *redactor, roots *x509.CertPool) error {
	h := p.settings.Helpdesk
	outTTY, ci := a.io.OutTTY, isCI(a.io.Getenv)
	upload := shouldUpload(rep.Verdict, p.g, outTTY, ci, p.demo, p.forceSave, h.configured())
	if !upload && !shouldSave(rep.Verdict, p.g, outTTY, ci, p.demo, p.forceSave) {
		return nil
	}
	zip, err := a.ticketBundle(ctx, rep, p, red)
	if err != nil {
		return err
	}
	name := "logindoctor-" + rep.ReportID + ".zip"
	if upload {
		inbox := inboxSink{h: h, roots: roots, getenv: a.io.Getenv}
		where, err := inbox.save(ctx, name, zip)
		if err == nil {
			a.sayErr(a.t("cli.upload_sent", map[string]any{"report_id": rep.ReportID}))
			if p.g.Verbose && where != "" {
				fmt.Fprintf(a.io.ErrOut, "%s\n", red.scrub([]byte(where)))
			}
			return nil
		}
		a.sayErr(string(red.scrub([]byte(a.t("cli.upload_failed", map[string]any{"why": a.uploadWhy(err)})))))
		if p.g.Bundle != "" {
			a.sayErr(a.t("cli.send_file", map[string]any{"path": p.g.Bundle}), p.g.Bundle)
			return nil
		}
	}
	sink := a.sinkFor()
	if sink == nil {
		return nil
	}
	where, err := sink.save(ctx, name, zip)
	if err != nil {
		return fmt.Errorf("save the report for IT: %w", err)
	}
	a.sayErr(a.t("cli.send_file", map[string]any{"path": where}), where)
	return nil
}

// uploadWhy says in the reader's language, in one line, why an upload
// failed.
func (a *app) uploadWhy(err error) string {
	var ue *uploadError
	if !errors.As(err, &ue) {
		return oneLine(err.Error(), 120)
	}
	switch ue.id {
	case "cli.upload_why.no_token":
		return a.t("cli.upload_why.no_token", ue.params)
	case "cli.upload_why.token":
		return a.t("cli.upload_why.token", ue.params)
	case "cli.upload_why.refused":
		return a.t("cli.upload_why.refused", ue.params)
	case "cli.upload_why.timeout":
		return a.t("cli.upload_why.timeout", ue.params)
	case "cli.upload_why.tls":
		return a.t("cli.upload_why.tls", ue.params)
	case "cli.upload_why.status":
		return a.t("cli.upload_why.status", ue.params)
	}
	return a.t("cli.upload_why.unreachable", ue.params)
}

// dirExists reports a directory at path.
func dirExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// desktopDir is the user's desktop if it exists, else their home ("" when
// neither is known): ~/Desktop on Windows and macOS, the XDG desktop
// directory elsewhere (XDG_DESKTOP_DIR, else user-dirs.dirs).
func desktopDir(goos string, getenv func(string) string, exists func(string) bool) string {
	home := getenv("HOME")
	if goos == "windows" {
		home = getenv("USERPROFILE")
	}
	if home == "" {
		return ""
	}
	desktop := filepath.Join(home, "Desktop")
	if goos != "windows" && goos != "darwin" {
		desktop = xdgDesktop(home, getenv)
	}
	if desktop != "" && exists(desktop) {
		return desktop
	}
	return home
}

// xdgDesktop reads the XDG desktop directory: $XDG_DESKTOP_DIR, else the
// XDG_DESKTOP_DIR line of user-dirs.dirs ("" when unset).
func xdgDesktop(home string, getenv func(string) string) string {
	if d := getenv("XDG_DESKTOP_DIR"); d != "" {
		return d
	}
	conf := getenv("XDG_CONFIG_HOME")
	if conf == "" {
		conf = filepath.Join(home, ".config")
	}
	sc := bufio.NewScanner(bytes.NewReader(readSmall(filepath.Join(conf, "user-dirs.dirs"))))
	for sc.Scan() {
		v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "XDG_DESKTOP_DIR=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		if rest, ok := strings.CutPrefix(v, "$HOME"); ok {
			v = home + rest
		}
		if filepath.IsAbs(v) {
			return v
		}
	}
	return ""
}
