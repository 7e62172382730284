package report

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// realisticParams are the values checks really put into params, with the
// browser's jargon where browser.page puts it (error, reason, message).
func realisticParams(reason string) map[string]string {
	return map[string]string{
		"host": "crm.example.com", "endpoint": "crm.example.com:443", "port": "443", "proxy": "proxy.corp:8080",
		"error": "ERR_CERT_DATE_INVALID", "reason": reason, "cookie": "JSESSIONID",
		"message": "TypeError: Cannot read properties of undefined (reading 'submit')",
		"source":  "https://crm.example.com/static/app.js", "resource": "https://cdn.example.com/app.js",
		"popup_host": "sso.example.com", "selector": "input[type=password]", "seconds": "12", "waiting_for": "cdn.example.com",
		"user": "zhang.san", "admin": "Okta", "status": "503", "issuer": "Corp Inspection CA", "version": "TLS 1.0",
		"not_after": "2026-11-01", "not_before": "2026-12-01", "days": "3", "names": "www.example.com",
		"pac_url": "http://wpad.corp/wpad.dat", "setting": "HTTPS_PROXY", "schemes": "Negotiate",
	}
}

// jargon matches what a person must not meet in a headline: Chrome's
// net::ERR_… and ERR_… codes, a script's exception, and CamelCase tokens
// like Chrome's cookie reasons (SameSiteNoneInsecure, InvalidDomain).
var jargon = regexp.MustCompile(`net::ERR_|\bERR_[A-Z_]+|TypeError|\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b`)

func TestTitlesHaveNoBrowserJargon(t *testing.T) {
	reasons := []string{"net::ERR_CONNECTION_REFUSED", "SameSiteNoneInsecure, InvalidDomain", "net::ERR_BLOCKED_BY_CLIENT"}
	for _, lang := range Languages() {
		tr := Messages(lang)
		for _, row := range ReasonCodes() {
			for _, code := range row.Codes {
				for _, reason := range reasons {
					title, ok := tr.lookup(code+".title", realisticParams(reason))
					if !ok {
						continue
					}
					// Names of products and places in the params are not jargon.
					title = strings.NewReplacer("JSESSIONID", "", "Okta", "").Replace(title)
					if m := jargon.FindString(title); m != "" {
						t.Errorf("%s %s.title shows %q: %s", lang, code, m, title)
					}
				}
			}
		}
	}
}

// staffOwnedCodes are the reason codes every check emits only with owner
// it or admin (see checks/*: no variant of these hands them to "you").
var staffOwnedCodes = []string{
	"CHECK_ERROR", "DNS_SERVFAIL", "DNS_HOSTS_OVERRIDE", "DNS_MISMATCH",
	"PROXY_PAC_UNREACHABLE", "PAC_ERROR", "PAC_TIMEOUT", "PROXY_DENIED",
	"TLS_EXPIRED", "TLS_NOT_YET_VALID", "TLS_EXPIRING_SOON", "TLS_HOSTNAME_MISMATCH", "TLS_UNTRUSTED",
	"TLS_INTERCEPTED", "TLS_OLD_PROTOCOL", "TLS_INCOMPLETE_CHAIN", "TLS_PLAINTEXT",
	"HTTP_STATUS", "HTTP_REDIRECT_LOOP", "HTTP_TIMEOUT",
	"ACCOUNT_DISABLED", "ACCOUNT_LOCKED", "ACCOUNT_API_AUTH", "ACCOUNT_API_UNREACHABLE",
	"BROWSER_COOKIE_REJECTED", "BROWSER_JS_ERROR", "BROWSER_NO_LOGIN_FORM",
	"DNS_TIMEOUT", "DNS_NO_ADDRESS", // dns.resolve, net.reach, http.login hops: owner it in every variant
	"PROXY_UNREACHABLE", // proxy.route (env, config, invalid, failover too), netfail: owner it
	"NET_PATH_MTU", "HTTP_SLOW", "HTTP_NEGOTIATE",
	"BROWSER_CERT_ERROR", "BROWSER_RESOURCE_BLOCKED", "BROWSER_TIMEOUT",
	"TLS_CLIENT_CERT_REQUIRED", // tlscert: owner it (only IT can enroll a device)
}

