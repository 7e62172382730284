//go:build !linux

package browser

// treeRSS cannot measure the browser's tree here: only the JavaScript
// heap cap (heapCapMB) applies.
func treeRSS(int) (total, biggest int64, ok bool) { return 0, 0, false }
