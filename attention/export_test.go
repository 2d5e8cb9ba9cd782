package attention

import "github.com/fullduplex-go/fullduplex"

// OnInputEnded sets the hook the readers call once an input's end is put
// for Next. Call it from TestMain, before any Source runs.
func OnInputEnded(f func(fullduplex.Source)) { inputEnded = f }
