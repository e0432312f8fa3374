package sources

import "time"

// Item is one entry a source yields: a feed entry, a channel post, a listed
// page. Sources fill it; the store decides whether it is new.
type Item struct {
	Source    string    // id of the source in the config
	ID        string    // identity within the source: GUID, else canonical link, else "sha256:" of title and text
	URL       string    // link to the item, tracking parameters removed
	Title     string    // plain text
	Text      string    // plain text, paragraphs separated by "\n"
	Lang      string    // BCP 47 code from the source or its config ("en", "ru"); "" when unknown
	Published time.Time // when the source says it was published; the fetch time when it says nothing
}
