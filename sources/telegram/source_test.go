package telegram

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alertbot/alertbot/sources"
)

// postTime is when fake post id was published: one minute per id.
func postTime(id int64) time.Time {
	return time.Date(2024, 4, 15, 0, 0, 0, 0, time.UTC).Add(time.Duration(id) * time.Minute)
}

// renderPage writes a t.me/s page of channel with the posts ids
// (ascending), or the "No posts found" page when there are none.
func renderPage(channel string, ids []int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><main class="tgme_main" data-url="/%s"><div class="tgme_container">`, channel)
	b.WriteString(`<section class="tgme_channel_history js-message_history">`)
	if len(ids) == 0 {
		b.WriteString(`<div class="tme_no_messages_found">No posts found</div>`)
	} else {
		fmt.Fprintf(&b, `<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/%s?before=%d" class="tme_messages_more js-messages_more" data-before="%d"></a></div>`, channel, ids[0], ids[0])
	}
	for _, id := range ids {
		fmt.Fprintf(&b, `<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="%[1]s/%[2]d"><div class="tgme_widget_message_bubble">`+
			`<div class="tgme_widget_message_text js-message_text" dir="auto">Сообщение %[2]d<br/>Текст сообщения %[2]d</div>`+
			`<div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info short js-message_info"><span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="https://t.me/%[1]s/%[2]d"><time datetime="%[3]s" class="time">00:00</time></a></span></div></div>`+
			`</div></div></div>`, channel, id, postTime(id).Format("2006-01-02T15:04:05+00:00"))
	}
	b.WriteString(`</section></div></main></body></html>`)
	return b.String()
}

// fakeTelegram serves the web preview of one channel as t.me does: the
// latest pageSize posts, ?before=ID the pageSize posts before ID, and a
// redirect to /NAME for any other channel. It records the query of each
// request for the channel and can be told to answer a status instead, from
// the n-th such request on.
type fakeTelegram struct {
	mu         sync.Mutex
	channel    string
	ids        []int64 // ascending
	pageSize   int
	status     int // other than 0: answered from request failFrom on
	failFrom   int // 1-based
	header     http.Header
	queries    []string
	userAgents []string
}

func (f *fakeTelegram) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name, isPreview := strings.CutPrefix(r.URL.Path, "/s/")
	if !isPreview {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(mustRead("no_preview.html"))
		return
	}
	if name != f.channel {
		http.Redirect(w, r, "/"+name, http.StatusFound)
		return
	}
	f.queries = append(f.queries, r.URL.RawQuery)
	f.userAgents = append(f.userAgents, r.Header.Get("User-Agent"))
	if f.status != 0 && len(f.queries) >= f.failFrom {
		for k, v := range f.header {
			w.Header()[k] = v
		}
		w.WriteHeader(f.status)
		return
	}
	ids := f.ids
	if before := r.URL.Query().Get("before"); before != "" {
		n, _ := strconv.ParseInt(before, 10, 64)
		i, _ := slices.BinarySearch(ids, n)
		ids = ids[:i]
	}
	ids = ids[max(0, len(ids)-f.pageSize):]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, renderPage(f.channel, ids))
}

func mustRead(name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return b
}

// span is the ids from..to.
func span(from, to int64) []int64 {
	var ids []int64
	for id := from; id <= to; id++ {
		ids = append(ids, id)
	}
	return ids
}

