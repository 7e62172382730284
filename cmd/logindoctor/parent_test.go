package main

import (
	"archive/zip"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
)

// TestParentCommandWithoutWorkIsAUsageError: `report rendr x.json` and a
// bare `report` are mistakes (exit 2, naming the command meant), not help
// and success.
func TestParentCommandWithoutWorkIsAUsageError(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "rendr", "x.json"}, "did you mean logindoctor report render"},
		{[]string{"report"}, "needs a command: render"},
	} {
		code, out, errOut := runCLI(t, nil, tc.args...)
		if code != exitUsage || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("%v: exit %d, output %q; want exit %d saying %q", tc.args, code, out+errOut, exitUsage, tc.want)
		}
	}
}

// TestListNamesStagesInTheReadersLanguage: `list` in Chinese names the
// stages in Chinese, aligned by display width.
func TestListNamesStagesInTheReadersLanguage(t *testing.T) {
	code, out, _ := runCLI(t, nil, "list", "--lang", "zh")
	if code != exitPass || !strings.Contains(out, "clock.skew       电脑与设备") || strings.Contains(out, " device ") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// TestBundleReadmeVerdictInTheReadersLanguage: the bundle's README says
// the verdict as a word of the reader's language (未通过), not "fail".
func TestBundleReadmeVerdictInTheReadersLanguage(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	bundle := filepath.Join(t.TempDir(), "ticket.zip")
	code, _, errOut := runCLI(t, w.env(nil), quick(w, "--bundle", bundle, "--lang", "zh")...)
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	zr, err := zip.OpenReader(bundle)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != "README.txt" {
			continue
		}
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if !strings.Contains(string(data), "未通过") || strings.Contains(string(data), "fail") {
			t.Errorf("README.txt:\n%s", data)
		}
		return
	}
	t.Fatal("no README.txt in the bundle")
}
