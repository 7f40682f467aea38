package calweb

// HasMessage and Text expose the message table to the external tests.
func HasMessage(key string) bool { _, ok := messages[key]; return ok }

// Text is text for tests.
var Text = text
