package telegram

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestParsePage checks every post of testdata/channel.html field by field.
func TestParsePage(t *testing.T) {
	page, err := ParsePage(readFixture(t, "channel.html"), "https://t.me/s/MID_Russia")
	if err != nil {
		t.Fatal(err)
	}
	if page.Channel != "MID_Russia" {
		t.Errorf("Channel = %q, want MID_Russia", page.Channel)
	}
	if page.Oldest != 40101 {
		t.Errorf("Oldest = %d, want 40101 (the service message counts)", page.Oldest)
	}
	if page.Newest != 40115 {
		t.Errorf("Newest = %d, want 40115", page.Newest)
	}

	want := []struct {
		name string
		post Post
	}{
		{"text with links, hashtag, mention, emoji and entities", Post{
			ID: 40102, Permalink: "https://t.me/MID_Russia/40102", Time: at("2024-04-15T08:02:11Z"),
			Text: "❗️Заявление МИД России в связи с \"инцидентом\" в Чёрном море\n" +
				"Российская сторона решительно осуждает провокационные действия & требует объяснений.\n" +
				"Читайте полностью (https://mid.ru/ru/foreign_policy/news/1943312/)\n" +
				"https://mid.ru/ru/press_service/\n" +
				"#Украина @MID_Russia",
		}},
		{"photo with caption", Post{
			ID: 40103, Permalink: "https://t.me/MID_Russia/40103", Time: at("2024-04-15T09:15:00Z"), Media: MediaPhoto,
			Text: "📸 С.В.Лавров провёл переговоры с Министром иностранных дел КНР Ван И.\nОбсуждены вопросы стратегического партнёрства.",
		}},
		{"album of photos and a video", Post{
			ID: 40104, Permalink: "https://t.me/MID_Russia/40104", Time: at("2024-04-15T10:30:45Z"), Media: MediaAlbum,
			Text: "Церемония возложения венков к Могиле Неизвестного Солдата",
		}},
		{"video: its duration is no date", Post{
			ID: 40107, Permalink: "https://t.me/MID_Russia/40107", Time: at("2024-04-15T11:00:00Z"), Media: MediaVideo,
			Text: "🎥 Выступление С.В.Лаврова на пленарном заседании Совета Безопасности ООН (Нью-Йорк, 24 апреля 2024 года)",
		}},
		{"voice note with caption", Post{
			ID: 40108, Permalink: "https://t.me/MID_Russia/40108", Time: at("2024-04-15T11:42:30Z"), Media: MediaVoice,
			Text: "Комментарий официального представителя МИД России М.В.Захаровой радиостанции «Спутник»",
		}},
		{"poll: question and options", Post{
			ID: 40109, Permalink: "https://t.me/MID_Russia/40109", Time: at("2024-04-15T12:00:00Z"), Media: MediaPoll,
			Text: "Какие темы брифинга вам наиболее интересны?\nБлижний Восток\nОтношения с США\nКонсульские вопросы",
		}},
		{"forwarded", Post{
			ID: 40110, Permalink: "https://t.me/MID_Russia/40110", Time: at("2024-04-15T13:20:00Z"), ForwardedFrom: "Мария Захарова",
			Text: "Брифинг официального представителя МИД России М.В.Захаровой состоится 17 апреля в 12:00.",
		}},
		{"signed", Post{
			ID: 40111, Permalink: "https://t.me/MID_Russia/40111", Time: at("2024-04-15T14:05:09Z"), Author: "Пресс-служба",
			Text: "Посол России в Великобритании А.В.Келин вызван в Форин-офис. Комментарий посольства — в ближайшее время.",
		}},
		{"edited", Post{
			ID: 40112, Permalink: "https://t.me/MID_Russia/40112", Time: at("2024-04-15T15:30:00Z"), Edited: true,
			Text: "Об исключении из Списка персон нон грата: уточнённая редакция сообщения.",
		}},
		{"reply: the quoted text is not the post's", Post{
			ID: 40113, Permalink: "https://t.me/MID_Russia/40113", Time: at("2024-04-15T16:45:00Z"), ReplyTo: 40102,
			Text: "Дополнение: временный поверенный в делах США приглашён в МИД России.",
		}},
		// 40114, a photo without caption, is left out.
		{"document without caption: its file name, signed and edited", Post{
			ID: 40115, Permalink: "https://t.me/MID_Russia/40115", Time: at("2024-04-15T18:10:00Z"), Media: MediaDocument,
			Author: "Пресс-служба", Edited: true,
			Text: "Концепция внешней политики Российской Федерации.pdf",
		}},
	}
	if len(page.Posts) != len(want) {
		var ids []int64
		for _, p := range page.Posts {
			ids = append(ids, p.ID)
		}
		t.Fatalf("got %d posts %v, want %d", len(page.Posts), ids, len(want))
	}
	for i, w := range want {
		got := page.Posts[i]
		fields := []struct {
			name      string
			got, want any
		}{
			{"ID", got.ID, w.post.ID},
			{"Permalink", got.Permalink, w.post.Permalink},
			{"Time", got.Time, w.post.Time},
			{"Text", got.Text, w.post.Text},
			{"Media", got.Media, w.post.Media},
			{"ForwardedFrom", got.ForwardedFrom, w.post.ForwardedFrom},
			{"Author", got.Author, w.post.Author},
			{"Edited", got.Edited, w.post.Edited},
			{"ReplyTo", got.ReplyTo, w.post.ReplyTo},
		}
		for _, f := range fields {
			if f.got != f.want {
				t.Errorf("%s: %s = %q, want %q", w.name, f.name, f.got, f.want)
			}
		}
		if got.Time.Location() != time.UTC {
			t.Errorf("%s: Time not in UTC: %v", w.name, got.Time)
		}
	}
}

func TestParsePageErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    []byte
		baseURL string
		wantErr error
		wantMsg string
	}{
		{"no posts found", readFixture(t, "no_posts.html"), "https://t.me/s/mod_russia?before=1",
			ErrNoPosts, "telegram: channel mod_russia: no posts found"},
		{"the t.me/NAME page a redirect leads to", readFixture(t, "no_preview.html"), "https://t.me/mfa_closed",
			ErrNoPreview, "telegram: channel mfa_closed has no public preview"},
		{"empty body", nil, "https://t.me/s/mid_rf",
			ErrNoPreview, "telegram: channel mid_rf has no public preview"},
		{"history without messages or marker", []byte(`<main class="tgme_main" data-url="/mid_rf"><section class="tgme_channel_history"></section></main>`), "",
			ErrNoPosts, "telegram: channel mid_rf: no posts found"},
		{"unreadable data-post only", []byte(`<section class="tgme_channel_history"><div class="tgme_widget_message" data-post="mid_rf/x"></div></section>`), "https://t.me/s/mid_rf",
			ErrNoPosts, "telegram: channel mid_rf: no posts found"},
	}
	for _, tt := range tests {
		page, err := ParsePage(tt.body, tt.baseURL)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: error = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err.Error() != tt.wantMsg {
			t.Errorf("%s: error = %q, want %q", tt.name, err, tt.wantMsg)
		}
		if page != nil {
			t.Errorf("%s: page %+v with an error", tt.name, page)
		}
	}
}

// message wraps the inner HTML of a bubble in a one-post page.
func message(post, bubble string) []byte {
	return []byte(`<section class="tgme_channel_history"><div class="tgme_widget_message_wrap">` +
		`<div class="tgme_widget_message js-widget_message" data-post="` + post + `">` +
		`<div class="tgme_widget_message_bubble">` + bubble + `</div></div></div></section>`)
}

