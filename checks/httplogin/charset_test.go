package httplogin

import (
	"net/http"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestMaintenanceInAGBKPage(t *testing.T) {
	html := "<html><head><title>系统维护中</title></head><body>系统正在升级维护，请稍后再试。</body></html>"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(html))
	if err != nil {
		t.Fatal(err)
	}
	for name, header := range map[string]string{
		"charset in the header": "text/html; charset=GBK",
		"charset in the page":   "text/html",
	} {
		body := gbk
		if header == "text/html" {
			meta, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(`<meta charset="gb2312">` + html))
			body = meta
		}
		pg := &page{status: http.StatusOK, header: http.Header{"Content-Type": {header}}, body: body}
		if why, ok := maintenance(pg); !ok {
			t.Errorf("%s: a GBK maintenance page was not recognised", name)
		} else {
			t.Logf("%s: %s", name, why)
		}
	}
	plain := &page{status: http.StatusOK, header: http.Header{"Content-Type": {"text/html; charset=GBK"}}, body: []byte("<title>Login</title><input type=password>")}
	if _, ok := maintenance(plain); ok {
		t.Error("an ordinary login page was taken for a maintenance page")
	}
}
