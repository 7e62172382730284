package main

import "testing"

// The report wraps to the terminal only when it goes to one.
func TestOutWidth(t *testing.T) {
	ios, _, _ := testStreams(map[string]string{"COLUMNS": "50"})
	a, err := newApp(ios, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := a.outWidth(&globalOptions{}); w != 0 {
		t.Errorf("not a terminal: width %d, want 0", w)
	}
	ios.OutTTY = true
	if w := a.outWidth(&globalOptions{}); w != 50 {
		t.Errorf("terminal: width %d, want 50", w)
	}
	if w := a.outWidth(&globalOptions{Output: "r.txt"}); w != 0 {
		t.Errorf("--output: width %d, want 0", w)
	}
}
