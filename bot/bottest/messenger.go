package bottest

import (
	"errors"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot"
)

// CheckSendError checks the error of a bot.Messenger's send that failed,
// as the Deliverer reads it: a *bot.RetryAfter of wait (none when wait is
// 0), and bot.ErrChatGone wrapped or not as gone says.
func CheckSendError(t testing.TB, err error, wait time.Duration, gone bool) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var ra *bot.RetryAfter
	if got := errors.As(err, &ra); got != (wait != 0) || got && ra.Wait != wait {
		t.Errorf("%v: RetryAfter %v, want wait %v", err, ra, wait)
	}
	if got := errors.Is(err, bot.ErrChatGone); got != gone {
		t.Errorf("%v: ErrChatGone %v, want %v", err, got, gone)
	}
}
