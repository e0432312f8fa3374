package app

import (
	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/slack"
)

// chatMessengers returns the chat platforms the environment enables: Slack
// when SLACK_BOT_TOKEN is set (its API at slack.api_url, or SLACK_API_URL).
// Secrets come from the environment only (DESIGN.md §4).
func chatMessengers(cfg *Config, getenv func(string) string) map[string]bot.Messenger {
	m := make(map[string]bot.Messenger)
	if token := getenv("SLACK_BOT_TOKEN"); token != "" {
		m["slack"] = slack.New(token, cmpOr(getenv("SLACK_API_URL"), cfg.Slack.APIURL))
	}
	return m
}
