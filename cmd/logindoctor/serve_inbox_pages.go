package main

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/report"
)

// maxListedReports bounds the reports one /reports page reads.
const maxListedReports = 500

// readReport parses a stored or uploaded report.json and checks its id,
// which names its directory.
func readReport(raw []byte) (*report.Report, error) {
	rep, err := report.ReadJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("report.json: %w", err)
	}
	if !report.ValidReportID(rep.ReportID) {
		return nil, errors.New("report.json: report_id is not of the form LD-XXXXXX")
	}
	return rep, nil
}

// inboxRow is one report in the list.
type inboxRow struct {
	ID, Target, Verdict, Received string
	// VerdictText is Verdict in the page's language (Verdict stays the
	// CSS class).
	VerdictText        string
	Code, Owner, Title string
	// OwnerText is Owner in the page's language.
	OwnerText string
	received  time.Time
}

// choice is one <option> of a filter: the value sent, the label shown.
type choice struct{ Value, Label string }

// filterChoices are the owner and stage filters' options, labelled in the
// page's language: stages as the reports name them, owners as the helpdesk
// says them (words holds them as "owner_" + owner).
func filterChoices(tr *report.Translator, words map[string]string) (owners, stages []choice) {
	for _, o := range []checks.Owner{checks.OwnerYou, checks.OwnerIT, checks.OwnerAdmin} {
		owners = append(owners, choice{string(o), words["owner_"+string(o)]})
	}
	for _, st := range checks.Stages {
		stages = append(stages, choice{string(st), tr.T("stage."+string(st), nil)})
	}
	return owners, stages
}

// pageLang is the pages' language: ?lang=, else the browser's
// Accept-Language, else English.
func pageLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "en" || l == "zh" {
		return l
	}
	if strings.HasPrefix(strings.ToLower(r.Header.Get("Accept-Language")), "zh") {
		return "zh"
	}
	return "en"
}

// matches applies the list's filters: a reason code, an owner or a stage
// that some fix (or non-passing result) of the report has.
func matches(rep *report.Report, code, owner, stage string) bool {
	if code != "" && !anyResult(rep, func(e report.Entry) bool { return e.Code == code && e.Status != checks.StatusPass }) {
		return false
	}
	if owner != "" {
		ok := false
		for _, f := range rep.Fixes {
			ok = ok || string(f.Owner) == owner
		}
		if !ok {
			return false
		}
	}
	if stage != "" && !anyResult(rep, func(e report.Entry) bool { return string(e.Stage) == stage && e.Status.Rank() > 0 }) {
		return false
	}
	return true
}

func anyResult(rep *report.Report, f func(report.Entry) bool) bool {
	for _, e := range rep.Results {
		if f(e) {
			return true
		}
	}
	return false
}