// staffOwnedSteps are the step messages of codes whose owner depends on
// the variant, for the variants every check emits only with owner it or
// admin ("CODE.steps" is the default, also shown for a variant without
// steps of its own). The variants left out are the person's (NET_*.vpn,
// PROXY_AUTH_REQUIRED.credentials_*) or depend on the host's role
// (DNS_NXDOMAIN: owner you for the login host).
var staffOwnedSteps = []string{
	// net.reach (owner it unless vpn), tls.certificate and http.login (NetFailure: owner it).
	"NET_REFUSED.steps", "NET_REFUSED.steps.proxy",
	"NET_TIMEOUT.steps", "NET_TIMEOUT.steps.proxy",
	"NET_UNREACHABLE.steps", "NET_UNREACHABLE.steps.proxy",
	// proxy.route: a system or PAC proxy's sign-in, Windows-only sign-in (credentials_* are yours).
	"PROXY_AUTH_REQUIRED.steps", "PROXY_AUTH_REQUIRED.steps.windows_sso",
	// tlscert.HandshakeFailure: owner admin (client_cert is TLS_CLIENT_CERT_REQUIRED now).
	"TLS_HANDSHAKE_FAILED.steps", "TLS_HANDSHAKE_FAILED.steps.timeout", "TLS_HANDSHAKE_FAILED.steps.not_tls",
	"TLS_HANDSHAKE_FAILED.steps.closed", "TLS_HANDSHAKE_FAILED.steps.alert",
	// Reports saved before TLS_CLIENT_CERT_REQUIRED existed still carry this variant.
	"TLS_HANDSHAKE_FAILED.steps.client_cert",
	// account: a staged account is the administrator's to activate.
	"ACCOUNT_MUST_CHANGE_PASSWORD.steps.staged",
	// browser.page: a sandboxed login page is the administrator's to fix.
	"BROWSER_COOKIES_DISABLED.steps.site",
}

// opensWithNothingToDo reports whether a step tells the person first that
// the fix is not theirs: "Nothing to do on your computer…" in English, a
// leading clause with 您这边…无需 in Chinese.
func opensWithNothingToDo(lang, step string) bool {
	if lang == "zh" {
		lead, _, _ := strings.Cut(step, "：")
		return strings.Contains(lead, "您这边") && strings.Contains(lead, "无需")
	}
	return strings.HasPrefix(step, "Nothing to do on your computer")
}

// TestStaffOwnedStepsDoNotOpenWithTheUsersChore: under "Who can fix it:
// IT" the first step must not be a chore for the person at the keyboard.
func TestStaffOwnedStepsDoNotOpenWithTheUsersChore(t *testing.T) {
	msgs, err := readCatalogs(catalogFiles)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages() {
		var ids []string
		for id := range msgs[lang] {
			for _, code := range staffOwnedCodes {
				if id == code+".steps" || strings.HasPrefix(id, code+".steps.") {
					ids = append(ids, id)
				}
			}
		}
		sort.Strings(ids)
		if len(ids) < len(staffOwnedCodes) {
			t.Fatalf("%s: only %d step messages for %d codes", lang, len(ids), len(staffOwnedCodes))
		}
		for _, id := range staffOwnedSteps {
			if _, ok := msgs[lang][id]; !ok {
				t.Errorf("%s: no message %s", lang, id)
				continue
			}
			ids = append(ids, id)
		}
		for _, id := range ids {
			steps := splitSteps(msgs[lang][id])
			if len(steps) == 0 || !opensWithNothingToDo(lang, steps[0]) {
				t.Errorf("%s %s opens with a step for the person: %q", lang, id, steps[0])
			}
		}
	}
}

// TestNoStepPutsAPasswordIntoAFile: secrets come from the environment or
// an owner-only file that IT sets up, never from the profile.
func TestNoStepPutsAPasswordIntoAFile(t *testing.T) {
	msgs, err := readCatalogs(catalogFiles)
	if err != nil {
		t.Fatal(err)
	}
	secret := regexp.MustCompile(`(?i)password|密码`)
	file := regexp.MustCompile(`(?i)profile|logindoctor\.yaml|配置文件`)
	advice := regexp.MustCompile(`(?i)\b(put|write|add|enter|store|set)\b|写进|填进|写入|填入|填写`)
	negated := regexp.MustCompile(`(?i)\bnever\b|\bnot\b|不要|别|不能`)
	for lang, m := range msgs {
		for id, src := range m {
			for _, line := range strings.Split(src, "\n") {
				if secret.MatchString(line) && file.MatchString(line) && advice.MatchString(line) && !negated.MatchString(line) {
					t.Errorf("%s %s advises a secret in a file: %s", lang, id, line)
				}
			}
		}
	}
}

// TestChineseUsesThePoliteYou: one register, 您, in every Chinese message.
func TestChineseUsesThePoliteYou(t *testing.T) {
	msgs, err := readCatalogs(catalogFiles)
	if err != nil {
		t.Fatal(err)
	}
	for id, src := range msgs["zh"] {
		if strings.ContainsRune(src, '你') {
			t.Errorf("zh %s uses 你 (use 您): %s", id, src)
		}
	}
}

