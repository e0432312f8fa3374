// Package storetest is the conformance suite of package store: the same
// tests for every database the store supports. store_test.go runs it on a
// SQLite file always and on PostgreSQL when ALERTBOT_TEST_POSTGRES is set.
package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/store"
)

// Run runs the suite. open returns a new, empty, migrated Store for each
// call and closes it when t ends; the restart test closes one and opens its
// DSN again with store.Open.
func Run(t *testing.T, open func(t *testing.T) *store.Store) {
	t.Run("Migrations", func(t *testing.T) { testMigrations(t, open(t)) })
	t.Run("SaveItems", func(t *testing.T) { testSaveItems(t, open) })
	t.Run("SaveItemsStoresFields", func(t *testing.T) { testSaveItemsFields(t, open(t)) })
	t.Run("SearchItems", func(t *testing.T) { testSearch(t, open(t)) })
	t.Run("FTSQuery", func(t *testing.T) { testFTSQuery(t, open(t)) })
	t.Run("SourceState", func(t *testing.T) { testSourceState(t, open(t)) })
	t.Run("Alerts", func(t *testing.T) { testAlerts(t, open(t)) })
	t.Run("BatchAlertsAndKnownItems", func(t *testing.T) { testBatch(t, open(t)) })
	t.Run("FloodSummaries", func(t *testing.T) { testFloodSummaries(t, open(t)) })
	t.Run("Deliveries", func(t *testing.T) { testDeliveries(t, open(t)) })
	t.Run("QueueDepth", func(t *testing.T) { testQueueDepth(t, open(t)) })
	t.Run("Subscriptions", func(t *testing.T) { testSubscriptions(t, open(t)) })
	t.Run("PausedChats", func(t *testing.T) { testPausedChats(t, open(t)) })
	t.Run("DigestSchedules", func(t *testing.T) { testDigestSchedules(t, open(t)) })
	t.Run("StaticDigestSchedules", func(t *testing.T) { testStaticDigestSchedules(t, open(t)) })
	t.Run("QueueDigest", func(t *testing.T) { testQueueDigest(t, open(t)) })
	t.Run("DigestRuns", func(t *testing.T) { testDigestRuns(t, open(t)) })
	t.Run("ListAlertItems", func(t *testing.T) { testListAlertItems(t, open(t)) })
	t.Run("Restart", func(t *testing.T) { testRestart(t, open(t)) })
	t.Run("ConcurrentSaveItems", func(t *testing.T) { testConcurrent(t, open(t)) })
}

// clock is a settable clock for Store.SetClock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(st *store.Store) *clock {
	c := &clock{t: time.Date(2024, 2, 3, 12, 0, 0, 0, time.UTC)}
	st.SetClock(c.now)
	return c
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func item(source, id, title, text string) sources.Item {
	return sources.Item{Source: source, ID: id, URL: "https://example.org/" + id, Title: title, Text: text,
		Lang: "en", Published: time.Date(2024, 2, 3, 10, 0, 0, 0, time.UTC)}
}

func ids(items []sources.Item) string {
	var s []string
	for _, it := range items {
		s = append(s, it.Source+"/"+it.ID)
	}
	return strings.Join(s, " ")
}

func storedIDs(items []store.StoredItem) string {
	var s []string
	for _, it := range items {
		s = append(s, it.Source+"/"+it.ID)
	}
	return strings.Join(s, " ")
}

func testMigrations(t *testing.T, st *store.Store) {
	ctx := t.Context()
	if err := st.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	ok, err := st.MigrationsApplied(ctx)
	if err != nil || !ok {
		t.Errorf("MigrationsApplied = %v, %v; want true, nil", ok, err)
	}
	// Opening an up-to-date database again applies nothing and fails nothing.
	again, err := store.Open(ctx, st.DSN())
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	again.Close()
}

