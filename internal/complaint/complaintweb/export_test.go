package complaintweb

// ActionOf is actionOf for the fuzz test.
var ActionOf = actionOf