// TestParsePageCases covers markup the fixtures do not.
func TestParsePageCases(t *testing.T) {
	date := `<span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="/mid_rf/7"><time datetime="2024-04-15T11:00:00+03:00">11:00</time></a></span>`
	tests := []struct {
		name      string
		body      []byte
		wantPosts int
		want      Post // compared when wantPosts is 1
		wantOld   int64
	}{
		{"relative permalink, time in another zone",
			message("mid_rf/7", `<div class="tgme_widget_message_text">Нота</div>`+date), 1,
			Post{ID: 7, Permalink: "https://t.me/mid_rf/7", Time: at("2024-04-15T08:00:00Z"), Text: "Нота"}, 7},
		{"no date: permalink built, zero time",
			message("mid_rf/8", `<div class="tgme_widget_message_text">Нота</div>`), 1,
			Post{ID: 8, Permalink: "https://t.me/mid_rf/8", Text: "Нота"}, 8},
		{"channel name with a slash: split on the last one",
			message("a/b/9", `<div class="tgme_widget_message_text">Нота</div>`), 1,
			Post{ID: 9, Permalink: "https://t.me/a/b/9", Text: "Нота"}, 9},
		{"text only in the reply: nothing to read",
			message("mid_rf/10", `<a class="tgme_widget_message_reply" href="https://t.me/mid_rf/3"><div class="tgme_widget_message_text">Цитата</div></a>`), 0,
			Post{}, 10},
		{"link preview text is not the post's",
			message("mid_rf/11", `<a class="tgme_widget_message_link_preview" href="https://mid.ru/"><div class="link_preview_title">mid.ru</div><div class="tgme_widget_message_text">x</div></a>`), 0,
			Post{}, 11},
		{"reply thumbnail is no photo",
			message("mid_rf/12", `<a class="tgme_widget_message_reply" href="https://t.me/mid_rf/3"><div class="tgme_widget_message_photo_wrap"></div></a><div class="tgme_widget_message_text">Ответ</div>`), 1,
			Post{ID: 12, Permalink: "https://t.me/mid_rf/12", Text: "Ответ", ReplyTo: 3}, 12},
		{"sticker without text",
			message("mid_rf/13", `<a class="tgme_widget_message_sticker_wrap"><i class="tgme_widget_message_sticker"></i></a>`), 0,
			Post{}, 13},
		{"unsupported media with text",
			message("mid_rf/14", `<div class="message_media_not_supported_wrap"><div class="message_media_not_supported">Media is too big</div></div><div class="tgme_widget_message_text">Текст</div>`), 1,
			Post{ID: 14, Permalink: "https://t.me/mid_rf/14", Text: "Текст", Media: MediaUnsupported}, 14},
		{"forwarded from a hidden user: no name link",
			message("mid_rf/15", `<div class="tgme_widget_message_forwarded_from">Forwarded from&nbsp;Иван Иванов</div><div class="tgme_widget_message_text">Текст</div>`), 1,
			Post{ID: 15, Permalink: "https://t.me/mid_rf/15", Text: "Текст", ForwardedFrom: "Иван Иванов"}, 15},
		{"signature containing the word edited is no edit",
			message("mid_rf/16", `<div class="tgme_widget_message_text">Текст</div><span class="tgme_widget_message_meta"><span class="tgme_widget_message_from_author">Edited Desk</span>, <a class="tgme_widget_message_date" href="https://t.me/mid_rf/16"></a></span>`), 1,
			Post{ID: 16, Permalink: "https://t.me/mid_rf/16", Text: "Текст", Author: "Edited Desk"}, 16},
	}
	for _, tt := range tests {
		page, err := ParsePage(tt.body, "https://t.me/s/mid_rf")
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if page.Oldest != tt.wantOld || page.Newest != tt.wantOld {
			t.Errorf("%s: Oldest, Newest = %d, %d, want %d", tt.name, page.Oldest, page.Newest, tt.wantOld)
		}
		if len(page.Posts) != tt.wantPosts {
			t.Errorf("%s: %d posts, want %d: %+v", tt.name, len(page.Posts), tt.wantPosts, page.Posts)
			continue
		}
		if tt.wantPosts == 1 && page.Posts[0] != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, page.Posts[0], tt.want)
		}
	}
}

