package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/logindoctor/logindoctor/checks"
)

// progress shows, on a terminal only, which checks are running and how
// many are done, on one line of stderr that is rewritten in place.
type progress struct {
	a       *app
	enabled bool
	total   int
	done    int
	running map[string]bool
}

func (a *app) newProgress(p runPlan) *progress {
	enabled := a.io.ErrTTY && !p.smoke && a.io.Getenv("CI") == ""
	return &progress{a: a, enabled: enabled, total: len(p.ids), running: map[string]bool{}}
}

// event is the runner's Progress callback (the runner serialises calls).
func (p *progress) event(e checks.Event) {
	if !p.enabled {
		return
	}
	if e.Done {
		delete(p.running, e.ID)
		p.done++
	} else {
		p.running[e.ID] = true
	}
	names := make([]string, 0, len(p.running))
	for id := range p.running {
		names = append(names, id)
	}
	sort.Strings(names)
	line := p.a.t("cli.progress", map[string]any{"done": p.done, "total": p.total, "running": strings.Join(names, ", ")})
	if len(line) > 100 {
		line = line[:97] + "..."
	}
	fmt.Fprintf(p.a.io.ErrOut, "\r\033[K%s", line)
}

// finish clears the progress line.
func (p *progress) finish() {
	if p.enabled {
		fmt.Fprint(p.a.io.ErrOut, "\r\033[K")
	}
}
