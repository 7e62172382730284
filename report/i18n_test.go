package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"text/template"
	"text/template/parse"
)

// catalogProblems lists every way the languages disagree: a key missing in
// a language, different placeholders, or a template that does not parse.
func catalogProblems(msgs map[string]map[string]string) []string {
	var langs []string
	keys := map[string]bool{}
	for lang, m := range msgs {
		langs = append(langs, lang)
		for k := range m {
			keys[k] = true
		}
	}
	sort.Strings(langs)
	var problems []string
	for _, k := range sortedKeys(keys) {
		var ref []string
		refLang := ""
		for _, lang := range langs {
			src, ok := msgs[lang][k]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: missing in %s", k, lang))
				continue
			}
			names, err := placeholders(src)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s (%s): %v", k, lang, err))
				continue
			}
			if refLang == "" {
				ref, refLang = names, lang
			} else if !slices.Equal(ref, names) {
				problems = append(problems, fmt.Sprintf("%s: placeholders %v in %s but %v in %s", k, ref, refLang, names, lang))
			}
		}
	}
	return problems
}

// placeholders parses src as a Go template and returns the sorted, unique
// names of its {{.name}} fields.
func placeholders(src string) ([]string, error) {
	tmpl, err := template.New("").Parse(src)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	walkFields(tmpl.Root, set)
	return sortedKeys(set), nil
}

func walkFields(n parse.Node, set map[string]bool) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walkFields(c, set)
			}
		}
	case *parse.ActionNode:
		walkFields(n.Pipe, set)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				walkFields(c, set)
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walkFields(a, set)
		}
	case *parse.FieldNode:
		set[n.Ident[0]] = true
	case *parse.IfNode:
		walkBranch(&n.BranchNode, set)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, set)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, set)
	}
}

func walkBranch(b *parse.BranchNode, set map[string]bool) {
	walkFields(b.Pipe, set)
	walkFields(b.List, set)
	if b.ElseList != nil {
		walkFields(b.ElseList, set)
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestCatalogsAgree loads every catalog file that exists, in every
// language, and requires the same keys and placeholders everywhere.
func TestCatalogsAgree(t *testing.T) {
	msgs, err := readCatalogs(catalogFiles)
	if err != nil {
		t.Fatalf("loading catalogs: %v", err)
	}
	for _, lang := range Languages() {
		if len(msgs[lang]) == 0 {
			t.Errorf("no messages for language %s", lang)
		}
	}
	for lang := range msgs {
		if !slices.Contains(Languages(), lang) {
			t.Errorf("catalog directory %s is not one of Languages() %v", lang, Languages())
		}
	}
	for _, p := range catalogProblems(msgs) {
		t.Error(p)
	}
	if err := CatalogError(); err != nil {
		t.Errorf("CatalogError: %v", err)
	}
}

// TestCatalogProblemsDetects proves the agreement test can fail.
func TestCatalogProblemsDetects(t *testing.T) {
	msgs := map[string]map[string]string{
		"en": {"A.title": "Hi {{.name}}", "B.title": "only English", "C.title": "{{.x}} {{if .y}}y{{end}}", "D.title": "ok"},
		"zh": {"A.title": "你好 {{.nome}}", "C.title": "{{.x}}{{if .y}}y{{end}}", "D.title": "{{.broken"},
	}
	got := strings.Join(catalogProblems(msgs), "\n")
	for _, want := range []string{"A.title: placeholders [name] in en but [nome] in zh", "B.title: missing in zh", "D.title (zh)"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems do not mention %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "C.title") {
		t.Errorf("C.title agrees but was reported:\n%s", got)
	}
}

func TestReadCatalogsRejectsBadFiles(t *testing.T) {
	tests := []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"duplicate key across files", fstest.MapFS{
			"i18n/en/a.yaml": {Data: []byte("X.title: one\n")},
			"i18n/en/b.yaml": {Data: []byte("X.title: two\n")},
		}, `"X.title" is already defined in i18n/en/a.yaml`},
		{"nested map", fstest.MapFS{
			"i18n/en/a.yaml": {Data: []byte("X:\n  title: one\n")},
		}, "i18n/en/a.yaml"},
		{"empty message", fstest.MapFS{
			"i18n/en/a.yaml": {Data: []byte("X.title: \"\"\n")},
		}, `"X.title" is empty`},
		{"not YAML", fstest.MapFS{
			"i18n/zh/a.yaml": {Data: []byte(": : :\n\t- [")},
		}, "i18n/zh/a.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readCatalogs(tt.fs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want mention of %q", err, tt.want)
			}
		})
	}
}

