package report

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// catalogFiles are the message catalogs: i18n/<lang>/<area>.yaml, each a
// flat YAML map from message ID to a Go template.
//
//go:embed i18n/*/*.yaml
var catalogFiles embed.FS

// defaultLang is the language every other one falls back to.
const defaultLang = "en"

// catalog is every language's messages, loaded once.
type catalog struct {
	bundle *i18n.Bundle
	// msgs maps language → message ID → template source.
	msgs map[string]map[string]string
	// err collects files that could not be loaded; the rest still work.
	err error
}

// loadCatalog parses the embedded catalogs once per process; the result is
// never modified afterwards.
var loadCatalog = sync.OnceValue(func() *catalog { return newCatalog(catalogFiles) })

func newCatalog(fsys fs.FS) *catalog {
	msgs, err := readCatalogs(fsys)
	c := &catalog{bundle: i18n.NewBundle(language.English), msgs: msgs, err: err}
	for lang, m := range msgs {
		tag, perr := language.Parse(lang)
		if perr != nil {
			c.err = errors.Join(c.err, fmt.Errorf("catalog language %q: %w", lang, perr))
			continue
		}
		list := make([]*i18n.Message, 0, len(m))
		for id, src := range m {
			list = append(list, &i18n.Message{ID: id, Other: src})
		}
		if aerr := c.bundle.AddMessages(tag, list...); aerr != nil {
			c.err = errors.Join(c.err, aerr)
		}
	}
	return c
}

// readCatalogs reads i18n/<lang>/*.yaml from fsys and merges each
// language's files. A message ID defined in two files of one language is
// an error (the first definition is kept).
func readCatalogs(fsys fs.FS) (map[string]map[string]string, error) {
	files, err := fs.Glob(fsys, "i18n/*/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("catalogs: %w", err)
	}
	sort.Strings(files)
	out := map[string]map[string]string{}
	origin := map[string]string{} // lang + "\x00" + id → file
	var errs []error
	for _, file := range files {
		lang := path.Base(path.Dir(file))
		m, err := readCatalogFile(fsys, file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if out[lang] == nil {
			out[lang] = map[string]string{}
		}
		for id, src := range m {
			key := lang + "\x00" + id
			if prev, dup := origin[key]; dup {
				errs = append(errs, fmt.Errorf("catalog %s: message %q is already defined in %s", file, id, prev))
				continue
			}
			origin[key] = file
			out[lang][id] = src
		}
	}
	return out, errors.Join(errs...)
}

func readCatalogFile(fsys fs.FS, file string) (map[string]string, error) {
	buf, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", file, err)
	}
	var m map[string]string
	if err := yaml.Unmarshal(buf, &m); err != nil {
		return nil, fmt.Errorf("catalog %s: %w", file, err)
	}
	for id, src := range m {
		if strings.TrimSpace(id) == "" || strings.TrimSpace(src) == "" {
			return nil, fmt.Errorf("catalog %s: message %q is empty", file, id)
		}
	}
	return m, nil
}

// CatalogError reports message catalog files that could not be loaded (nil
// when all loaded). Lookups still work with the files that did load.
func CatalogError() error { return loadCatalog().err }
