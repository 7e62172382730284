package pac

import (
	_ "embed"

	"github.com/dop251/goja"
)

// librarySource is Chrome's PAC JavaScript library (see library.js): every
// helper that Chrome writes in JavaScript rather than native code.
//
//go:embed library.js
var librarySource string

// library is librarySource compiled once; a goja.Program is immutable and
// may run in many runtimes at once.
var library = goja.MustCompile("pac_library.js", librarySource, false)
