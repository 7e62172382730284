package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
)

func TestPlanLaunch(t *testing.T) {
	exe := filepath.Join("C:", "Tools", "logindoctor.exe")
	beside := filepath.Join(filepath.Dir(exe), "logindoctor.yaml")
	has := func(p string) bool { return p == beside }
	none := func(string) bool { return false }
	if p := planLaunch(false, []string{"https://crm"}, exe, has); p.doubleClicked || len(p.args) != 1 {
		t.Errorf("from a terminal: %+v", p)
	}
	if p := planLaunch(false, nil, exe, has); p.doubleClicked || len(p.args) != 0 {
		t.Errorf("from a terminal without arguments: %+v (the usual profile search applies)", p)
	}
	if p := planLaunch(true, nil, exe, has); !p.doubleClicked || strings.Join(p.args, " ") != "--config "+beside {
		t.Errorf("double-clicked beside a profile: %+v", p)
	}
	if p := planLaunch(true, nil, exe, none); !p.doubleClicked || len(p.args) != 0 {
		t.Errorf("double-clicked without a profile: %+v (it asks for the address)", p)
	}
}

// countingReader is a fake stdin that records how much was read.
type countingReader struct {
	r    *strings.Reader
	read int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	return n, err
}

// Double-clicked beside the profile IT shipped: the check runs with it,
// the report shows, the bundle is saved for IT (even though no terminal
// check would say "a person"), and the window waits for Enter.
func TestDoubleClickRunsTheShippedProfileAndPauses(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	dir := t.TempDir()
	exe := filepath.Join(dir, "logindoctor.exe")
	profile := "url: " + w.url + "\nca_file: " + w.caFile + "\ncheck_timeout: 3s\nclock:\n  ntp_servers: [\"" + w.ntp + "\"]\n"
	if err := os.WriteFile(filepath.Join(dir, profileName), []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	ios, out, errOut := testStreams(map[string]string{"HOME": home, "USERPROFILE": home, "LANG": "zh_CN.UTF-8", "PATH": os.Getenv("PATH")})
	in := &countingReader{r: strings.NewReader("\n")}
	ios.In = in
	t.Chdir(t.TempDir())
	plan := planLaunch(true, nil, exe, fileExists)
	plan.args = append(plan.args, "--skip", "browser.page,device.browsers")
	code := launch(context.Background(), ios, plan)
	if code != exitFail || !strings.Contains(out.String(), "证书") {
		t.Fatalf("exit %d, want the failing report with the shipped profile\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut.String(), "请把这个文件发给 IT 部门："+home) {
		t.Errorf("the bundle was not saved for IT:\n%s", errOut)
	}
	if !strings.HasSuffix(strings.TrimSpace(errOut.String()), "按回车键关闭此窗口。") || in.read == 0 {
		t.Errorf("the window does not wait for Enter (read %d bytes):\n%s", in.read, errOut)
	}
}
