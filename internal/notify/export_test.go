package notify

// WordsForTest is the package's message table.
func WordsForTest() map[string][2]string { return words }