func TestParsePageDuplicatePost(t *testing.T) {
	one := `<div class="tgme_widget_message" data-post="mid_rf/5"><div class="tgme_widget_message_bubble"><div class="tgme_widget_message_text">первый</div></div></div>`
	two := strings.Replace(one, "первый", "второй", 1)
	page, err := ParsePage([]byte(`<section class="tgme_channel_history">`+one+two+`</section>`), "https://t.me/s/mid_rf")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 1 || page.Posts[0].Text != "первый" {
		t.Errorf("posts = %+v, want the first of the two", page.Posts)
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"br and paragraphs", `a<br>b<br/><br/>  c  `, "a\nb\nc"},
		{"entities", `&laquo;Спутник&raquo; &amp; &#8470;1`, "«Спутник» & №1"},
		{"named link", `<a href="https://mid.ru/ru/">МИД</a>`, "МИД (https://mid.ru/ru/)"},
		{"link showing its URL", `<a href="https://mid.ru/ru/">mid.ru/ru</a>`, "mid.ru/ru"},
		{"link shortened with an ellipsis", `<a href="https://mid.ru/ru/foreign_policy/news/1943312/">https://mid.ru/ru/foreign_policy/…</a>`, "https://mid.ru/ru/foreign_policy/…"},
		{"Cyrillic URL as text", `<a href="https://mid.ru/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8">https://mid.ru/новости</a>`, "https://mid.ru/новости"},
		{"hashtag", `<a href="?q=%23%D0%A1%D0%92%D0%9E">#СВО</a>`, "#СВО"},
		{"mention", `<a href="https://t.me/mod_russia">@mod_russia</a>`, "@mod_russia"},
		{"link to another scheme", `<a href="tg://resolve?domain=mid_rf">открыть</a>`, "открыть"},
		{"hidden link with invisible text", `<a href="https://mid.ru/doc">&#8203;</a>Текст`, "(https://mid.ru/doc)Текст"},
		{"relative link", `<a href="/mid_rf/5">здесь</a>`, "здесь (https://t.me/mid_rf/5)"},
		{"emoji markup", `<i class="emoji" style="background-image:url('x.png')"><b>🔥</b></i> Срочно`, "🔥 Срочно"},
		{"emoji image", `<img class="emoji" alt="🇷🇺" src="x.png">Россия`, "🇷🇺Россия"},
		{"custom emoji", `<tg-emoji emoji-id="5368324170671202286"><i class="emoji"><b>⚡</b></i></tg-emoji>Молния`, "⚡Молния"},
		{"formatting stripped", `<b>Жирный</b> <i>курсив</i> <u>подчёркнутый</u> <s>зачёркнутый</s> <code>код</code> <tg-spoiler>спойлер</tg-spoiler>`, "Жирный курсив подчёркнутый зачёркнутый код спойлер"},
		{"blockquote on its own lines", `До<blockquote>Цитата</blockquote>После`, "До\nЦитата\nПосле"},
		{"soft hyphen and zero-width space", "Мини\u00adстер\u200bство", "Министерство"},
		{"script dropped", `a<script>alert(1)</script>b`, "ab"},
	}
	base, _ := url.Parse("https://t.me/s/mid_rf")
	for _, tt := range tests {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(`<div id="t">` + tt.html + `</div>`))
		if err != nil {
			t.Fatal(err)
		}
		if got := plainText(doc.Find("#t").Nodes[0], base); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestTitle(t *testing.T) {
	long := strings.Repeat("слово ", 30) // 180 runes
	tests := []struct {
		name, text, want string
	}{
		{"first line", "Заявление МИД\nТекст", "Заявление МИД"},
		{"exactly the limit", strings.Repeat("я", 120), strings.Repeat("я", 120)},
		{"cut at a word", long, strings.TrimSpace(strings.Repeat("слово ", 20)) + "…"},
		{"cut after a whole word at the limit", strings.Repeat("абвгд ", 20) + "конец", strings.TrimSpace(strings.Repeat("абвгд ", 20)) + "…"},
		{"trailing punctuation dropped", strings.Repeat("а", 100) + ", " + strings.Repeat("б", 30), strings.Repeat("а", 100) + "…"},
		{"no space: cut mid-word", strings.Repeat("ж", 130), strings.Repeat("ж", 120) + "…"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		if got := title(tt.text); got != tt.want {
			t.Errorf("%s: title = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestItemID(t *testing.T) {
	tests := []struct {
		name    string
		channel string
		post    int64
		want    string
	}{
		{"lower case", "MID_Russia", 40102, "mid_russia/40102"},
		{"already lower", "mod_russia", 1, "mod_russia/1"},
	}
	for _, tt := range tests {
		if got := ItemID(tt.channel, tt.post); got != tt.want {
			t.Errorf("%s: ItemID = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func BenchmarkParsePage(b *testing.B) {
	body := readFixture(b, "page20.html")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		page, err := ParsePage(body, "https://t.me/s/MID_Russia")
		if err != nil || len(page.Posts) != 20 {
			b.Fatalf("ParsePage: %v", err)
		}
	}
}