func TestSourcePoll(t *testing.T) {
	fetchedAt := time.Date(2024, 4, 16, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		ids         []int64 // the channel's posts
		pageSize    int     // 0: 20
		channel     string  // the configured channel; "": "MID_Russia"
		maxPages    int
		cursor      string
		status      int // answered from request failFrom on
		failFrom    int
		header      http.Header
		wantQueries []string
		wantIDs     []int64 // post ids of the items, in order
		wantCursor  string
		wantErr     error
		wantErrMsg  string // a part of the error
		wantWait    time.Duration
	}{
		{
			name:        "first poll: one page, no paging back",
			ids:         span(1, 50),
			wantQueries: []string{""},
			wantIDs:     span(31, 50),
			wantCursor:  "50",
		},
		{
			name:        "unreadable cursor: like a first poll",
			ids:         span(1, 50),
			cursor:      "abc",
			wantQueries: []string{""},
			wantIDs:     span(31, 50),
			wantCursor:  "50",
		},
		{
			name:        "up to date: the page reaches the cursor",
			ids:         span(1, 50),
			cursor:      "30",
			wantQueries: []string{""},
			wantIDs:     span(31, 50),
			wantCursor:  "50",
		},
		{
			name:        "gap filled across several pages",
			ids:         span(1, 70),
			cursor:      "12",
			wantQueries: []string{"", "before=51", "before=31"},
			wantIDs:     span(11, 70),
			wantCursor:  "70",
		},
		{
			name:        "gap filling stops at MaxPages",
			ids:         span(1, 100),
			maxPages:    2,
			cursor:      "3",
			wantQueries: []string{"", "before=81"},
			wantIDs:     span(61, 100),
			wantCursor:  "100",
		},
		{
			name:        "gap filling stops at the default MaxPages",
			ids:         span(1, 200),
			cursor:      "3",
			wantQueries: []string{"", "before=181", "before=161", "before=141", "before=121"},
			wantIDs:     span(101, 200),
			wantCursor:  "200",
		},
		{
			name:        "gap filling stops at the channel's first post",
			ids:         span(3, 45),
			cursor:      "1",
			wantQueries: []string{"", "before=26", "before=6", "before=3"},
			wantIDs:     span(3, 45),
			wantCursor:  "45",
		},
		{
			name:        "ids with holes",
			ids:         []int64{2, 4, 8, 16, 32, 64},
			pageSize:    3,
			cursor:      "4",
			wantQueries: []string{"", "before=16"},
			wantIDs:     []int64{2, 4, 8, 16, 32, 64},
			wantCursor:  "64",
		},
		{
			name:        "channel without posts: nothing, no error",
			cursor:      "7",
			wantQueries: []string{""},
			wantCursor:  "7",
		},
		{
			name:       "redirect to t.me/NAME: no public preview",
			ids:        span(1, 5),
			channel:    "mfa_closed",
			cursor:     "9",
			wantErr:    ErrNoPreview,
			wantErrMsg: "telegram: source mid: channel mfa_closed has no public preview",
			wantCursor: "9",
		},
		{
			name:        "429 on the first page",
			ids:         span(1, 50),
			cursor:      "10",
			status:      http.StatusTooManyRequests,
			failFrom:    1,
			header:      http.Header{"Retry-After": {"120"}},
			wantQueries: []string{""},
			wantErrMsg:  "telegram: source mid: sources: fetch ",
			wantWait:    120 * time.Second,
			wantCursor:  "10",
		},
		{
			name:        "429 while paging back: the whole poll fails",
			ids:         span(1, 70),
			cursor:      "10",
			status:      http.StatusTooManyRequests,
			failFrom:    2,
			wantQueries: []string{"", "before=51"},
			wantWait:    sources.DefaultRetryAfter,
			wantCursor:  "10",
		},
		{
			name:        "500 on the first page",
			ids:         span(1, 50),
			status:      http.StatusInternalServerError,
			failFrom:    1,
			wantQueries: []string{""},
			wantErrMsg:  "unexpected status 500",
		},
		{
			name:       "invalid channel name",
			channel:    "../admin",
			wantErrMsg: `telegram: source mid: channel "../admin" is not a username`,
		},
	}
	for _, tt := range tests {
		fake := &fakeTelegram{channel: "MID_Russia", ids: tt.ids, pageSize: cmp.Or(tt.pageSize, 20),
			status: tt.status, failFrom: tt.failFrom, header: tt.header}
		srv := httptest.NewServer(fake)
		src := &Source{
			ID:        "mid",
			Channel:   cmp.Or(tt.channel, "MID_Russia"),
			UserAgent: "Mozilla/5.0 test",
			Lang:      "ru",
			Fetcher:   sources.NewFetcher(srv.Client(), sources.FetchOptions{Now: func() time.Time { return fetchedAt }}),
			BaseURL:   srv.URL,
			MaxPages:  tt.maxPages,
		}
		st := sources.State{ETag: "e", Cursor: tt.cursor}
		items, next, err := src.Poll(t.Context(), st)
		srv.Close()

		if !slices.Equal(fake.queries, tt.wantQueries) {
			t.Errorf("%s: queries = %q, want %q", tt.name, fake.queries, tt.wantQueries)
		}
		for _, ua := range fake.userAgents {
			if ua != "Mozilla/5.0 test" {
				t.Errorf("%s: User-Agent = %q", tt.name, ua)
			}
		}
		wantErr := tt.wantErr != nil || tt.wantErrMsg != "" || tt.wantWait != 0
		if (err != nil) != wantErr {
			t.Errorf("%s: error = %v, want one: %v", tt.name, err, wantErr)
			continue
		}
		if err != nil {
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErrMsg) || !strings.HasPrefix(err.Error(), "telegram: source mid: ") {
				t.Errorf("%s: error = %q, want it to start with the source and contain %q", tt.name, err, tt.wantErrMsg)
			}
			var ra *sources.RetryAfterError
			if got := errors.As(err, &ra); got != (tt.wantWait != 0) || got && ra.Wait != tt.wantWait {
				t.Errorf("%s: error = %v, want RetryAfterError with Wait %s", tt.name, err, tt.wantWait)
			}
			if next != st || items != nil {
				t.Errorf("%s: got %d items and state %+v with an error, want none and %+v", tt.name, len(items), next, st)
			}
			continue
		}
		if want := (sources.State{Cursor: tt.wantCursor}); next != want {
			t.Errorf("%s: state = %+v, want %+v", tt.name, next, want)
		}
		var ids []int64
		for _, it := range items {
			_, idText, _ := strings.Cut(it.ID, "/")
			id, _ := strconv.ParseInt(idText, 10, 64)
			ids = append(ids, id)
			want := sources.Item{
				Source:    "mid",
				ID:        ItemID("MID_Russia", id),
				URL:       fmt.Sprintf("https://t.me/MID_Russia/%d", id),
				Title:     fmt.Sprintf("Сообщение %d", id),
				Text:      fmt.Sprintf("Сообщение %d\nТекст сообщения %d", id, id),
				Lang:      "ru",
				Published: postTime(id),
			}
			if it != want {
				t.Errorf("%s: item\n got %+v\nwant %+v", tt.name, it, want)
			}
		}
		if !slices.Equal(ids, tt.wantIDs) {
			t.Errorf("%s: item ids = %v, want %v", tt.name, ids, tt.wantIDs)
		}
	}
}