// TestEveryReasonCodeHasMessages requires a title and steps in every
// language for every reason code.
func TestEveryReasonCodeHasMessages(t *testing.T) {
	msgs, err := readCatalogs(catalogFiles)
	if err != nil {
		t.Fatalf("loading catalogs: %v", err)
	}
	for _, row := range ReasonCodes() {
		for _, code := range row.Codes {
			t.Run(code, func(t *testing.T) {
				var missing []string
				for _, lang := range Languages() {
					for _, id := range []string{code + ".title", code + ".steps"} {
						if _, ok := msgs[lang][id]; !ok {
							missing = append(missing, lang+":"+id)
						}
					}
				}
				if len(missing) == 0 {
					return
				}
				t.Errorf("missing messages %v", missing)
			})
		}
	}
}

// TestCoreKeysExist covers every message the report and renderers look up
// by a fixed ID.
func TestCoreKeysExist(t *testing.T) {
	keys := []string{"fix.owner", "fix.explained_by", "fix.no_steps", "fix.see", "start_here",
		"verdict.pass", "verdict.warn.one", "verdict.warn.other", "verdict.fail.one", "verdict.fail.other", "verdict.line",
		"section.fixes", "section.checks", "section.details", "section.no_fixes", "hint.verbose", "hint.report_id"}
	for _, p := range []string{"owner", "status", "severity"} {
		for _, v := range enumValues(p) {
			keys = append(keys, p+"."+v)
		}
	}
	for _, s := range []string{"device", "network", "account", "browser", "policy"} {
		keys = append(keys, "stage."+s)
	}
	for _, row := range ReasonCodes() {
		if row.Check != AnyCheck {
			keys = append(keys, "check."+row.Check)
		}
	}
	msgs, err := readCatalogs(catalogFiles)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages() {
		for _, k := range keys {
			if _, ok := msgs[lang][k]; !ok {
				t.Errorf("%s: missing %s", lang, k)
			}
		}
	}
}

func enumValues(kind string) []string {
	switch kind {
	case "owner":
		return []string{"you", "it", "admin"}
	case "status":
		return []string{"pass", "warn", "fail", "skip", "error"}
	}
	return []string{"info", "low", "high", "critical"}
}

func TestTranslator(t *testing.T) {
	en, zh := Messages("en_US.UTF-8"), Messages("zh_CN.UTF-8")
	if en.Lang() != "en" || zh.Lang() != "zh" {
		t.Fatalf("langs = %s, %s", en.Lang(), zh.Lang())
	}
	tests := []struct {
		tr     *Translator
		id     string
		params map[string]any
		want   string
	}{
		{en, "verdict.fail.other", map[string]any{"count": 3}, "3 problems found"},
		{zh, "verdict.fail.other", map[string]any{"count": 3}, "发现 3 个问题"},
		{en, "owner.admin", nil, "your CRM administrator"},
		{zh, "owner.it", nil, "IT 部门"},
		{en, "no.such.message", nil, "no.such.message"},
		{en, "fix.see", nil, "see fix "}, // a missing value is empty, never "<no value>"
	}
	for _, tt := range tests {
		if got := tt.tr.T(tt.id, tt.params); got != tt.want {
			t.Errorf("%s T(%s) = %q, want %q", tt.tr.Lang(), tt.id, got, tt.want)
		}
	}
}

func TestLanguageChoice(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "en"},
		{map[string]string{"LANG": "zh_CN.UTF-8"}, "zh"},
		{map[string]string{"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, "en"},
		{map[string]string{"LANGUAGE": "zh_CN", "LC_ALL": "C.UTF-8"}, "en"},
		{map[string]string{"LANG": "en_GB.UTF-8", "LC_ALL": "zh_TW"}, "zh"},
		{map[string]string{"LANGUAGE": "zh_CN:en", "LANG": "en_US"}, "zh"},
		{map[string]string{"LANG": "de_DE.UTF-8"}, "en"},
	}
	for _, tt := range tests {
		if got := LangFromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("LangFromEnv(%v) = %s, want %s", tt.env, got, tt.want)
		}
	}
	for in, want := range map[string]string{"zh-Hans": "zh", "ZH": "zh", "en": "en", "": "en", "fr": "en", "cmn_TW": "zh", "zh_CN.UTF-8@pinyin": "zh", "zh-Hant-HK": "zh", "yue": "en", "C": "en", "en_US.UTF-8": "en"} {
		if got := NormalizeLang(in); got != want {
			t.Errorf("NormalizeLang(%q) = %s, want %s", in, got, want)
		}
	}
}
