package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/slack"
	"github.com/alertbot/alertbot/bot/telegram"
)

// chats are the chat platforms the environment enables, nil when not.
type chats struct {
	telegram *telegram.Messenger
	slack    *slack.Messenger
}

// chatsFromEnv returns the chat platforms the environment enables:
// Telegram when TELEGRAM_BOT_TOKEN is set (its API at telegram.api_url, or
// TELEGRAM_API_URL), Slack when SLACK_BOT_TOKEN is set (slack.api_url, or
// SLACK_API_URL). Secrets come from the environment only (DESIGN.md §4).
// A Telegram token is checked with the API at once.
func chatsFromEnv(ctx context.Context, cfg *Config, getenv func(string) string) (chats, error) {
	var c chats
	if token := getenv("TELEGRAM_BOT_TOKEN"); token != "" {
		tg, err := telegram.New(ctx, token, cmpOr(getenv("TELEGRAM_API_URL"), cfg.Telegram.APIURL))
		if err != nil {
			return c, fmt.Errorf("app: telegram: %w", err)
		}
		c.telegram = tg
	}
	if token := getenv("SLACK_BOT_TOKEN"); token != "" {
		c.slack = slack.New(token, cmpOr(getenv("SLACK_API_URL"), cfg.Slack.APIURL))
	}
	return c, nil
}

// messengers returns the platforms as delivery sees them.
func (c chats) messengers() map[string]bot.Messenger {
	m := make(map[string]bot.Messenger)
	if c.telegram != nil {
		m["telegram"] = c.telegram
	}
	if c.slack != nil {
		m["slack"] = c.slack
	}
	return m
}

// listenChats sets up the chat commands of the enabled platforms: Slack in
// Socket Mode (SLACK_APP_TOKEN) as a listener beside the poller, or over
// HTTP (SLACK_SIGNING_SECRET) on /slack/commands and /slack/events.
func (s *Service) listenChats(cfg *Config, c chats, getenv func(string) string) error {
	cmds := s.commander()
	if c.slack != nil {
		opt := slack.CommandOptions{Context: s.stopping, Logger: s.log}
		switch cfg.Slack.Mode {
		case "socket":
			token := getenv("SLACK_APP_TOKEN")
			if token == "" {
				return errors.New("app: slack: mode socket needs SLACK_APP_TOKEN (an app-level token, xapp-…)")
			}
			s.listeners = append(s.listeners, func(ctx context.Context) error {
				return c.slack.ListenSocket(ctx, token, cmds, opt)
			})
		case "http":
			secret := getenv("SLACK_SIGNING_SECRET")
			if secret == "" {
				return errors.New("app: slack: mode http needs SLACK_SIGNING_SECRET")
			}
			s.handlers["POST /slack/commands"] = slack.CommandHandler(secret, cfg.Slack.Command, cmds, opt)
			s.handlers["POST /slack/events"] = slack.EventsHandler(secret, cmds, c.slack, opt)
		}
	}
	return nil
}