// TestSourcePollNoDate checks that a post without a date gets the fetch
// time, and that "@", a trailing "/" and a page without a channel header
// do no harm.
func TestSourcePollNoDate(t *testing.T) {
	fetchedAt := time.Date(2024, 4, 16, 9, 30, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, string(message("mid_rf/3", `<div class="tgme_widget_message_text">Без даты</div>`)))
	}))
	defer srv.Close()
	src := &Source{ID: "mid", Channel: "@mid_rf", Fetcher: sources.NewFetcher(srv.Client(), sources.FetchOptions{Now: func() time.Time { return fetchedAt }}), BaseURL: srv.URL + "/"}
	items, next, err := src.Poll(t.Context(), sources.State{})
	if err != nil {
		t.Fatal(err)
	}
	want := sources.Item{Source: "mid", ID: "mid_rf/3", URL: srv.URL + "/mid_rf/3", Title: "Без даты", Text: "Без даты", Published: fetchedAt}
	if len(items) != 1 || items[0] != want {
		t.Errorf("items = %+v, want [%+v]", items, want)
	}
	if next.Cursor != "3" {
		t.Errorf("Cursor = %q, want 3", next.Cursor)
	}
}

func TestSourcePollNoFetcher(t *testing.T) {
	_, _, err := (&Source{ID: "mid", Channel: "mid_rf"}).Poll(t.Context(), sources.State{})
	if err == nil || err.Error() != "telegram: source mid: no Fetcher" {
		t.Errorf("error = %v, want telegram: source mid: no Fetcher", err)
	}
}
