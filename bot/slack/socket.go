package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/alertbot/alertbot/bot"
)

// maxAckPayload is the most bytes of a slash command's answer that we put
// in a Socket Mode ack: Slack silently drops frames of 20 KB or more
// (slack-go's Client.SendCtx), and the envelope and JSON escapes take
// their share. A longer answer goes to the response_url.
const maxAckPayload = 12 << 10

// ListenSocket receives slash commands and mentions of the bot over Socket
// Mode, with the app-level token appToken (xapp-…, scope
// connections:write), and runs them with cmds, as the handlers of
// commands.go do over HTTP. It opens the connection with
// apps.connections.open on the Messenger's API URL, and answers mentions
// with the Messenger. opt.Context is not used: ctx is.
//
// Every envelope is acknowledged. A slash command whose envelope accepts a
// response payload is answered in the ack when its answer is ready within
// opt.Fast, else acknowledged "working on it…" and answered through its
// response_url; one whose envelope does not is acknowledged at once and
// answered through its response_url. An app_mention is acknowledged at
// once and answered in its channel. An envelope_id (or event_id) seen
// before is acknowledged and not run again.
//
// slack-go reconnects when Slack asks it to or the connection drops.
// ListenSocket blocks until ctx is done, then waits for the commands it
// started and returns nil; it returns an error when it cannot connect for
// good (an invalid token).
func (m *Messenger) ListenSocket(ctx context.Context, appToken string, cmds bot.Commands, opt CommandOptions) error {
	ctx, cancel := context.WithCancel(ctx)
	r := newRunner(ctx, cmds, opt)
	defer r.wg.Wait() // after cancel: the commands started stop with ctx
	defer cancel()

	sm := socketmode.New(m.api, socketmode.OptionLog(slog.NewLogLogger(r.log.Handler(), slog.LevelDebug)))
	slackapi.OptionAppLevelToken(appToken)(&sm.Client) // sm holds its own copy of m.api

	done := make(chan error, 1)
	go func() { done <- sm.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			<-done
			return nil
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				err = errors.New("connection ended")
			}
			return fmt.Errorf("slack: socket mode: %w", err)
		case evt := <-sm.Events:
			m.socketEvent(ctx, sm, r, evt)
		}
	}
}

// socketEvent handles one event of the Socket Mode client. It does not
// block: what takes time runs on r.
func (m *Messenger) socketEvent(ctx context.Context, sm *socketmode.Client, r *runner, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(slackapi.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		m.socketCommand(ctx, sm, r, *evt.Request, sc)
	case socketmode.EventTypeEventsAPI:
		if evt.Request == nil {
			return
		}
		ack(ctx, sm, r.log, *evt.Request, nil)
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if ok && r.seen.first("envelope", evt.Request.EnvelopeID) {
			m.mentioned(r, ev)
		}
	case socketmode.EventTypeInteractive:
		if evt.Request != nil {
			ack(ctx, sm, r.log, *evt.Request, nil)
		}
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth, socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed, socketmode.EventTypeErrorBadMessage:
		r.log.Warn("slack: socket mode", "event", string(evt.Type), "error", fmt.Sprint(evt.Data))
	case socketmode.EventTypeConnected, socketmode.EventTypeDisconnect:
		r.log.Info("slack: socket mode", "event", string(evt.Type))
	}
}

// socketCommand answers a slash command received over Socket Mode.
func (m *Messenger) socketCommand(ctx context.Context, sm *socketmode.Client, r *runner, req socketmode.Request, sc slackapi.SlashCommand) {
	if !r.seen.first("envelope", req.EnvelopeID) {
		ack(ctx, sm, r.log, req, nil)
		return
	}
	if !validID(sc.ChannelID) {
		ack(ctx, sm, r.log, req, nil)
		r.log.Warn("slack: slash command without a channel", "channel_id", sc.ChannelID)
		return
	}
	c := r.command(sc.ChannelID, sc.UserID, sc.Text)
	if !req.AcceptsResponsePayload {
		ack(ctx, sm, r.log, req, nil)
		r.start(c, func(ctx context.Context, reply bot.Reply) { r.respond(ctx, sc.ResponseURL, reply) })
		return // when it is busy, unanswered, as a mention is
	}
	r.wg.Go(func() { // answer waits up to opt.Fast: not on the event loop
		reply := r.answer(ctx, c, sc.ResponseURL)
		if text := responseOf(reply).Text; len(text) > maxAckPayload {
			ack(ctx, sm, r.log, req, nil)
			r.respond(ctx, sc.ResponseURL, reply)
			return
		}
		ack(ctx, sm, r.log, req, &reply)
	})
}

// ack acknowledges the envelope of req, with reply as its payload unless
// reply is nil or empty.
func ack(ctx context.Context, sm *socketmode.Client, log *slog.Logger, req socketmode.Request, reply *bot.Reply) {
	var payload any
	if reply != nil && strings.TrimSpace(reply.Text) != "" {
		payload = responseOf(*reply)
	}
	if err := sm.AckCtx(ctx, req.EnvelopeID, payload); err != nil && ctx.Err() == nil {
		log.Warn("slack: socket mode ack", "envelope_id", req.EnvelopeID, "error", err)
	}
}
