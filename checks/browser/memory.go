package browser

import (
	"context"
	"sync/atomic"
	"time"
)

// Memory bounds of the browser: a login page whose scripts allocate
// without end must not take the machine's memory.
const (
	// heapCapMB caps each page's JavaScript heap (V8's old space): near it
	// the tab slows to a crawl collecting garbage, then dies, instead of
	// growing. Where memory can be measured, one process holding that much
	// is stopped at once.
	heapCapMB = 512
	// treeCapMB caps the resident memory of the browser's whole process
	// tree (where it can be measured): memory outside the JavaScript heap
	// (buffers, images, DOM) is bounded too; past it the browser is killed.
	// A healthy login page takes the tree to about 200 MB.
	treeCapMB = 1024
	// memEvery is how often the tree's memory is measured.
	memEvery = 200 * time.Millisecond
)

// memWatch kills the browser when its process tree uses too much memory.
type memWatch struct {
	// capMB bounds the tree, procCapMB any one process of it.
	capMB, procCapMB int64
	// peakMB is the most the tree was seen using; overMB is what it used
	// when it was killed (0: never).
	peakMB, overMB atomic.Int64
}

// run measures p's tree until ctx ends; past the cap it kills the browser
// and calls exceeded. It returns at once where memory cannot be measured.
func (w *memWatch) run(ctx context.Context, pid int, kill, exceeded func()) {
	if _, _, ok := treeRSS(pid); !ok {
		return
	}
	t := time.NewTicker(memEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		total, biggest, ok := treeRSS(pid)
		if !ok {
			return
		}
		mb := total >> 20
		if mb > w.peakMB.Load() {
			w.peakMB.Store(mb)
		}
		if mb > w.capMB || biggest>>20 > w.procCapMB {
			w.overMB.Store(mb)
			kill()
			exceeded()
			return
		}
	}
}
