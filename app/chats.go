package app

import (
	"context"
	"fmt"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/slack"
	"github.com/alertbot/alertbot/bot/telegram"
)

// chatMessengers returns the chat platforms the environment enables:
// Telegram when TELEGRAM_BOT_TOKEN is set (its API at telegram.api_url, or
// TELEGRAM_API_URL), Slack when SLACK_BOT_TOKEN is set (slack.api_url, or
// SLACK_API_URL). Secrets come from the environment only (DESIGN.md §4).
// A Telegram token is checked with the API at once.
func chatMessengers(ctx context.Context, cfg *Config, getenv func(string) string) (map[string]bot.Messenger, error) {
	m := make(map[string]bot.Messenger)
	if token := getenv("TELEGRAM_BOT_TOKEN"); token != "" {
		tg, err := telegram.New(ctx, token, cmpOr(getenv("TELEGRAM_API_URL"), cfg.Telegram.APIURL))
		if err != nil {
			return nil, fmt.Errorf("app: telegram: %w", err)
		}
		m["telegram"] = tg
	}
	if token := getenv("SLACK_BOT_TOKEN"); token != "" {
		m["slack"] = slack.New(token, cmpOr(getenv("SLACK_API_URL"), cfg.Slack.APIURL))
	}
	return m, nil
}