func (s *server) inboxAuth(w http.ResponseWriter, r *http.Request) bool {
	if authorized(r, s.inbox.read) {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="logindoctor inbox (user: any, password: the read token)"`)
	http.Error(w, errUnauthorized.Error(), http.StatusUnauthorized)
	return false
}

// pageHeaders keep the pages inert: nothing but their own images and
// inline styles, never framed, never sniffed.
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

func (s *server) handleReportList(w http.ResponseWriter, r *http.Request) {
	if !s.inboxAuth(w, r) {
		return
	}
	q := r.URL.Query()
	lang := pageLang(r)
	code, owner, stage, id := q.Get("code"), q.Get("owner"), q.Get("stage"), strings.ToUpper(strings.TrimSpace(q.Get("id")))
	entries, err := os.ReadDir(s.inbox.dir)
	if err != nil {
		http.Error(w, "cannot read the inbox", http.StatusInternalServerError)
		return
	}
	var rows []inboxRow
	for _, e := range entries {
		if !e.IsDir() || !report.ValidReportID(e.Name()) || (id != "" && e.Name() != id) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		rows = append(rows, inboxRow{ID: e.Name(), received: info.ModTime()})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].received.After(rows[j].received) })
	var shown []inboxRow
	tr, words := report.Messages(lang), listWords[lang]
	for _, row := range rows[:min(len(rows), maxListedReports)] {
		rep, err := s.inbox.load(row.ID)
		if err != nil || !matches(rep, code, owner, stage) {
			continue
		}
		rep.Localize(lang)
		row.Target, row.Verdict, row.Received = rep.Target, string(rep.Verdict), row.received.UTC().Format("2006-01-02 15:04 UTC")
		row.VerdictText = tr.T("status."+row.Verdict, nil)
		if len(rep.Fixes) > 0 {
			row.Code, row.Owner, row.Title = rep.Fixes[0].Code, string(rep.Fixes[0].Owner), rep.Fixes[0].Title
			row.OwnerText = words["owner_"+row.Owner]
		}
		shown = append(shown, row)
	}
	pageHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	owners, stages := filterChoices(tr, words)
	_ = listPage.Execute(w, map[string]any{"Lang": lang, "W": words, "Rows": shown,
		"Code": code, "Owner": owner, "Stage": stage, "ID": id, "Stages": stages, "Owners": owners})
}

// load reads DIR/ID/report.json.
func (in *inbox) load(id string) (*report.Report, error) {
	if !report.ValidReportID(id) {
		return nil, os.ErrNotExist
	}
	raw, err := readRegular(filepath.Join(in.dir, id, "report.json"), report.MaxReportSize)
	if err != nil {
		return nil, err
	}
	return readReport(raw)
}

func (s *server) handleReportPage(w http.ResponseWriter, r *http.Request) {
	if !s.inboxAuth(w, r) {
		return
	}
	id := r.PathValue("id")
	rep, err := s.inbox.load(id)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	lang := pageLang(r)
	rep.Localize(lang)
	var buf bytes.Buffer
	opts := report.RenderOptions{Verbose: true}
	// The screenshot shows where the report puts it, after the fixes.
	if _, err := os.Lstat(filepath.Join(s.inbox.dir, id, "screenshot.png")); err == nil {
		opts.ScreenshotPath = "/reports/" + id + "/screenshot.png"
	}
	if err := report.Render(&buf, rep, "html", opts); err != nil {
		http.Error(w, "cannot render the report", http.StatusInternalServerError)
		return
	}
	page := buf.String()
	extra := fmt.Sprintf(`<p><a href="/reports?lang=%s">%s</a></p>`, lang, template.HTMLEscapeString(listWords[lang]["back"]))
	// The inbox's link back to the list goes right after <body>.
	if i := strings.Index(page, "<body"); i >= 0 {
		if j := strings.IndexByte(page[i:], '>'); j >= 0 {
			page = page[:i+j+1] + extra + page[i+j+1:]
		}
	} else {
		page = extra + page
	}
	pageHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(page))
}

func (s *server) handleScreenshot(w http.ResponseWriter, r *http.Request) {
	if !s.inboxAuth(w, r) {
		return
	}
	id := r.PathValue("id")
	if !report.ValidReportID(id) {
		http.NotFound(w, r)
		return
	}
	data, err := readRegular(filepath.Join(s.inbox.dir, id, "screenshot.png"), maxBundleFileBytes)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	pageHeaders(w)
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(data)
}

// listWords are the pages' own words; the reports' texts come from the
// report catalogs. A report tells the person at the keyboard "you"; the
// helpdesk's page names who fixes it from the helpdesk's side.
var listWords = map[string]map[string]string{
	"en": {"title": "logindoctor inbox", "id": "Report", "received": "Received", "target": "Login page", "verdict": "Verdict",
		"code": "Top code", "owner": "Owner", "fix": "First fix", "filter": "Filter", "stage": "Stage", "any": "any",
		"none": "No reports match.", "back": "← all reports",
		"owner_you": "the employee", "owner_it": "IT", "owner_admin": "CRM administrator"},
	"zh": {"title": "logindoctor 报告收件箱", "id": "报告", "received": "收到时间", "target": "登录页面", "verdict": "结论",
		"code": "首要代码", "owner": "负责方", "fix": "首要修复", "filter": "筛选", "stage": "阶段", "any": "全部",
		"none": "没有符合条件的报告。", "back": "← 全部报告",
		"owner_you": "员工本人", "owner_it": "IT 部门", "owner_admin": "CRM 管理员"},
}

var listPage = template.Must(template.New("list").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{index .W "title"}}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.fail{color:#b00}.warn{color:#a60}td:nth-child(-n+2),td:nth-child(4){white-space:nowrap}</style>
</head><body>
<h1>{{index .W "title"}}</h1>
<form method="get" action="/reports">
<input type="hidden" name="lang" value="{{.Lang}}">
{{index .W "id"}} <input name="id" value="{{.ID}}" size="10">
{{index .W "code"}} <input name="code" value="{{.Code}}" size="22">
{{index .W "owner"}} <select name="owner"><option value="">{{index .W "any"}}</option>{{range .Owners}}<option value="{{.Value}}"{{if eq .Value $.Owner}} selected{{end}}>{{.Label}}</option>{{end}}</select>
{{index .W "stage"}} <select name="stage"><option value="">{{index .W "any"}}</option>{{range .Stages}}<option value="{{.Value}}"{{if eq .Value $.Stage}} selected{{end}}>{{.Label}}</option>{{end}}</select>
<button>{{index .W "filter"}}</button> · <a href="/reports?lang=en">English</a> · <a href="/reports?lang=zh">中文</a>
</form>
{{if .Rows}}<table><tr><th>{{index .W "id"}}</th><th>{{index .W "received"}}</th><th>{{index .W "target"}}</th><th>{{index .W "verdict"}}</th><th>{{index .W "code"}}</th><th>{{index .W "owner"}}</th><th>{{index .W "fix"}}</th></tr>
{{range .Rows}}<tr><td><a href="/reports/{{.ID}}?lang={{$.Lang}}">{{.ID}}</a></td><td>{{.Received}}</td><td>{{.Target}}</td><td class="{{.Verdict}}">{{.VerdictText}}</td><td>{{.Code}}</td><td>{{.OwnerText}}</td><td>{{.Title}}</td></tr>
{{end}}</table>{{else}}<p>{{index .W "none"}}</p>{{end}}
</body></html>
`))
