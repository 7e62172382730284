package main

import (
	"archive/zip"
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/logindoctor/logindoctor/checks"
	"github.com/logindoctor/logindoctor/checks/device"
	"github.com/logindoctor/logindoctor/fixtures/certs"
	"github.com/logindoctor/logindoctor/fixtures/crm"
	"github.com/logindoctor/logindoctor/fixtures/proxy"
)

// headless runs the machine's Chrome/Chromium once on a file with extra
// flags (--screenshot=…, --print-to-pdf=…), in a throw-away profile.
func headless(t *testing.T, page string, flags ...string) {
	t.Helper()
	requireBrowser(t)
	bin, ok := device.FindChrome(context.Background(), checks.NewEnv(checks.Target{}))
	if !ok {
		t.Fatal("no Chrome/Chromium found although one is on PATH")
	}
	args := []string{"--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--no-first-run", "--disable-quic", "--user-data-dir=" + t.TempDir(), "--window-size=1100,1400"}
	if os.Geteuid() == 0 {
		args = append(args, "--no-sandbox")
	}
	args = append(append(args, flags...), "file://"+page)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, out)
	}
}

func TestHTMLReportRendersAndPrints(t *testing.T) {
	w := newWorld(t, certs.Expired, crm.Options{})
	dir := t.TempDir()
	for _, lang := range []string{"en", "zh"} {
		page := filepath.Join(dir, "report-"+lang+".html")
		runCLI(t, w.env(nil), quick(w, "--format", "html", "--lang", lang, "--output", page)...)

		shot := filepath.Join(dir, "shot-"+lang+".png")
		headless(t, page, "--screenshot="+shot)
		img, err := png.Decode(bytes.NewReader(must(os.ReadFile(shot))))
		if err != nil {
			t.Fatalf("%s: screenshot is not a PNG: %v", lang, err)
		}
		if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 600 {
			t.Fatalf("%s: screenshot is only %v", lang, b)
		}
		if dark := darkShare(img); dark < 0.005 {
			t.Fatalf("%s: the rendered report is blank (%.4f of pixels dark)", lang, dark)
		}

		pdf := filepath.Join(dir, "print-"+lang+".pdf")
		headless(t, page, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
		data := must(os.ReadFile(pdf))
		if !bytes.HasPrefix(data, []byte("%PDF")) {
			t.Fatalf("%s: printing gave no PDF", lang)
		}
		if pages := bytes.Count(data, []byte("/Type /Page\n")) + bytes.Count(data, []byte("/Type /Page>>")) + bytes.Count(data, []byte("/Type/Page/")); pages > 4 {
			t.Errorf("%s: the printed report has %d pages; a one-fault report should fit on a few", lang, pages)
		}
	}
}

// darkShare is the share of pixels that are clearly not background.
func darkShare(img image.Image) float64 {
	b := img.Bounds()
	dark, total := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if (r+g+bl)/3 < 0x8000 {
				dark++
			}
			total++
		}
	}
	return float64(dark) / float64(total)
}

// TestBundleCarriesTheScreenshot runs the browser check and expects its
// screenshot, a real picture of the login page, inside the ticket bundle.
func TestBundleCarriesTheScreenshot(t *testing.T) {
	requireBrowser(t)
	w := newWorld(t, certs.Valid, crm.Options{})
	bundle := filepath.Join(t.TempDir(), "ticket.zip")
	code, out, errOut := runCLI(t, w.env(nil), w.url, "--ca-file", w.caFile, "--check-timeout", "15s", "--skip", "device.browsers", "--bundle", bundle)
	if code != exitPass {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	zr, err := zip.OpenReader(bundle)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != "screenshot.png" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("screenshot.png is not a PNG: %v", err)
		}
		if darkShare(img) < 0.001 {
			t.Fatal("screenshot.png is blank")
		}
		return
	}
	t.Fatal("the bundle has no screenshot.png")
}

// TestBrowserTakesTheProxyRoute: with a proxy in the environment, Chrome
// reaches even a loopback CRM through it, as the other checks do.
func TestBrowserTakesTheProxyRoute(t *testing.T) {
	requireBrowser(t)
	w := newWorld(t, certs.Valid, crm.Options{})
	for name, cfg := range map[string]proxy.Config{"open proxy": {}, "proxy with a password": {User: "alice", Password: "pw-7Qx"}} {
		t.Run(name, func(t *testing.T) {
			p, err := proxy.Start(cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { p.Close() })
			env := w.env(map[string]string{"HTTPS_PROXY": p.URLWithAuth(cfg.User, cfg.Password).String()})
			if cfg.User == "" {
				env["HTTPS_PROXY"] = p.URL().String()
			}
			code, out, errOut := runCLI(t, env, w.url, "--ca-file", w.caFile, "--check-timeout", "15s", "--only", "browser.page", "--format", "json")
			if code != exitPass {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			if p.Connects() == 0 {
				t.Fatal("Chrome did not go through the proxy")
			}
		})
	}
}
