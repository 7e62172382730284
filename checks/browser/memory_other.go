//go:build !linux

package browser

// treeRSS cannot measure the browser's tree here: only the JavaScript
// heap cap (heapCapMB) applies.
func treeRSS(int) (int64, bool) { return 0, false }
