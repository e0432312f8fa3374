package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/alertbot/alertbot/app"
	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/sources/feed"
	tgsource "github.com/alertbot/alertbot/sources/telegram"
	"github.com/alertbot/alertbot/sources/web"
)

// runFetch fetches and parses one source once and prints the items it
// yields, without storing them.
func runFetch(e *env, args []string) int {
	fs, config := e.flags("fetch")
	asJSON := fs.Bool("json", false, "print one item per line in the item JSON shape")
	kind := fs.String("kind", "rss", "the source's `kind`: rss (RSS, Atom, JSON Feed), telegram (a public channel's preview), html or json (with the selectors or fields of a source in the config)")
	source := fs.String("source", "", "for html and json: the `ID` of the config's source whose selectors or fields to use (default: the one with this URL)")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "alertbot fetch: name one URL or FILE (for telegram, a channel)")
		return exitUsage
	}
	arg := fs.Arg(0)
	var items []sources.Item
	var err error
	switch *kind {
	case "rss":
		items, err = fetchFeed(e, arg)
	case "telegram":
		items, err = fetchChannel(e, arg)
	case "html", "json":
		cfg, ok := e.loadConfig(*config)
		if !ok {
			return exitFail
		}
		src, found := configSource(cfg, *kind, *source, arg)
		if !found {
			fmt.Fprintf(e.stderr, "alertbot fetch: %s needs the selectors or fields of a source in %s: none of kind %s has url %s (name one with -source)\n",
				arg, cfg.File, *kind, arg)
			return exitUsage
		}
		items, err = fetchPage(e, src, arg)
	default:
		fmt.Fprintf(e.stderr, "alertbot fetch: unknown kind %q (want rss, telegram, html or json)\n", *kind)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "alertbot fetch:", err)
		return exitFail
	}
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	for _, it := range items {
		if *asJSON {
			writeItemJSON(out, it)
			continue
		}
		fmt.Fprintf(out, "%s  %s\n  %s\n", it.Published.UTC().Format(time.RFC3339), it.ID, it.Title)
		if it.URL != "" && it.URL != it.ID {
			fmt.Fprintf(out, "  %s\n", it.URL)
		}
	}
	if !*asJSON {
		fmt.Fprintf(out, "%d items\n", len(items))
	}
	return exitOK
}

// configSource finds the config's source of kind with id, or else with url.
func configSource(cfg *app.Config, kind, id, url string) (app.Source, bool) {
	for _, s := range cfg.Sources {
		if s.Kind == kind && (s.ID == id || id == "" && s.URL == url) {
			return s, true
		}
	}
	return app.Source{}, false
}

// fetchChannel reads a public Telegram channel's preview: a channel name,
// a t.me address, or a saved preview page.
func fetchChannel(e *env, arg string) ([]sources.Item, error) {
	if data, err := os.ReadFile(arg); err == nil {
		page, err := tgsource.ParsePage(data, tgsource.DefaultBaseURL)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", arg, err)
		}
		src := &tgsource.Source{ID: page.Channel, Channel: page.Channel}
		var items []sources.Item
		for _, p := range page.Posts {
			items = append(items, src.PostItem(page.Channel, p.ID, p.Text, p.Time))
		}
		return items, nil
	}
	name := arg
	for _, prefix := range []string{"https://", "http://", "t.me/", "s/", "@"} {
		name = strings.TrimPrefix(name, prefix)
	}
	src := &tgsource.Source{ID: name, Channel: name, Fetcher: sources.NewFetcher(http.DefaultClient, sources.FetchOptions{})}
	items, _, err := src.Poll(e.ctx, sources.State{})
	return items, err
}

// fetchPage reads an html page or a json listing, from its URL or a saved
// file, with the settings of src.
func fetchPage(e *env, src app.Source, arg string) ([]sources.Item, error) {
	source, err := app.NewSource(src, sources.NewFetcher(http.DefaultClient, sources.FetchOptions{}))
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		items, _, err := source.Poll(e.ctx, sources.State{})
		return items, err
	}
	switch s := source.(type) {
	case *web.HTMLSource:
		return s.Parse(data, "", src.URL, time.Now())
	case *web.JSONSource:
		return s.Parse(data, src.URL, time.Now())
	}
	return nil, fmt.Errorf("%s: a saved file works for kinds html and json", arg)
}

// fetchFeed reads a feed from a URL, fetched like a source, or a file.
func fetchFeed(e *env, name string) ([]sources.Item, error) {
	now := time.Now()
	if u, err := url.Parse(name); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		resp, err := sources.NewFetcher(http.DefaultClient, sources.FetchOptions{}).Fetch(e.ctx, sources.Request{URL: name, Accept: feed.Accept})
		if err != nil {
			return nil, err
		}
		f, err := feed.Parse(resp.Body, resp.ContentType, resp.URL, resp.FetchedAt)
		if err != nil {
			return nil, err
		}
		return withSource(f.Items, u.Hostname()), nil
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	f, err := feed.Parse(data, "", "", now)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return withSource(f.Items, name), nil
}

func withSource(items []sources.Item, source string) []sources.Item {
	for i := range items {
		if items[i].Source == "" {
			items[i].Source = source
		}
	}
	return items
}

func writeItemJSON(w io.Writer, it sources.Item) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(itemJSON{ID: it.ID, Source: it.Source, URL: it.URL, Title: it.Title, Text: it.Text, Lang: it.Lang, Published: it.Published.UTC()})
}
