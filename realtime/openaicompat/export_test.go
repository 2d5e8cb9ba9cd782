package openaicompat

// SetMaxEvent sets the limit of one server-sent event and returns a
// function that restores it.
func SetMaxEvent(n int) (restore func()) {
	old := maxEvent
	maxEvent = n
	return func() { maxEvent = old }
}
