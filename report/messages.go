package report

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"
)

// Languages lists the languages the catalogs provide, default first.
func Languages() []string { return []string{"en", "zh"} }

// NormalizeLang maps a language or locale name ("zh_CN.UTF-8", "zh-Hans",
// "en-GB", "") to one of Languages; anything unknown becomes "en".
func NormalizeLang(s string) string {
	if s == defaultLang || s == "zh" { // already a catalog's: the common case
		return s
	}
	// A POSIX locale ("zh_CN.UTF-8@pinyin") becomes a BCP 47 tag first.
	s, _, _ = strings.Cut(strings.TrimSpace(s), ".")
	s, _, _ = strings.Cut(s, "@")
	tag, err := language.All.Parse(strings.ReplaceAll(s, "_", "-"))
	if err != nil {
		return defaultLang
	}
	// x/text's matcher knows the aliases (cmn, zh-Hant-TW …); any Chinese
	// reads the Simplified catalog better than the English one.
	_, index, conf := languageMatcher().Match(tag)
	if base, _ := tag.Base(); base.String() == "zh" || (index == 1 && conf != language.No) {
		return "zh"
	}
	return defaultLang
}

// languageMatcher matches a locale to the catalogs' languages, in the
// order English (the fallback), Simplified Chinese.
func languageMatcher() language.Matcher {
	return language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})
}

// LangFromEnv picks the language from the locale environment variables
// the way gettext does: LC_ALL, else LC_MESSAGES, else LANG names the
// locale; LANGUAGE (a colon list) overrides it unless the locale is "C" or
// "POSIX", which mean English.
func LangFromEnv(getenv func(string) string) string {
	locale := ""
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = getenv(name); locale != "" {
			break
		}
	}
	if locale == "C" || locale == "POSIX" || strings.HasPrefix(locale, "C.") {
		return defaultLang
	}
	if first, _, _ := strings.Cut(getenv("LANGUAGE"), ":"); first != "" {
		return NormalizeLang(first)
	}
	return NormalizeLang(locale)
}

// Translator looks up messages in one language, falling back to English.
type Translator struct {
	lang string
	cat  *catalog
	loc  *i18n.Localizer
}

// missingIsEmpty makes a placeholder without a value render as "" instead
// of "<no value>"; data is always a map[string]string.
var missingIsEmpty = &template.TextParser{Option: "missingkey=zero"}

// Messages returns the translator for lang (normalized by NormalizeLang).
// The CLI uses it for its own strings: help, prompts, errors, verdicts.
func Messages(lang string) *Translator { return newTranslator(loadCatalog(), lang) }

func newTranslator(cat *catalog, lang string) *Translator {
	lang = NormalizeLang(lang)
	return &Translator{lang: lang, cat: cat, loc: i18n.NewLocalizer(cat.bundle, lang)}
}

// Lang is the translator's language.
func (t *Translator) Lang() string { return t.lang }

// Has reports whether message id exists in the language or in English.
func (t *Translator) Has(id string) bool {
	_, ok := t.cat.msgs[t.lang][id]
	if !ok {
		_, ok = t.cat.msgs[defaultLang][id]
	}
	return ok
}

// T returns message id filled with params ({{.name}} placeholders). A
// missing message returns id itself, so a gap is visible but never fatal.
func (t *Translator) T(id string, params map[string]any) string {
	data := make(map[string]string, len(params))
	for k, v := range params {
		data[k] = fmt.Sprint(v)
	}
	if s, ok := t.lookup(id, data); ok {
		return s
	}
	return id
}

// first fills the first of ids that the language has, else the first that
// English has: a language's own variant wins over an English one.
func (t *Translator) first(ids []string, data map[string]string) (string, bool) {
	for _, id := range ids {
		if _, own := t.cat.msgs[t.lang][id]; own {
			if s, ok := t.lookup(id, data); ok {
				return s, true
			}
		}
	}
	for _, id := range ids {
		if s, ok := t.lookup(id, data); ok {
			return s, true
		}
	}
	return "", false
}

// lookup fills message id with data; ok is false when the message is
// missing or its template is broken.
func (t *Translator) lookup(id string, data map[string]string) (string, bool) {
	if !t.Has(id) {
		return "", false
	}
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, TemplateParser: missingIsEmpty})
	var notFound *i18n.MessageNotFoundErr
	if err != nil && !errors.As(err, &notFound) {
		return "", false
	}
	return s, s != ""
}
