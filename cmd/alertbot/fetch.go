package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/sources/feed"
)

// runFetch fetches and parses one source once and prints the items it
// yields, without storing them.
func runFetch(e *env, args []string) int {
	fs, _ := e.flags("fetch")
	asJSON := fs.Bool("json", false, "print one item per line in the item JSON shape")
	kind := fs.String("kind", "rss", "the source's `kind`: rss (RSS, Atom, JSON Feed)")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "alertbot fetch: name one URL or FILE")
		return exitUsage
	}
	if *kind != "rss" {
		fmt.Fprintf(e.stderr, "alertbot fetch: kind %s is not implemented yet (rss is)\n", *kind)
		return exitUsage
	}
	items, err := fetchFeed(e, fs.Arg(0))
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