func testSaveItems(t *testing.T, open func(t *testing.T) *store.Store) {
	a := item("rss", "a", "UN Security Council to meet", "Russia requested an urgent meeting.")
	b := item("rss", "b", "Chargé d'affaires summoned", "Iraq summoned the US chargé d'affaires.")
	c := item("rss", "c", "Protest note", "The ministry handed a note of protest.")
	aNewGUID := a
	aNewGUID.ID = "a-v2"
	aSpaced := a
	aSpaced.ID = "a-v3"
	aSpaced.Title = "  UN Security\tCouncil   to meet "
	aSpaced.Text = "Russia requested\nan urgent meeting."
	aEdited := a
	aEdited.Text = "Russia requested an urgent meeting on Saturday."
	aOtherSource := a
	aOtherSource.Source = "telegram"

	type step struct {
		advance time.Duration // move the clock first
		save    []sources.Item
		want    []sources.Item // what SaveItems returns as new
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"new items are returned", []step{
			{save: []sources.Item{a, b}, want: []sources.Item{a, b}},
		}},
		{"known items are not", []step{
			{save: []sources.Item{a, b}, want: []sources.Item{a, b}},
			{save: []sources.Item{b, c, a}, want: []sources.Item{c}},
		}},
		{"an id twice in one batch is new once", []step{
			{save: []sources.Item{a, b, a}, want: []sources.Item{a, b}},
		}},
		{"an edited item under a known id is not new", []step{
			{save: []sources.Item{a}, want: []sources.Item{a}},
			{save: []sources.Item{aEdited}, want: nil},
		}},
		{"a changed GUID with the same content is not new", []step{
			{save: []sources.Item{a}, want: []sources.Item{a}},
			{advance: 6 * 24 * time.Hour, save: []sources.Item{aNewGUID}, want: nil},
		}},
		{"content differing in white space only is the same", []step{
			{save: []sources.Item{a}, want: []sources.Item{a}},
			{save: []sources.Item{aSpaced}, want: nil},
		}},
		{"a changed GUID in the same batch is not new", []step{
			{save: []sources.Item{a, aNewGUID}, want: []sources.Item{a}},
		}},
		{"a changed GUID after 7 days is new", []step{
			{save: []sources.Item{a}, want: []sources.Item{a}},
			{advance: 7*24*time.Hour + time.Minute, save: []sources.Item{aNewGUID}, want: []sources.Item{aNewGUID}},
		}},
		{"the window runs from the latest copy", []step{
			{save: []sources.Item{a}, want: []sources.Item{a}},
			{advance: 5 * 24 * time.Hour, save: []sources.Item{aNewGUID}, want: nil},
			{advance: 5 * 24 * time.Hour, save: []sources.Item{aSpaced}, want: nil},
		}},
		{"the same content from another source is new", []step{
			{save: []sources.Item{a}, want: []sources.Item{a}},
			{save: []sources.Item{aOtherSource}, want: []sources.Item{aOtherSource}},
		}},
		{"an empty batch", []step{
			{save: nil, want: nil},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := open(t)
			clk := newClock(st)
			for i, s := range tt.steps {
				clk.advance(s.advance)
				got, err := st.SaveItems(t.Context(), s.save)
				if err != nil {
					t.Fatalf("step %d: SaveItems: %v", i, err)
				}
				if ids(got) != ids(s.want) {
					t.Errorf("step %d: new = [%s], want [%s]", i, ids(got), ids(s.want))
				}
			}
		})
	}

	t.Run("an item without id is an error", func(t *testing.T) {
		st := open(t)
		_, err := st.SaveItems(t.Context(), []sources.Item{a, {Source: "rss", Title: "no id"}})
		if err == nil || !strings.HasPrefix(err.Error(), "store: save items: ") {
			t.Errorf("err = %v, want a store: save items: error", err)
		}
		if _, err := st.GetItem(t.Context(), "rss", "a"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the batch was partly stored: GetItem err = %v", err)
		}
	})

	t.Run("a cancelled context stores nothing", func(t *testing.T) {
		st := open(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := st.SaveItems(ctx, []sources.Item{a}); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}

func testSaveItemsFields(t *testing.T, st *store.Store) {
	ctx := t.Context()
	clk := newClock(st)
	in := sources.Item{Source: "mid-russia", ID: "MID_Russia/12345", URL: "https://t.me/MID_Russia/12345",
		Title: "Заявление МИД", Text: "Первый абзац.\nВторой абзац — «цитата».", Lang: "ru",
		Published: time.Date(2024, 2, 3, 9, 30, 15, 123456789, time.FixedZone("MSK", 3*3600))}
	noDate := sources.Item{Source: "mid-russia", ID: "no-date", Title: "Без даты"}
	if _, err := st.SaveItems(ctx, []sources.Item{in, noDate}); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetItem(ctx, in.Source, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.Published = in.Published.UTC().Truncate(time.Microsecond)
	if got.Item != want {
		t.Errorf("GetItem = %+v\nwant %+v", got.Item, want)
	}
	if got.ContentHash != sources.ContentHash(in.Title, in.Text) {
		t.Errorf("ContentHash = %q, want sources.ContentHash", got.ContentHash)
	}
	if !got.FetchedAt.Equal(clk.now()) {
		t.Errorf("FetchedAt = %v, want the clock's %v", got.FetchedAt, clk.now())
	}
	got, err = st.GetItem(ctx, noDate.Source, noDate.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Published.Equal(clk.now()) {
		t.Errorf("an item without a date: Published = %v, want the fetch time %v", got.Published, clk.now())
	}
	if _, err := st.GetItem(ctx, "mid-russia", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetItem of an unknown item: err = %v, want ErrNotFound", err)
	}
}

func searchCorpus() []sources.Item {
	at := func(h int) time.Time { return time.Date(2024, 2, 3, h, 0, 0, 0, time.UTC) }
	return []sources.Item{
		{Source: "reuters", ID: "en-1", Lang: "en", Published: at(8),
			Title: "Iraq summons US chargé d'affaires",
			Text:  "Iraq's foreign ministry summoned the U.S. chargé d'affaires and handed him a note of protest."},
		{Source: "tass", ID: "ru-1", Lang: "ru", Published: at(9),
			Title: "МИД Ирака вызвал временного поверенного в делах США",
			Text:  "Министерство иностранных дел Ирака вручило поверенному ноту протеста."},
		{Source: "tass", ID: "ru-2", Lang: "ru", Published: at(10),
			Title: "Совбез ООН соберётся на экстренное заседание",
			Text:  "Россия запросила срочное заседание Совета Безопасности ООН."},
		{Source: "reuters", ID: "en-2", Lang: "en", Published: at(11),
			Title: "Russia requests urgent UN Security Council meeting",
			Text:  "Russia asked for an urgent meeting of the Security Council over the strikes."},
		{Source: "reuters", ID: "en-3", Lang: "en", Published: at(7),
			Title: "Weather", Text: "Propaganda about the weather; nothing was summoned."},
	}
}

func testSearch(t *testing.T, st *store.Store) {
	ctx := t.Context()
	newClock(st)
	corpus := searchCorpus()
	if _, err := st.SaveItems(ctx, corpus); err != nil {
		t.Fatal(err)
	}
	// A copy under a changed GUID is stored but never found.
	dup := corpus[0]
	dup.ID = "en-1-v2"
	if _, err := st.SaveItems(ctx, []sources.Item{dup}); err != nil {
		t.Fatal(err)
	}
	all := time.Time{}
	tests := []struct {
		name  string
		words []string
		since time.Time
		limit int
		want  string
	}{
		{"english prefix finds inflections", []string{"summon"}, all, 0, "reuters/en-1 reuters/en-3"},
		{"diacritics folded in the text", []string{"charge"}, all, 0, "reuters/en-1"},
		{"diacritics folded in the query", []string{"chargé"}, all, 0, "reuters/en-1"},
		{"case folded", []string{"SECURITY"}, all, 0, "reuters/en-2"},
		{"russian prefix finds case forms", []string{"поверенн"}, all, 0, "tass/ru-1"},
		{"russian upper case", []string{"ПОВЕРЕННОГО"}, all, 0, "tass/ru-1"},
		{"ё written as е", []string{"соберется"}, all, 0, "tass/ru-2"},
		{"ё written as ё", []string{"соберётся"}, all, 0, "tass/ru-2"},
		{"OR of words, newest first", []string{"заседание", "meeting"}, all, 0, "reuters/en-2 tass/ru-2"},
		{"words, not substrings", []string{"pagan"}, all, 0, ""},
		{"since", []string{"summon", "поверенн"}, time.Date(2024, 2, 3, 8, 30, 0, 0, time.UTC), 0, "tass/ru-1"},
		{"limit", []string{"ооновский", "оон", "council", "iraq"}, all, 2, "reuters/en-2 tass/ru-2"},
		{"no words", nil, all, 0, ""},
		{"quote in the input", []string{`"`, `summon"ed`}, all, 0, ""},
		{"FTS syntax in the input", []string{"OR", "title:zzz", "NEAR(", "*", "^zz", "(", ")", "{zz"}, all, 0, ""},
		{"FTS operators are words", []string{"AND"}, all, 0, "reuters/en-1"},
		{"FTS operators are words, prefixes too", []string{"NOT", "iraq"}, all, 0, "reuters/en-1 reuters/en-3"},
		{"й is not и", []string{"экстренныи"}, all, 0, ""},
		{"й", []string{"экстренное", "срочный"}, all, 0, "tass/ru-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.SearchItems(ctx, store.FTSQuery(tt.words), tt.since, tt.limit)
			if err != nil {
				t.Fatalf("SearchItems(%q): %v", store.FTSQuery(tt.words), err)
			}
			if storedIDs(got) != tt.want {
				t.Errorf("SearchItems(%q) = [%s], want [%s]", store.FTSQuery(tt.words), storedIDs(got), tt.want)
			}
		})
	}
	got, err := st.SearchItems(ctx, store.FTSQuery([]string{"protest"}), all, 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("SearchItems(protest) = %d items, %v", len(got), err)
	}
	if got[0].Title != corpus[0].Title || got[0].Text != corpus[0].Text || !got[0].Published.Equal(corpus[0].Published) {
		t.Errorf("found item = %+v, want %+v", got[0].Item, corpus[0])
	}
}

func testFTSQuery(t *testing.T, st *store.Store) {
	tests := []struct {
		words []string
		want  string
	}{
		{[]string{"summon"}, `"summon"*`},
		{[]string{"summon", "поверенн"}, `"summon"* OR "поверенн"*`},
		{[]string{` a"b `, "", "  "}, `"a""b"*`},
		{[]string{"***", "-", "x"}, `"x"*`},
		{nil, ``},
	}
	for _, tt := range tests {
		if got := store.FTSQuery(tt.words); got != tt.want {
			t.Errorf("FTSQuery(%q) = %s, want %s", tt.words, got, tt.want)
		}
	}
	// Whatever a user types, the query it builds is valid.
	inputs := []string{`"`, `""`, `"*`, `a*b`, `col:x`, `{a b}`, `a+b`, `NEAR(a b, 2)`, `'`, `\`, `--`, `$1`, `?`, `x's`, `AND OR NOT`, `&|!<->:*`}
	for _, in := range inputs {
		q := store.FTSQuery(strings.Fields(in))
		if _, err := st.SearchItems(t.Context(), q, time.Time{}, 10); err != nil {
			t.Errorf("input %q: query %s: %v", in, q, err)
		}
	}
}

func testSourceState(t *testing.T, st *store.Store) {
	ctx := t.Context()
	if _, err := st.GetSourceState(ctx, "mid-russia"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetSourceState of a new source: err = %v, want ErrNotFound", err)
	}
	at := func(m int) time.Time { return time.Date(2024, 2, 3, 12, m, 0, 0, time.UTC) }
	states := []store.SourceState{
		{ID: "mid-russia", ETag: `W/"abc"`, LastModified: "Sat, 03 Feb 2024 12:00:00 GMT", Cursor: "12345",
			LastSuccess: at(1), LastAttempt: at(2), ConsecutiveFailures: 0, NextPoll: at(4), Seen: true},
		{ID: "a-failing", LastAttempt: at(3), ConsecutiveFailures: 3, LastError: "feed: status 503", NextPoll: at(10)},
		{ID: "new"},
	}
	for _, s := range states {
		if err := st.PutSourceState(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range states {
		got, err := st.GetSourceState(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("GetSourceState(%s) = %+v\nwant %+v", want.ID, got, want)
		}
	}
	// Put replaces the whole state.
	recovered := states[1]
	recovered.ConsecutiveFailures, recovered.LastError, recovered.LastSuccess, recovered.Seen = 0, "", at(5), true
	if err := st.PutSourceState(ctx, recovered); err != nil {
		t.Fatal(err)
	}
	list, err := st.ListSourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.SourceState{recovered, states[0], states[2]}
	if !slices.Equal(list, want) {
		t.Errorf("ListSourceStates = %+v\nwant %+v", list, want)
	}
	if err := st.PutSourceState(ctx, store.SourceState{}); err == nil {
		t.Error("PutSourceState without id: no error")
	}
}

func testAlerts(t *testing.T, st *store.Store) {
	ctx := t.Context()
	clk := newClock(st)
	corpus := searchCorpus()
	if _, err := st.SaveItems(ctx, corpus); err != nil {
		t.Fatal(err)
	}
	summoned := store.Alert{Source: "reuters", ItemID: "en-1", RuleID: "diplomat-summoned", RulesetID: "diplomacy",
		Severity: "high", Countries: []string{"IQ", "US"},
		Highlights: []store.Highlight{{Field: "title", Start: 5, End: 12, Text: "summons"}}}
	protest := summoned
	protest.RuleID, protest.Highlights, protest.Countries = "protest-note", nil, nil

	var id1, id2 int64
	err := st.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		if id1, err = st.InsertAlertTx(ctx, tx, summoned); err != nil {
			return err
		}
		// The same item and rule again: refused, and the transaction goes on.
		if _, err := st.InsertAlertTx(ctx, tx, summoned); !errors.Is(err, store.ErrAlertExists) {
			t.Errorf("second InsertAlertTx: err = %v, want ErrAlertExists", err)
		}
		id2, err = st.InsertAlertTx(ctx, tx, protest)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if id1 <= 0 || id2 <= 0 || id1 == id2 {
		t.Errorf("ids = %d, %d; want two positive ids", id1, id2)
	}
	// In a later transaction too.
	err = st.WithTx(ctx, func(tx *sql.Tx) error {
		_, err := st.InsertAlertTx(ctx, tx, summoned)
		return err
	})
	if !errors.Is(err, store.ErrAlertExists) {
		t.Errorf("InsertAlertTx in a later transaction: err = %v, want ErrAlertExists", err)
	}

	got, err := st.GetAlert(ctx, id1)
	if err != nil {
		t.Fatal(err)
	}
	want := summoned
	want.ID, want.CreatedAt = id1, clk.now()
	if fmt.Sprint(got) != fmt.Sprint(want) || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("GetAlert = %+v\nwant %+v", got, want)
	}
	got, err = st.GetAlert(ctx, id2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Highlights) != 0 || len(got.Countries) != 0 {
		t.Errorf("alert without highlights and countries came back with %v %v", got.Highlights, got.Countries)
	}

	// A rolled-back transaction leaves nothing.
	errRollback := errors.New("rollback")
	err = st.WithTx(ctx, func(tx *sql.Tx) error {
		a := summoned
		a.Source, a.ItemID = "tass", "ru-1"
		if _, err := st.InsertAlertTx(ctx, tx, a); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Errorf("WithTx err = %v, want fn's error", err)
	}
	clk.advance(time.Hour)
	later := summoned
	later.ItemID = "en-2"
	var id3 int64
	err = st.WithTx(ctx, func(tx *sql.Tx) (err error) {
		id3, err = st.InsertAlertTx(ctx, tx, later)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := st.ListAlerts(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []int64
	for _, a := range list {
		gotIDs = append(gotIDs, a.ID)
	}
	if !slices.Equal(gotIDs, []int64{id1, id2, id3}) {
		t.Errorf("ListAlerts ids = %v, want %v (the rolled-back alert left out)", gotIDs, []int64{id1, id2, id3})
	}
	list, err = st.ListAlerts(ctx, clk.now(), 0)
	if err != nil || len(list) != 1 || list[0].ID != id3 {
		t.Errorf("ListAlerts(since the last) = %v, %v; want alert %d", list, err, id3)
	}
	if _, err := st.GetAlert(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetAlert of an unknown id: err = %v, want ErrNotFound", err)
	}
	// An alert must name a stored item.
	err = st.WithTx(ctx, func(tx *sql.Tx) error {
		a := summoned
		a.ItemID = "never-stored"
		_, err := st.InsertAlertTx(ctx, tx, a)
		return err
	})
	if err == nil {
		t.Error("an alert on an unknown item was stored")
	}
}

// insertAlerts inserts as in one transaction and returns their ids.
// testBatch: the pipeline's calls for one poll. KnownItems tells which
// ids are stored, by source, without writing; InsertAlertsTx inserts a
// poll's alerts, giving 0 for those that exist, in the caller's
// transaction with SaveItemsTx.
func testBatch(t *testing.T, st *store.Store) {
	ctx := t.Context()
	if _, err := st.SaveItems(ctx, []sources.Item{item("a", "1", "one", "x"), item("b", "2", "two", "y")}); err != nil {
		t.Fatal(err)
	}
	known, err := st.KnownItems(ctx, "a", []string{"1", "2", "3"})
	if err != nil {
		t.Fatal(err)
	}
	if len(known) != 1 || !known["1"] {
		t.Errorf("KnownItems(a, 1 2 3) = %v, want only 1 (2 is b's)", known)
	}
	many := make([]string, 1200) // more than one query's worth
	for i := range many {
		many[i] = fmt.Sprint("n", i)
	}
	many[700] = "1"
	if known, err := st.KnownItems(ctx, "a", many); err != nil || len(known) != 1 {
		t.Errorf("KnownItems of 1200 ids = %v, %v; want 1 known", known, err)
	}

	var ids []int64
	err = st.WithTx(ctx, func(tx *sql.Tx) error {
		fresh, err := st.SaveItemsTx(ctx, tx, []sources.Item{item("a", "3", "three", "z")})
		if err != nil || len(fresh) != 1 {
			return fmt.Errorf("SaveItemsTx: %v new, %v", len(fresh), err)
		}
		ids, err = st.InsertAlertsTx(ctx, tx, []store.Alert{
			{Source: "a", ItemID: "1", RuleID: "r1", Severity: "high"},
			{Source: "a", ItemID: "3", RuleID: "r1", Severity: "high"},
			{Source: "a", ItemID: "1", RuleID: "r1", Severity: "high"}, // again: exists
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 || ids[0] <= 0 || ids[1] <= 0 || ids[0] == ids[1] || ids[2] != 0 {
		t.Errorf("InsertAlertsTx ids = %v, want two new ids and 0 for the repeat", ids)
	}
	// A rolled back poll leaves its items new.
	err = st.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := st.SaveItemsTx(ctx, tx, []sources.Item{item("a", "4", "four", "w")}); err != nil {
			return err
		}
		return errors.New("the poll fails")
	})
	if err == nil {
		t.Fatal("WithTx returned no error")
	}
	if known, _ := st.KnownItems(ctx, "a", []string{"4"}); known["4"] {
		t.Error("an item saved in a rolled back transaction is known")
	}
}

func insertAlerts(t *testing.T, st *store.Store, as ...store.Alert) []int64 {
	t.Helper()
	var ids []int64
	err := st.WithTx(t.Context(), func(tx *sql.Tx) error {
		for _, a := range as {
			id, err := st.InsertAlertTx(t.Context(), tx, a)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func testFloodSummaries(t *testing.T, st *store.Store) {
	ctx := t.Context()
	clk := newClock(st)
	if _, err := st.SaveItems(ctx, searchCorpus()); err != nil {
		t.Fatal(err)
	}
	summoned := store.Alert{Source: "reuters", ItemID: "en-1", RuleID: "diplomat-summoned", Severity: "high"}
	protest := store.Alert{Source: "reuters", ItemID: "en-1", RuleID: "protest-note", Severity: "medium"}
	meeting := store.Alert{Source: "reuters", ItemID: "en-2", RuleID: "unsc-meeting-requested", Severity: "medium"}
	ids := insertAlerts(t, st, summoned, protest, meeting)

	// The summary of the last two refers to the first one's item, which has
	// ordinary alerts too: no clash.
	summary := store.Alert{Source: "reuters", ItemID: "en-1", RuleID: store.FloodSummaryRule, Severity: "medium",
		Folded: ids[1:]}
	sumID := insertAlerts(t, st, summary)[0]
	got, err := st.GetAlert(ctx, sumID)
	if err != nil {
		t.Fatal(err)
	}
	want := summary
	want.ID, want.CreatedAt = sumID, clk.now()
	if fmt.Sprint(got) != fmt.Sprint(want) || !got.IsSummary() {
		t.Errorf("GetAlert(summary) = %+v\nwant %+v", got, want)
	}
	if got, err := st.GetAlert(ctx, ids[0]); err != nil || len(got.Folded) != 0 || got.IsSummary() {
		t.Errorf("GetAlert(ordinary) = %+v, %v; want no Folded", got, err)
	}
	list, err := st.ListAlerts(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var folded []string
	for _, a := range list {
		folded = append(folded, fmt.Sprintf("%d:%v", a.ID, a.Folded))
	}
	if got, want := strings.Join(folded, " "), fmt.Sprintf("%d:[] %d:[] %d:[] %d:%v", ids[0], ids[1], ids[2], sumID, ids[1:]); got != want {
		t.Errorf("ListAlerts ids and Folded = %s, want %s", got, want)
	}

	tests := []struct {
		name   string
		a      store.Alert
		exists bool // the error wraps ErrAlertExists; else any error
	}{
		{"a second summary of one item", store.Alert{Source: "reuters", ItemID: "en-1", Folded: []int64{ids[0]}}, true},
		{"a summary without folded alerts", store.Alert{Source: "reuters", ItemID: "en-3"}, false},
		{"folded alerts in an ordinary alert", store.Alert{Source: "reuters", ItemID: "en-3", RuleID: "protest-note", Folded: ids[:1]}, false},
		{"a summary of an unknown item", store.Alert{Source: "reuters", ItemID: "never-stored", Folded: ids[:1]}, false},
	}
	for _, tt := range tests {
		err := st.WithTx(ctx, func(tx *sql.Tx) error {
			_, err := st.InsertAlertTx(ctx, tx, tt.a)
			return err
		})
		switch {
		case err == nil:
			t.Errorf("%s: stored", tt.name)
		case tt.exists && !errors.Is(err, store.ErrAlertExists):
			t.Errorf("%s: err = %v, want ErrAlertExists", tt.name, err)
		case !tt.exists && errors.Is(err, store.ErrAlertExists):
			t.Errorf("%s: err = %v, want another error", tt.name, err)
		}
	}
	// Another item may have its own summary.
	other := summary
	other.ItemID = "en-2"
	insertAlerts(t, st, other)
}

func testDeliveries(t *testing.T, st *store.Store) {
	ctx := t.Context()
	clk := newClock(st)
	if _, err := st.SaveItems(ctx, searchCorpus()); err != nil {
		t.Fatal(err)
	}
	ids := insertAlerts(t, st,
		store.Alert{Source: "reuters", ItemID: "en-1", RuleID: "diplomat-summoned"},
		store.Alert{Source: "reuters", ItemID: "en-1", RuleID: "protest-note"})
	const chat, topic = "telegram:-1001234567890", "telegram:-1001234567890/3"
	delivered := func(id int64, chat string) bool {
		t.Helper()
		ok, err := st.Delivered(ctx, id, chat)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	count := func(since time.Time) int {
		t.Helper()
		n, err := st.CountDelivered(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if delivered(ids[0], chat) || count(time.Time{}) != 0 {
		t.Error("a new store has deliveries")
	}
	start := clk.now()
	if err := st.MarkDelivered(ctx, ids[0], chat); err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Minute)
	if err := st.MarkDelivered(ctx, ids[1], topic); err != nil {
		t.Fatal(err)
	}
	// Marking again is not an error and keeps the first time.
	if err := st.MarkDelivered(ctx, ids[0], chat); err != nil {
		t.Errorf("MarkDelivered again: %v", err)
	}
	for _, tt := range []struct {
		id   int64
		chat string
		want bool
	}{
		{ids[0], chat, true},
		{ids[0], topic, false}, // a topic is a chat of its own
		{ids[1], topic, true},
		{ids[1], chat, false},
		{999999, chat, false},
	} {
		if got := delivered(tt.id, tt.chat); got != tt.want {
			t.Errorf("Delivered(%d, %s) = %v, want %v", tt.id, tt.chat, got, tt.want)
		}
	}
	for _, tt := range []struct {
		since time.Time
		want  int
	}{{time.Time{}, 2}, {start, 2}, {start.Add(time.Second), 1}, {clk.now().Add(time.Second), 0}} {
		if got := count(tt.since); got != tt.want {
			t.Errorf("CountDelivered(%v) = %d, want %d", tt.since, got, tt.want)
		}
	}
	if err := st.MarkDelivered(ctx, 999999, chat); err == nil {
		t.Error("MarkDelivered of an unknown alert: no error")
	}
}

func testQueueDepth(t *testing.T, st *store.Store) {
	ctx := t.Context()
	// River not migrated yet.
	if n, err := st.QueueDepth(ctx); n != 0 || err != nil {
		t.Errorf("QueueDepth without river_job = %d, %v; want 0, nil", n, err)
	}
	// A stand-in for River's table, with a job in every state River has.
	if _, err := st.DB().ExecContext(ctx, `CREATE TABLE river_job (id INTEGER PRIMARY KEY, state TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if n, err := st.QueueDepth(ctx); n != 0 || err != nil {
		t.Errorf("QueueDepth of an empty river_job = %d, %v; want 0, nil", n, err)
	}
	states := []string{"available", "available", "cancelled", "completed", "discarded", "pending", "retryable", "running", "scheduled"}
	for i, state := range states {
		if _, err := st.DB().ExecContext(ctx, fmt.Sprintf(`INSERT INTO river_job (id, state) VALUES (%d, '%s')`, i+1, state)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := st.QueueDepth(ctx); n != 5 || err != nil {
		t.Errorf("QueueDepth = %d, %v; want 5 (available ×2, retryable, running, scheduled)", n, err)
	}
}

func testSubscriptions(t *testing.T, st *store.Store) {
	ctx := t.Context()
	muted := time.Date(2024, 2, 4, 0, 0, 0, 0, time.UTC)
	subs := []store.Subscription{
		{Platform: "telegram", Chat: "-1001", Target: "diplomacy", MinSeverity: "medium"},
		{Platform: "telegram", Chat: "-1001", Topic: "42", Target: "unsc"},
		{Platform: "telegram", Chat: "-1001", Target: "unsc", MutedUntil: muted},
		{Platform: "slack", Chat: "C0123", Target: "diplomacy"},
		{Platform: "telegram", Chat: "-1002", Target: "diplomacy", DigestOnly: true},
	}
	for _, s := range subs {
		if err := st.AddSubscription(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// Subscribing again updates.
	changed := subs[0]
	changed.MinSeverity, changed.DigestOnly = "high", true
	if err := st.AddSubscription(ctx, changed); err != nil {
		t.Fatal(err)
	}
	if err := st.AddSubscription(ctx, store.Subscription{Platform: "telegram", Chat: "-1001"}); err == nil {
		t.Error("AddSubscription without target: no error")
	}

	list := func(platform, chat string) []store.Subscription {
		t.Helper()
		got, err := st.ListSubscriptions(ctx, platform, chat)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got, want := list("telegram", "-1001"), []store.Subscription{changed, subs[2], subs[1]}; !equalSubs(got, want) {
		t.Errorf("ListSubscriptions = %+v\nwant %+v", got, want)
	}
	all, err := st.ListAllSubscriptions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.Subscription{subs[3], changed, subs[2], subs[1], subs[4]}; !equalSubs(all, want) {
		t.Errorf("ListAllSubscriptions = %+v\nwant %+v", all, want)
	}

	removed, err := st.RemoveSubscription(ctx, "telegram", "-1001", "", "unsc")
	if err != nil || !removed {
		t.Errorf("RemoveSubscription = %v, %v; want true", removed, err)
	}
	removed, err = st.RemoveSubscription(ctx, "telegram", "-1001", "", "unsc")
	if err != nil || removed {
		t.Errorf("RemoveSubscription again = %v, %v; want false", removed, err)
	}
	n, err := st.MuteSubscriptions(ctx, "telegram", "-1001", "42", muted)
	if err != nil || n != 1 {
		t.Errorf("MuteSubscriptions = %d, %v; want 1", n, err)
	}
	topic := subs[1]
	topic.MutedUntil = muted
	if got, want := list("telegram", "-1001"), []store.Subscription{changed, topic}; !equalSubs(got, want) {
		t.Errorf("after remove and mute: %+v\nwant %+v", got, want)
	}
	if removed, err := st.RemoveSubscription(ctx, "telegram", "-1001", "", ""); err != nil || !removed {
		t.Errorf("RemoveSubscription(all) = %v, %v", removed, err)
	}
	if got, want := list("telegram", "-1001"), []store.Subscription{topic}; !equalSubs(got, want) {
		t.Errorf("after unsubscribe all in the main topic: %+v\nwant %+v", got, want)
	}

	// Static subscriptions follow the config; the chats' own stay.
	static := []store.Subscription{
		{Platform: "telegram", Chat: "-1003", Target: "unsc", MinSeverity: "high"},
		{Platform: "slack", Chat: "C0123", Target: "unsc", DigestOnly: true},
	}
	if err := st.SyncStaticSubscriptions(ctx, static); err != nil {
		t.Fatal(err)
	}
	if err := st.SyncStaticSubscriptions(ctx, static[1:]); err != nil {
		t.Fatal(err)
	}
	s1 := static[1]
	s1.Static = true
	if got, want := list("slack", "C0123"), []store.Subscription{subs[3], s1}; !equalSubs(got, want) {
		t.Errorf("slack after sync: %+v\nwant %+v", got, want)
	}
	if got := list("telegram", "-1003"); len(got) != 0 {
		t.Errorf("a static subscription dropped from the config stayed: %+v", got)
	}

	// MoveChat takes the chat's digest schedule along, LastDue and Since
	// too, but not a topic's (whose address only starts the same) nor
	// another platform's.
	clk := newClock(st)
	for _, d := range []store.DigestSchedule{
		{Chat: "telegram:-1002", Cron: "0 9 * * *", TZ: "Europe/Moscow"},
		{Chat: "telegram:-1002/5", Cron: "0 18 * * *"},
		{Chat: "slack:-1002", Cron: "0 7 * * *"},
	} {
		if err := st.SetDigestSchedule(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	since := clk.now()
	due := since.Add(time.Hour)
	queueDigest(t, st, "telegram:-1002", due)
	clk.advance(time.Hour)
	if err := st.MoveChat(ctx, "telegram", "-1002", "-1009"); err != nil {
		t.Fatal(err)
	}
	moved := subs[4]
	moved.Chat = "-1009"
	if got, want := list("telegram", "-1009"), []store.Subscription{moved}; !equalSubs(got, want) {
		t.Errorf("after MoveChat: %+v\nwant %+v", got, want)
	}
	if got := list("telegram", "-1002"); len(got) != 0 {
		t.Errorf("the old chat kept %+v", got)
	}
	want := strings.Join([]string{
		schedule(store.DigestSchedule{Chat: "slack:-1002", Cron: "0 7 * * *", Since: since}),
		schedule(store.DigestSchedule{Chat: "telegram:-1002/5", Cron: "0 18 * * *", Since: since}),
		schedule(store.DigestSchedule{Chat: "telegram:-1009", Cron: "0 9 * * *", TZ: "Europe/Moscow", Since: since, LastDue: due}),
	}, "\n")
	if got := schedules(t, st); got != want {
		t.Errorf("schedules after MoveChat:\n%s\nwant\n%s", got, want)
	}

	// A schedule the new chat has wins.
	if err := st.SetDigestSchedule(ctx, store.DigestSchedule{Chat: "slack:C0999", Cron: "30 8 * * 1-5"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetDigestSchedule(ctx, store.DigestSchedule{Chat: "slack:C0123", Cron: "0 9 * * *"}); err != nil {
		t.Fatal(err)
	}
	if err := st.MoveChat(ctx, "slack", "C0123", "C0999"); err != nil {
		t.Fatal(err)
	}
	if d, err := st.DigestScheduleOf(ctx, "slack:C0999"); err != nil || d.Cron != "30 8 * * 1-5" {
		t.Errorf("the new chat's schedule after MoveChat = %+v, %v; want its own, cron 30 8 * * 1-5", d, err)
	}
	if _, err := st.DigestScheduleOf(ctx, "slack:C0123"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the old chat's schedule after MoveChat: err = %v, want ErrNotFound", err)
	}
}

func equalSubs(a, b []store.Subscription) bool {
	return slices.EqualFunc(a, b, func(x, y store.Subscription) bool {
		return x.Platform == y.Platform && x.Chat == y.Chat && x.Topic == y.Topic && x.Target == y.Target &&
			x.MinSeverity == y.MinSeverity && x.MutedUntil.Equal(y.MutedUntil) && x.Static == y.Static &&
			x.DigestOnly == y.DigestOnly
	})
}

func testPausedChats(t *testing.T, st *store.Store) {
	ctx := t.Context()
	clk := newClock(st)
	paused := func() string {
		t.Helper()
		list, err := st.PausedChats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, c := range list {
			s = append(s, fmt.Sprintf("%s:%s %q %s", c.Platform, c.Chat, c.Reason, c.Since.Format(time.TimeOnly)))
		}
		return strings.Join(s, ", ")
	}
	if got := paused(); got != "" {
		t.Errorf("PausedChats of a new store = %s", got)
	}
	if err := st.PauseChat(ctx, "telegram", "-1001", "Forbidden: bot was blocked by the user"); err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Minute)
	if err := st.PauseChat(ctx, "slack", "C0123", "channel_not_found"); err != nil {
		t.Fatal(err)
	}
	if err := st.PauseChat(ctx, "telegram", "-1001", "Forbidden: bot was kicked"); err != nil {
		t.Fatal(err)
	}
	want := `slack:C0123 "channel_not_found" 12:01:00, telegram:-1001 "Forbidden: bot was kicked" 12:00:00`
	if got := paused(); got != want {
		t.Errorf("PausedChats = %s\nwant %s", got, want)
	}
	for _, tt := range []struct {
		platform, chat string
		want           bool
	}{{"telegram", "-1001", true}, {"slack", "C0123", true}, {"telegram", "C0123", false}, {"telegram", "-1002", false}} {
		got, err := st.ChatPaused(ctx, tt.platform, tt.chat)
		if err != nil || got != tt.want {
			t.Errorf("ChatPaused(%s, %s) = %v, %v; want %v", tt.platform, tt.chat, got, err, tt.want)
		}
	}
	if err := st.ResumeChat(ctx, "telegram", "-1001"); err != nil {
		t.Fatal(err)
	}
	if err := st.ResumeChat(ctx, "telegram", "never-paused"); err != nil {
		t.Fatal(err)
	}
	if got, want := paused(), `slack:C0123 "channel_not_found" 12:01:00`; got != want {
		t.Errorf("after ResumeChat: %s\nwant %s", got, want)
	}
	if err := st.MoveChat(ctx, "slack", "C0123", "C0999"); err != nil {
		t.Fatal(err)
	}
	if got, want := paused(), `slack:C0999 "channel_not_found" 12:01:00`; got != want {
		t.Errorf("after MoveChat: %s\nwant %s", got, want)
	}
}

func testRestart(t *testing.T, st *store.Store) {
	ctx := t.Context()
	corpus := searchCorpus()
	if _, err := st.SaveItems(ctx, corpus); err != nil {
		t.Fatal(err)
	}
	state := store.SourceState{ID: "tass", ETag: `"e1"`, Cursor: "99", Seen: true,
		LastSuccess: time.Date(2024, 2, 3, 12, 0, 0, 0, time.UTC)}
	if err := st.PutSourceState(ctx, state); err != nil {
		t.Fatal(err)
	}
	var alertID int64
	err := st.WithTx(ctx, func(tx *sql.Tx) (err error) {
		alertID, err = st.InsertAlertTx(ctx, tx, store.Alert{Source: "tass", ItemID: "ru-1", RuleID: "protest-note", Severity: "high"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sub := store.Subscription{Platform: "slack", Chat: "C1", Target: "diplomacy"}
	if err := st.AddSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if err := st.PauseChat(ctx, "telegram", "-1", "blocked"); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkDelivered(ctx, alertID, "slack:C1"); err != nil {
		t.Fatal(err)
	}
	dsn := st.DSN()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st, err = store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer st.Close()
	if ok, err := st.MigrationsApplied(ctx); !ok || err != nil {
		t.Errorf("MigrationsApplied after reopen = %v, %v", ok, err)
	}
	if fresh, err := st.SaveItems(ctx, corpus); err != nil || len(fresh) != 0 {
		t.Errorf("SaveItems of the same items after reopen: new = [%s], %v; want none", ids(fresh), err)
	}
	found, err := st.SearchItems(ctx, store.FTSQuery([]string{"поверенн"}), time.Time{}, 10)
	if err != nil || storedIDs(found) != "tass/ru-1" {
		t.Errorf("SearchItems after reopen = [%s], %v", storedIDs(found), err)
	}
	if got, err := st.GetSourceState(ctx, "tass"); err != nil || got != state {
		t.Errorf("GetSourceState after reopen = %+v, %v", got, err)
	}
	if a, err := st.GetAlert(ctx, alertID); err != nil || a.RuleID != "protest-note" {
		t.Errorf("GetAlert after reopen = %+v, %v", a, err)
	}
	err = st.WithTx(ctx, func(tx *sql.Tx) error {
		_, err := st.InsertAlertTx(ctx, tx, store.Alert{Source: "tass", ItemID: "ru-1", RuleID: "protest-note"})
		return err
	})
	if !errors.Is(err, store.ErrAlertExists) {
		t.Errorf("InsertAlertTx after reopen: err = %v, want ErrAlertExists", err)
	}
	if subs, err := st.ListSubscriptions(ctx, "slack", "C1"); err != nil || !equalSubs(subs, []store.Subscription{sub}) {
		t.Errorf("ListSubscriptions after reopen = %+v, %v", subs, err)
	}
	if paused, err := st.ChatPaused(ctx, "telegram", "-1"); err != nil || !paused {
		t.Errorf("ChatPaused after reopen = %v, %v", paused, err)
	}
	if done, err := st.Delivered(ctx, alertID, "slack:C1"); err != nil || !done {
		t.Errorf("Delivered after reopen = %v, %v", done, err)
	}
}

func testConcurrent(t *testing.T, st *store.Store) {
	ctx := t.Context()
	const (
		writers = 8
		batches = 15
		size    = 20
	)
	// Every writer saves the shared items, in its own order, and its own
	// items: each item must come back as new exactly once overall.
	batch := func(w, b int) []sources.Item {
		var items []sources.Item
		for i := range size {
			if i%2 == 0 {
				n := (b*size + i + w*7) % (batches * size)
				items = append(items, sources.Item{Source: "shared", ID: fmt.Sprint("s", n),
					Title: fmt.Sprint("shared item ", n), Text: "Совет Безопасности ООН"})
			} else {
				items = append(items, sources.Item{Source: fmt.Sprint("w", w), ID: fmt.Sprint(b, "-", i),
					Title: fmt.Sprintf("writer %d batch %d item %d", w, b, i), Text: "urgent meeting requested"})
			}
		}
		return items
	}
	var (
		mu    sync.Mutex
		seen  = map[string]int{}
		wg    sync.WaitGroup
		errCh = make(chan error, writers*batches*2)
	)
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				fresh, err := st.SaveItems(ctx, batch(w, b))
				if err != nil {
					errCh <- err
					return
				}
				mu.Lock()
				for _, it := range fresh {
					seen[it.Source+"/"+it.ID]++
				}
				mu.Unlock()
			}
		})
		// Lookups run alongside.
		wg.Go(func() {
			for range batches {
				if _, err := st.SearchItems(ctx, store.FTSQuery([]string{"совет", "urgent"}), time.Time{}, 50); err != nil {
					errCh <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errCh)
	for err := range errCh {
		t.Errorf("concurrent use: %v", err)
	}
	want := map[string]bool{}
	for w := range writers {
		for b := range batches {
			for _, it := range batch(w, b) {
				want[it.Source+"/"+it.ID] = true
			}
		}
	}
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("%s came back as new %d times, want once", id, seen[id])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d items came back as new, want %d", len(seen), len(want))
	}
}

// schedule formats d for comparisons.
func schedule(d store.DigestSchedule) string {
	return fmt.Sprintf("%s cron=%q tz=%q quiet=%q static=%v since=%s last_due=%s", d.Chat, d.Cron, d.TZ, d.Quiet,
		d.Static, d.Since.Format(time.RFC3339Nano), d.LastDue.Format(time.RFC3339Nano))
}

// schedules returns DigestSchedules formatted, one a line.
func schedules(t *testing.T, st *store.Store) string {
	t.Helper()
	ds, err := st.DigestSchedules(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, d := range ds {
		s = append(s, schedule(d))
	}
	return strings.Join(s, "\n")
}

// queueDigest calls QueueDigestTx in a transaction of its own and returns
// what it reported.
func queueDigest(t *testing.T, st *store.Store, chat string, due time.Time) bool {
	t.Helper()
	var queued bool
	err := st.WithTx(t.Context(), func(tx *sql.Tx) (err error) {
		queued, err = st.QueueDigestTx(t.Context(), tx, chat, due)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return queued
}

func testDigestSchedules(t *testing.T, st *store.Store) {
	ctx := t.Context()
	clk := newClock(st)
	const chat = "telegram:-1001234567890/3"
	if _, err := st.DigestScheduleOf(ctx, chat); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DigestScheduleOf of a chat without one: err = %v, want ErrNotFound", err)
	}
	if got := schedules(t, st); got != "" {
		t.Errorf("DigestSchedules of a new store = %s", got)
	}
	t0 := clk.now()
	due := t0.Add(21 * time.Hour)

	// Each step sets a schedule for chat (Static, Since and LastDue in it
	// are ignored) and wants the stored one; queue queues a digest first.
	steps := []struct {
		name    string
		advance time.Duration
		queue   time.Time
		set     store.DigestSchedule
		want    store.DigestSchedule
	}{
		{
			name: "a new schedule starts now",
			set: store.DigestSchedule{Cron: "0 9 * * *", TZ: "Europe/Moscow", Static: true,
				Since: t0.Add(-time.Hour), LastDue: t0.Add(-time.Hour)},
			want: store.DigestSchedule{Cron: "0 9 * * *", TZ: "Europe/Moscow", Since: t0},
		},
		{
			name: "the same cron and zone keep Since", advance: time.Hour, queue: due,
			set:  store.DigestSchedule{Cron: "0 9 * * *", TZ: "Europe/Moscow", Quiet: "skip"},
			want: store.DigestSchedule{Cron: "0 9 * * *", TZ: "Europe/Moscow", Quiet: "skip", Since: t0, LastDue: due},
		},
		{
			name: "another cron starts anew, LastDue kept", advance: time.Hour,
			set:  store.DigestSchedule{Cron: "0 18 * * 1-5", TZ: "Europe/Moscow"},
			want: store.DigestSchedule{Cron: "0 18 * * 1-5", TZ: "Europe/Moscow", Since: t0.Add(2 * time.Hour), LastDue: due},
		},
		{
			name: "another zone starts anew", advance: time.Hour,
			set:  store.DigestSchedule{Cron: "0 18 * * 1-5", TZ: "Asia/Baghdad"},
			want: store.DigestSchedule{Cron: "0 18 * * 1-5", TZ: "Asia/Baghdad", Since: t0.Add(3 * time.Hour), LastDue: due},
		},
		{
			name: "off is a schedule", advance: time.Hour,
			set:  store.DigestSchedule{TZ: "Asia/Baghdad"},
			want: store.DigestSchedule{TZ: "Asia/Baghdad", Since: t0.Add(4 * time.Hour), LastDue: due},
		},
	}
	for _, step := range steps {
		clk.advance(step.advance)
		if !step.queue.IsZero() && !queueDigest(t, st, chat, step.queue) {
			t.Fatalf("%s: QueueDigestTx = false", step.name)
		}
		step.set.Chat, step.want.Chat = chat, chat
		if err := st.SetDigestSchedule(ctx, step.set); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		got, err := st.DigestScheduleOf(ctx, chat)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if schedule(got) != schedule(step.want) {
			t.Errorf("%s:\n got %s\nwant %s", step.name, schedule(got), schedule(step.want))
		}
	}

	other := store.DigestSchedule{Chat: "slack:C0123", Cron: "30 8 * * *", TZ: "UTC"}
	if err := st.SetDigestSchedule(ctx, other); err != nil {
		t.Fatal(err)
	}
	other.Since = clk.now()
	last := steps[len(steps)-1].want
	last.Chat = chat
	if got, want := schedules(t, st), schedule(other)+"\n"+schedule(last); got != want {
		t.Errorf("DigestSchedules:\n%s\nwant\n%s", got, want)
	}
	if err := st.SetDigestSchedule(ctx, store.DigestSchedule{Cron: "0 9 * * *"}); err == nil {
		t.Error("SetDigestSchedule without chat: no error")
	}
}

func testStaticDigestSchedules(t *testing.T, st *store.Store) {
	ctx := t.Context()
	clk := newClock(st)
	t0 := clk.now()
	own := store.DigestSchedule{Chat: "telegram:-1001", Cron: "", TZ: "Europe/Moscow"} // the chat turned digests off
	if err := st.SetDigestSchedule(ctx, own); err != nil {
		t.Fatal(err)
	}
	own.Since = t0
	clk.advance(time.Minute)
	t1 := clk.now()
	config := []store.DigestSchedule{
		{Chat: "slack:C1", Cron: "0 9 * * *", TZ: "UTC"},
		{Chat: "telegram:-1001", Cron: "0 9 * * *", TZ: "Europe/Moscow"},
		{Chat: "telegram:-1002", Cron: "0 18 * * *", Quiet: "skip"},
	}
	if err := st.SyncStaticDigestSchedules(ctx, config); err != nil {
		t.Fatal(err)
	}
	c1 := store.DigestSchedule{Chat: "slack:C1", Cron: "0 9 * * *", TZ: "UTC", Static: true, Since: t1}
	c2 := store.DigestSchedule{Chat: "telegram:-1002", Cron: "0 18 * * *", Quiet: "skip", Static: true, Since: t1}
	lines := func(ds ...store.DigestSchedule) string {
		var s []string
		for _, d := range ds {
			s = append(s, schedule(d))
		}
		return strings.Join(s, "\n")
	}
	if got, want := schedules(t, st), lines(c1, own, c2); got != want {
		t.Errorf("after the first sync:\n%s\nwant (the chat's own schedule kept)\n%s", got, want)
	}

	// A second sync: C1 with the same cron keeps Since and LastDue, -1002
	// left the config.
	due := t1.Add(time.Hour)
	if !queueDigest(t, st, "slack:C1", due) {
		t.Fatal("QueueDigestTx = false")
	}
	clk.advance(time.Hour)
	config = []store.DigestSchedule{
		{Chat: "slack:C1", Cron: "0 9 * * *", TZ: "UTC", Quiet: "skip"},
		{Chat: "telegram:-1001", Cron: "0 9 * * *", TZ: "Europe/Moscow"},
	}
	if err := st.SyncStaticDigestSchedules(ctx, config); err != nil {
		t.Fatal(err)
	}
	c1.Quiet, c1.LastDue = "skip", due
	if got, want := schedules(t, st), lines(c1, own); got != want {
		t.Errorf("after the second sync:\n%s\nwant\n%s", got, want)
	}

	// A new cron starts anew and keeps LastDue.
	clk.advance(time.Hour)
	config[0].Cron = "0 10 * * *"
	if err := st.SyncStaticDigestSchedules(ctx, config); err != nil {
		t.Fatal(err)
	}
	c1.Cron, c1.Since = "0 10 * * *", clk.now()
	if got, want := schedules(t, st), lines(c1, own); got != want {
		t.Errorf("after a sync with a new cron:\n%s\nwant\n%s", got, want)
	}

	// The chat sets its own: no longer static, and a sync without it
	// leaves it.
	clk.advance(time.Hour)
	if err := st.SetDigestSchedule(ctx, store.DigestSchedule{Chat: "slack:C1", Cron: "0 10 * * *", TZ: "UTC"}); err != nil {
		t.Fatal(err)
	}
	c1.Static, c1.Quiet = false, ""
	if err := st.SyncStaticDigestSchedules(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := schedules(t, st), lines(c1, own); got != want {
		t.Errorf("after a sync of nothing:\n%s\nwant the chats' own schedules\n%s", got, want)
	}

	// A bad entry fails the whole sync.
	err := st.SyncStaticDigestSchedules(ctx, []store.DigestSchedule{{Chat: "slack:C2", Cron: "0 9 * * *"}, {Cron: "0 9 * * *"}})
	if err == nil || !strings.HasPrefix(err.Error(), "store: sync static digest schedules: ") {
		t.Errorf("sync with a schedule without chat: err = %v", err)
	}
	if got, want := schedules(t, st), lines(c1, own); got != want {
		t.Errorf("after a failed sync:\n%s\nwant\n%s", got, want)
	}
}

func testQueueDigest(t *testing.T, st *store.Store) {
	ctx := t.Context()
	newClock(st)
	const chat = "slack:C0123"
	if err := st.SetDigestSchedule(ctx, store.DigestSchedule{Chat: chat, Cron: "0 9 * * *"}); err != nil {
		t.Fatal(err)
	}
	at := func(day int) time.Time { return time.Date(2024, 2, day, 9, 0, 0, 0, time.UTC) }
	lastDue := func() time.Time {
		t.Helper()
		d, err := st.DigestScheduleOf(ctx, chat)
		if err != nil {
			t.Fatal(err)
		}
		return d.LastDue
	}
	for _, tt := range []struct {
		name string
		due  time.Time
		want bool
		last time.Time
	}{
		{"the first", at(4), true, at(4)},
		{"the same again", at(4), false, at(4)},
		{"an earlier one", at(3), false, at(4)},
		{"a later one", at(5), true, at(5)},
		{"a microsecond later", at(5).Add(time.Microsecond), true, at(5).Add(time.Microsecond)},
	} {
		if got := queueDigest(t, st, chat, tt.due); got != tt.want {
			t.Errorf("%s: QueueDigestTx = %v, want %v", tt.name, got, tt.want)
		}
		if got := lastDue(); !got.Equal(tt.last) {
			t.Errorf("%s: LastDue = %v, want %v", tt.name, got, tt.last)
		}
	}

	// A rolled-back transaction leaves LastDue, and the time is queued next.
	before := lastDue()
	errRollback := errors.New("rollback")
	err := st.WithTx(ctx, func(tx *sql.Tx) error {
		if ok, err := st.QueueDigestTx(ctx, tx, chat, at(6)); err != nil || !ok {
			t.Errorf("QueueDigestTx in the rolled-back tx = %v, %v; want true", ok, err)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("WithTx err = %v", err)
	}
	if got := lastDue(); !got.Equal(before) {
		t.Errorf("LastDue after a rollback = %v, want %v", got, before)
	}
	if !queueDigest(t, st, chat, at(6)) {
		t.Error("QueueDigestTx of the rolled-back time = false, want true")
	}

	err = st.WithTx(ctx, func(tx *sql.Tx) error {
		_, err := st.QueueDigestTx(ctx, tx, "slack:C9999", at(6))
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("QueueDigestTx of a chat without a schedule: err = %v, want ErrNotFound", err)
	}
}

func testDigestRuns(t *testing.T, st *store.Store) {
	ctx := t.Context()
	clk := newClock(st)
	const chat = "telegram:-1001234567890"
	at := func(day, hour int) time.Time { return time.Date(2024, 2, day, hour, 0, 0, 0, time.UTC) }
	run := func(r store.DigestRun) string {
		return fmt.Sprintf("%s due=%s [%s, %s) parts=%d alerts=%d sent=%s", r.Chat, r.Due.Format(time.RFC3339Nano),
			r.From.Format(time.RFC3339Nano), r.To.Format(time.RFC3339Nano), r.Parts, r.Alerts, r.Sent.Format(time.RFC3339Nano))
	}
	start := func(r store.DigestRun) store.DigestRun {
		t.Helper()
		got, err := st.StartDigest(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	last := func(chat string) (store.DigestRun, error) {
		t.Helper()
		return st.LastDigest(ctx, chat)
	}

	first := store.DigestRun{Chat: chat, Due: at(4, 9), From: at(3, 9), To: at(4, 9)}
	if got := start(first); run(got) != run(first) {
		t.Errorf("StartDigest = %s\nwant %s", run(got), run(first))
	}
	// A retry that computed another period gets the first one's.
	retry := first
	retry.From, retry.To = at(3, 12), at(4, 10)
	if got := start(retry); run(got) != run(first) {
		t.Errorf("StartDigest again = %s\nwant the first period: %s", run(got), run(first))
	}

	// Parts only go up.
	for _, tt := range []struct{ set, want int }{{2, 2}, {1, 2}, {0, 2}, {3, 3}} {
		if err := st.DigestPartSent(ctx, chat, first.Due, tt.set); err != nil {
			t.Fatal(err)
		}
		if got := start(first); got.Parts != tt.want {
			t.Errorf("DigestPartSent(%d): Parts = %d, want %d", tt.set, got.Parts, tt.want)
		}
	}
	if err := st.DigestPartSent(ctx, chat, at(1, 9), 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DigestPartSent of an unknown run: err = %v, want ErrNotFound", err)
	}

	if r, err := last(chat); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LastDigest with no run done = %s, %v; want ErrNotFound", run(r), err)
	}
	clk.advance(time.Minute)
	sent := clk.now()
	if err := st.FinishDigest(ctx, chat, first.Due, 17); err != nil {
		t.Fatal(err)
	}
	done := first
	done.Parts, done.Alerts, done.Sent = 3, 17, sent
	if r, err := last(chat); err != nil || run(r) != run(done) {
		t.Errorf("LastDigest = %s, %v\nwant %s", run(r), err, run(done))
	}
	// Finishing again keeps the first time.
	clk.advance(time.Minute)
	if err := st.FinishDigest(ctx, chat, first.Due, 17); err != nil {
		t.Fatal(err)
	}
	if r, err := last(chat); err != nil || !r.Sent.Equal(sent) {
		t.Errorf("LastDigest after a second FinishDigest: Sent = %v, %v; want %v", r.Sent, err, sent)
	}
	if err := st.FinishDigest(ctx, chat, at(1, 9), 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishDigest of an unknown run: err = %v, want ErrNotFound", err)
	}

	// A later run not done yet is not the last; a done run of a later Due
	// but an earlier To is not either; another chat's never is.
	pending := start(store.DigestRun{Chat: chat, Due: at(5, 9), From: at(4, 9), To: at(5, 9)})
	catchUp := start(store.DigestRun{Chat: chat, Due: at(4, 18), From: at(3, 0), To: at(4, 0)})
	if err := st.FinishDigest(ctx, chat, catchUp.Due, 0); err != nil {
		t.Fatal(err)
	}
	otherChat := start(store.DigestRun{Chat: "slack:C0123", Due: at(6, 9), From: at(5, 9), To: at(6, 9)})
	if err := st.FinishDigest(ctx, otherChat.Chat, otherChat.Due, 2); err != nil {
		t.Fatal(err)
	}
	if r, err := last(chat); err != nil || run(r) != run(done) {
		t.Errorf("LastDigest with a pending later run = %s, %v\nwant %s", run(r), err, run(done))
	}
	clk.advance(time.Hour)
	if err := st.FinishDigest(ctx, chat, pending.Due, 4); err != nil {
		t.Fatal(err)
	}
	pending.Alerts, pending.Sent = 4, clk.now()
	if r, err := last(chat); err != nil || run(r) != run(pending) {
		t.Errorf("LastDigest = %s, %v\nwant %s", run(r), err, run(pending))
	}
	if r, err := last("slack:C0123"); err != nil || r.Chat != "slack:C0123" || r.Alerts != 2 {
		t.Errorf("LastDigest of another chat = %s, %v", run(r), err)
	}
	if _, err := st.StartDigest(ctx, store.DigestRun{Chat: chat, Due: at(7, 9)}); err == nil {
		t.Error("StartDigest without a period: no error")
	}
}

func testListAlertItems(t *testing.T, st *store.Store) {
	ctx := t.Context()
	newClock(st)
	published := time.Date(2024, 2, 3, 8, 30, 0, 0, time.UTC)
	items := []sources.Item{
		{Source: "reuters", ID: "en-1", URL: "https://example.org/en-1", Title: "Iraq summons US chargé d'affaires",
			Text: "x", Published: published},
		{Source: "tass", ID: "ru-1", URL: "https://tass.ru/1", Title: "МИД Ирака вызвал поверенного",
			Text: "y", Published: published.Add(time.Hour)},
	}
	if _, err := st.SaveItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2024, 2, 3, 12, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	alert := func(source, item, rule string, created time.Time) store.Alert {
		return store.Alert{Source: source, ItemID: item, RuleID: rule, Severity: "high", CreatedAt: created}
	}
	ids := insertAlerts(t, st,
		alert("reuters", "en-1", "before", from.Add(-time.Microsecond)),
		alert("reuters", "en-1", "at-from", from),
		alert("tass", "ru-1", "inside", from.Add(time.Hour)),
		alert("reuters", "en-1", "inside-same-time", from.Add(time.Hour)),
		alert("reuters", "en-1", "last-inside", to.Add(-time.Microsecond)),
		alert("tass", "ru-1", "at-to", to),
	)
	// A flood summary of two of them, inside the period.
	summary := alert("tass", "ru-1", store.FloodSummaryRule, from.Add(time.Hour))
	summary.Folded = ids[2:4]
	insertAlerts(t, st, summary)

	list := func(from, to time.Time, limit int) string {
		t.Helper()
		got, err := st.ListAlertItems(ctx, from, to, limit)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, a := range got {
			s = append(s, a.RuleID)
		}
		return strings.Join(s, " ")
	}
	for _, tt := range []struct {
		name     string
		from, to time.Time
		limit    int
		want     string
	}{
		{"[from, to)", from, to, 0, "at-from inside inside-same-time last-inside"},
		{"limit", from, to, 2, "at-from inside"},
		{"a later from", from.Add(time.Microsecond), to, 0, "inside inside-same-time last-inside"},
		{"an empty period", from, from, 0, ""},
		{"no bounds", time.Time{}, time.Time{}, 0, "before at-from inside inside-same-time last-inside at-to"},
	} {
		if got := list(tt.from, tt.to, tt.limit); got != tt.want {
			t.Errorf("%s: ListAlertItems = [%s], want [%s]", tt.name, got, tt.want)
		}
	}

	got, err := st.ListAlertItems(ctx, from, from.Add(2*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("ListAlertItems = %d alerts, want 3", len(got))
	}
	for i, want := range []struct {
		id                 int64
		title, url         string
		published, created time.Time
	}{
		{ids[1], items[0].Title, items[0].URL, items[0].Published, from},
		{ids[2], items[1].Title, items[1].URL, items[1].Published, from.Add(time.Hour)},
		{ids[3], items[0].Title, items[0].URL, items[0].Published, from.Add(time.Hour)},
	} {
		a := got[i]
		if a.ID != want.id || a.Title != want.title || a.URL != want.url || !a.Published.Equal(want.published) ||
			!a.CreatedAt.Equal(want.created) || a.Severity != "high" || a.IsSummary() {
			t.Errorf("ListAlertItems[%d] = %+v\nwant id %d, %q, %s, published %v, created %v", i, a, want.id,
				want.title, want.url, want.published, want.created)
		}
	}
}
