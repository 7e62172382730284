package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/logindoctor/logindoctor/report"
)

// maxFactFileBytes bounds what we read of /etc/os-release and resolv.conf.
const maxFactFileBytes = 64 << 10

// envFacts are the environment facts a helpdesk needs beside the report.
type envFacts struct {
	ReportID   string            `json:"report_id"`
	Tool       string            `json:"tool_version"`
	OS         string            `json:"os"`
	OSVersion  string            `json:"os_version"`
	Arch       string            `json:"arch"`
	Locale     map[string]string `json:"locale"`
	Lang       string            `json:"report_lang"`
	TimeZone   string            `json:"time_zone"`
	UTCOffset  string            `json:"utc_offset"`
	LocalTime  string            `json:"local_time"`
	Proxy      map[string]string `json:"proxy"`
	Resolvers  []string          `json:"resolvers"`
	ConfigFile string            `json:"config_file"`
}

func (a *app) gatherFacts(rep *report.Report, s *settings) envFacts {
	now := a.now()
	zone, _ := now.Zone()
	f := envFacts{
		ReportID: rep.ReportID, Tool: version, OS: runtime.GOOS, OSVersion: osVersion(), Arch: runtime.GOARCH,
		Locale: map[string]string{}, Lang: rep.Lang, TimeZone: zone + " (" + time.Local.String() + ")",
		UTCOffset: now.Format("-07:00"), LocalTime: now.Format(time.RFC3339),
		Proxy: map[string]string{}, Resolvers: resolvers(), ConfigFile: s.File,
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := a.io.Getenv(k); v != "" {
			f.Locale[k] = v
		}
	}
	for _, k := range append(proxyEnvVars, "NO_PROXY", "no_proxy") {
		if v := a.io.Getenv(k); v != "" {
			f.Proxy["env "+k] = redactURL(v)
		}
	}
	if s.Target.Proxy.URL != "" {
		f.Proxy["config proxy.url"] = redactURL(s.Target.Proxy.URL)
	}
	if s.Target.Proxy.PACURL != "" {
		f.Proxy["config proxy.pac_url"] = redactURL(s.Target.Proxy.PACURL)
	}
	return f
}

func readSmall(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	buf := make([]byte, maxFactFileBytes)
	n, _ := f.Read(buf)
	return buf[:n]
}

// builtBundle is a run's ticket bundle once it is built. deliver and
// saveForIT use it one after the other, never at once.
type builtBundle struct{ zip []byte }

// ticketBundle is the run's ticket bundle: built (aside, by ctx's
// deadline) at its first use and the same bytes at every later one, so a
// run that writes --bundle and uploads it (or saves it on the desktop)
// renders the report and copies the screenshot once.
func (a *app) ticketBundle(ctx context.Context, rep *report.Report, p runPlan, red *redactor) ([]byte, error) {
	if p.bundle != nil && p.bundle.zip != nil {
		return p.bundle.zip, nil
	}
	data, err := aside(ctx, func() ([]byte, error) { return a.buildBundle(rep, p.settings, red) })
	if err != nil {
		return nil, err
	}
	if p.bundle != nil {
		p.bundle.zip = data
	}
	return data, nil
}

// buildBundle makes the ticket bundle: the report in three formats, the
// attachments (screenshot), environment facts and a README naming the
// report id — every file scrubbed of secrets.
func (a *app) buildBundle(rep *report.Report, s *settings, red *redactor) ([]byte, error) {
	if a.bundleBuilds != nil {
		a.bundleBuilds.Add(1)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: a.now()})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	var files []string
	for _, f := range []struct{ name, format string }{{"report.md", "markdown"}, {"report.html", "html"}, {"report.json", "json"}} {
		var out bytes.Buffer
		if err := report.Render(&out, rep, f.format, report.RenderOptions{Verbose: true}); err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		if err := add(f.name, red.scrub(out.Bytes())); err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		files = append(files, f.name)
	}
	for _, att := range rep.Attachments {
		if err := add(att.Name, att.Data); err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		files = append(files, att.Name)
	}
	facts, _ := json.MarshalIndent(a.gatherFacts(rep, s), "", "  ")
	if err := add("environment.json", red.scrub(facts)); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	files = append(files, "environment.json")
	readme := a.t("cli.bundle.readme", map[string]any{
		"report_id": rep.ReportID, "target": rep.Target, "verdict": a.t("status."+string(rep.Verdict), nil),
		"started_at": rep.StartedAt.Format(time.RFC3339), "files": "  - " + strings.Join(files, "\n  - "),
	})
	if err := add("README.txt", red.scrub([]byte(readme+"\n"))); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return buf.Bytes(), nil
}