// TestOwnerByRouteStepsOpenForThatOwner: net.quality gives its codes to IT
// when it measured the path to the proxy (param proxy set) and to the
// person otherwise; the first step follows that owner.
func TestOwnerByRouteStepsOpenForThatOwner(t *testing.T) {
	for _, lang := range Languages() {
		tr := Messages(lang)
		for _, code := range []string{"NET_HIGH_LATENCY", "NET_PACKET_LOSS", "NET_SLOW_LINK"} {
			for _, proxy := range []string{"proxy.corp:8080", ""} {
				params := realisticParams("")
				params["proxy"] = proxy
				src, ok := tr.lookup(code+".steps", params)
				steps := splitSteps(src)
				if !ok || len(steps) == 0 {
					t.Fatalf("%s %s.steps: no steps", lang, code)
				}
				if staff := proxy != ""; opensWithNothingToDo(lang, steps[0]) != staff {
					t.Errorf("%s %s.steps (proxy %q, owner it: %t) opens with %q", lang, code, proxy, staff, steps[0])
				}
			}
		}
	}
}

// englishCondition is a leading condition or setting ("If you are on
// Wi-Fi, ", "On the login page, ") before the step's main clause.
var englishCondition = regexp.MustCompile(`^(?:If|On|In|When|Once|Until|Before|After)\b[^,:.;]*,\s+`)

// englishImperatives are the verbs a first step may open with (after a
// leading condition). A step that opens with anything else — a subject such
// as "The server…", "Your account…", "{{.host}} is…", "This is not…" — is
// an explanation: put the action first and the reason after a colon.
var englishImperatives = map[string]bool{
	"allow": true, "ask": true, "check": true, "connect": true, "do": true, "find": true,
	"fix": true, "give": true, "have": true, "install": true, "log": true, "look": true,
	"nothing": true, "open": true, "set": true, "type": true, "update": true, "use": true,
	"wait": true, "tell": true, "restart": true, "run": true, "close": true, "turn": true,
	"click": true, "choose": true, "enter": true, "stop": true, "change": true, "try": true,
	"move": true, "contact": true, "call": true, "remove": true, "reset": true,
}

// chineseCondition is a leading condition (如果…，) before the step's main
// clause.
var chineseCondition = regexp.MustCompile(`^(?:如果|若|假如)[^，：。；]*，`)

// chineseAction matches a Chinese main clause that opens with something to
// do: 请…, a verb, a prohibition (不要), or "nothing to do" (无需/不需要).
var chineseAction = regexp.MustCompile(`^(?:请|先|打开|点击|检查|核对|安装|更新|升级|用|使用|改用|登录|找到|在|允许|从|通过|输入|连上|连接|确认|等|重启|运行|关闭|联系|告诉|把|换|下载|设置|不要|别)`)

// chineseLead matches a first clause (up to the first ：，。；) that asks
// (请) the person or tells them there is nothing for them to do.
var chineseLead = regexp.MustCompile(`^[^：，。；]*(?:请|无需|不需要)`)

// opensWithAction reports whether a rendered first step starts with
// something to do rather than with an explanation.
func opensWithAction(lang, step string) bool {
	if lang == "zh" {
		if chineseLead.MatchString(step) {
			return true
		}
		main := chineseCondition.ReplaceAllString(step, "")
		return chineseAction.MatchString(main) || chineseLead.MatchString(main)
	}
	if strings.HasPrefix(step, "Nothing to do") || strings.HasPrefix(step, "Nothing to fix") {
		return true
	}
	main := englishCondition.ReplaceAllString(step, "")
	word, _, _ := strings.Cut(main, " ")
	return englishImperatives[strings.ToLower(strings.Trim(word, `"'`))]
}

// TestFirstStepIsAnAction: step 1) of every code and variant, in every
// language, is something to do for whoever "Who can fix it" names; why it
// is needed comes after it (after a colon, or in a later step). Both
// branches of an {{if .proxy}} step are rendered.
func TestFirstStepIsAnAction(t *testing.T) {
	msgs, err := readCatalogs(catalogFiles)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages() {
		tr := Messages(lang)
		var ids []string
		for id := range msgs[lang] {
			if strings.HasSuffix(id, ".steps") || strings.Contains(id, ".steps.") {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		if len(ids) < 100 {
			t.Fatalf("%s: only %d step messages", lang, len(ids))
		}
		for _, id := range ids {
			if id == "label.steps" {
				continue
			}
			for _, proxy := range []string{"proxy.corp:8080", ""} {
				params := realisticParams("")
				params["proxy"] = proxy
				src, ok := tr.lookup(id, params)
				steps := splitSteps(src)
				if !ok || len(steps) == 0 {
					t.Errorf("%s %s: no steps", lang, id)
					continue
				}
				if !opensWithAction(lang, steps[0]) {
					t.Errorf("%s %s (proxy %q) opens with an explanation, not something to do: %q", lang, id, proxy, steps[0])
				}
			}
		}
	}
}
