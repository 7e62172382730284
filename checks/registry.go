package checks

import (
	"fmt"
	"strings"
)

// Registry is an ordered, validated list of checks. Its order is the order
// of results in every report.
type Registry struct {
	checks []Check
	index  map[string]int
}

// NewRegistry validates checks and returns them as a registry: IDs must be
// non-empty and unique, stages known, dependencies registered, earlier in
// the list and free of cycles.
func NewRegistry(checks ...Check) (*Registry, error) {
	r := &Registry{checks: checks, index: make(map[string]int, len(checks))}
	for i, c := range checks {
		in := c.Info()
		if in.ID == "" {
			return nil, fmt.Errorf("check #%d has an empty ID", i)
		}
		if _, dup := r.index[in.ID]; dup {
			return nil, fmt.Errorf("duplicate check ID %q", in.ID)
		}
		if in.Stage.Index() < 0 {
			return nil, fmt.Errorf("check %q: unknown stage %q", in.ID, in.Stage)
		}
		r.index[in.ID] = i
	}
	for _, c := range checks {
		in := c.Info()
		for _, d := range in.DependsOn {
			if _, ok := r.index[d]; !ok {
				return nil, fmt.Errorf("check %q depends on unknown check %q", in.ID, d)
			}
		}
	}
	if cyc := r.cycle(); cyc != nil {
		return nil, fmt.Errorf("dependency cycle: %s", strings.Join(cyc, " → "))
	}
	return r, nil
}

// cycle returns one dependency cycle, or nil.
func (r *Registry) cycle() []string {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(r.checks))
	var path []string
	var visit func(i int) []string
	visit = func(i int) []string {
		color[i] = grey
		path = append(path, r.checks[i].Info().ID)
		for _, d := range r.checks[i].Info().DependsOn {
			j := r.index[d]
			switch color[j] {
			case grey:
				start := 0
				for k, id := range path {
					if id == d {
						start = k
					}
				}
				return append(append([]string{}, path[start:]...), d)
			case white:
				if c := visit(j); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		color[i] = black
		return nil
	}
	for i := range r.checks {
		if color[i] == white {
			if c := visit(i); c != nil {
				return c
			}
		}
	}
	return nil
}

// Checks returns the checks in registry order.
func (r *Registry) Checks() []Check { return append([]Check(nil), r.checks...) }

// IDs returns the check IDs in registry order.
func (r *Registry) IDs() []string {
	ids := make([]string, len(r.checks))
	for i, c := range r.checks {
		ids[i] = c.Info().ID
	}
	return ids
}

// Has reports whether id is a registered check.
func (r *Registry) Has(id string) bool {
	_, ok := r.index[id]
	return ok
}

// Lookup returns the check with id.
func (r *Registry) Lookup(id string) (Check, bool) {
	i, ok := r.index[id]
	if !ok {
		return nil, false
	}
	return r.checks[i], true
}

// Select returns the IDs to run given --only and --skip lists (either may
// be empty); unknown IDs are an error naming them. Patterns ending in ".*"
// select a family ("dns.*"), and a bare stage name selects its checks.
func (r *Registry) Select(only, skip []string) ([]string, error) {
	want := map[string]bool{}
	if len(only) == 0 {
		for _, id := range r.IDs() {
			want[id] = true
		}
	} else {
		for _, p := range only {
			ids, err := r.match(p)
			if err != nil {
				return nil, fmt.Errorf("--only: %w", err)
			}
			for _, id := range ids {
				want[id] = true
			}
		}
	}
	for _, p := range skip {
		ids, err := r.match(p)
		if err != nil {
			return nil, fmt.Errorf("--skip: %w", err)
		}
		for _, id := range ids {
			delete(want, id)
		}
	}
	var out []string
	for _, id := range r.IDs() {
		if want[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

func (r *Registry) match(p string) ([]string, error) {
	p = strings.TrimSpace(p)
	if r.Has(p) {
		return []string{p}, nil
	}
	var out []string
	for _, c := range r.checks {
		in := c.Info()
		if string(in.Stage) == p || (strings.HasSuffix(p, ".*") && strings.HasPrefix(in.ID, strings.TrimSuffix(p, "*"))) {
			out = append(out, in.ID)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("unknown check %q (known: %s)", p, strings.Join(r.IDs(), ", "))
	}
	return out, nil
}
