package calweb

// HasMessage and Text expose the message table to the external tests.
func HasMessage(key string) bool { return messages.Has(key) }

// Text is messages.Text for tests.
var Text = messages.Text
