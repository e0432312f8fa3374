package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/slack"
	"github.com/alertbot/alertbot/bot/telegram"
	"github.com/alertbot/alertbot/sources"
	tgsource "github.com/alertbot/alertbot/sources/telegram"
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
		tg, err := telegram.New(ctx, token, cmp.Or(getenv("TELEGRAM_API_URL"), cfg.Telegram.APIURL))
		if err != nil {
			return c, fmt.Errorf("app: telegram: %w", err)
		}
		c.telegram = tg
	}
	if token := getenv("SLACK_BOT_TOKEN"); token != "" {
		c.slack = slack.New(token, cmp.Or(getenv("SLACK_API_URL"), cfg.Slack.APIURL))
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

// listenChats sets up the chat commands of the enabled platforms:
// Telegram by long polling as a listener beside the poller, or as a webhook
// on /telegram/webhook (TELEGRAM_WEBHOOK_SECRET; set with setWebhook to
// TELEGRAM_WEBHOOK_URL when that is given); Slack in Socket Mode
// (SLACK_APP_TOKEN) beside the poller, or over HTTP (SLACK_SIGNING_SECRET)
// on /slack/commands and /slack/events.
func (s *Service) listenChats(cfg *Config, c chats, getenv func(string) string) error {
	cmds := s.commander()
	if c.telegram != nil {
		d := deliveries{s.st}
		opt := telegram.ListenOptions{
			Admins: cfg.Telegram.Admins,
			Log:    s.log,
			Gone: func(chat, reason string) {
				if err := d.PauseChat(s.stopping, chat, reason); err != nil {
					s.log.Error("pause chat", "chat", chat, "error", err)
				}
			},
			Moved: func(from, to string) {
				if err := d.MoveChat(s.stopping, from, to); err != nil {
					s.log.Error("move chat", "chat", from, "to", to, "error", err)
				}
			},
			ChannelPost: s.channelPost,
		}
		switch cfg.Telegram.Mode {
		case "polling":
			s.listeners = append(s.listeners, func(ctx context.Context) error {
				return c.telegram.Listen(ctx, cmds, opt)
			})
		case "webhook":
			opt.Secret = getenv("TELEGRAM_WEBHOOK_SECRET")
			if opt.Secret == "" {
				return errors.New("app: telegram: mode webhook needs TELEGRAM_WEBHOOK_SECRET")
			}
			if url := getenv("TELEGRAM_WEBHOOK_URL"); url != "" {
				if err := c.telegram.SetWebhook(s.stopping, url, opt.Secret); err != nil {
					return fmt.Errorf("app: telegram: %w", err)
				}
			}
			s.handlers["POST /telegram/webhook"] = c.telegram.WebhookHandler(cmds, opt)
		}
	}
	if c.slack != nil {
		opt := slack.CommandOptions{Admins: cfg.Slack.Admins, Context: s.stopping, Logger: s.log}
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

// channelPost gives a post the bot received from a channel it is a member
// of to the telegram sources watching that channel, at once: the same item
// the source will read from the channel's preview, so it alerts once.
func (s *Service) channelPost(channel string, post int64, text string, at time.Time) {
	for _, src := range s.pipe.cfg.Load().sources {
		if src.Kind != "telegram" || !strings.EqualFold(strings.TrimPrefix(src.Channel, "@"), channel) {
			continue
		}
		source := &tgsource.Source{ID: src.ID, Channel: src.Channel, Lang: src.Lang}
		if err := s.pipe.Push(s.stopping, src.ID, []sources.Item{source.PostItem(channel, post, text, at)}); err != nil {
			s.log.Error("channel post", "source", src.ID, "post", post, "error", err)
		}
	}
}
