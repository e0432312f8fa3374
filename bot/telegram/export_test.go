package telegram

// The pacer's windows, for the tests of package telegram_test.
const (
	ChatInterval = chatInterval
	GroupWindow  = groupWindow
	AllWindow    = allWindow
)
