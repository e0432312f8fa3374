package sources

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// Identity returns the ID of an item within its source (DESIGN.md §6): the
// GUID when there is one, else the link made canonical by CleanURL, else
// ContentHash of the title and text. Only the GUID's surrounding space is
// trimmed: GUIDs are opaque.
func Identity(guid, link, title, text string) string {
	if g := strings.TrimSpace(guid); g != "" {
		return g
	}
	if l := CleanURL(link); l != "" {
		return l
	}
	return ContentHash(title, text)
}

// ContentHash returns "sha256:" and the hex SHA-256 of the title and text
// with their whitespace normalised (runs of spaces, tabs, newlines and
// no-break spaces count as one space; leading and trailing space is ignored).
// Two items with the same hash say the same thing, whatever their IDs: the
// store uses it to recognise an item whose GUID changed while its content
// did not.
func ContentHash(title, text string) string {
	var b strings.Builder
	b.Grow(len(title) + 1 + len(text))
	writeCollapsed(&b, title)
	b.WriteByte('\n') // writeCollapsed writes no newline, so this separates the fields
	writeCollapsed(&b, text)
	sum := sha256.Sum256([]byte(b.String()))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// writeCollapsed writes s to b trimmed and with every run of Unicode white
// space turned into one ASCII space.
func writeCollapsed(b *strings.Builder, s string) {
	first := true
	for w := range strings.FieldsFuncSeq(s, unicode.IsSpace) {
		if !first {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		first = false
	}
}

// CleanURL returns link in canonical form, for item URLs and identities:
// scheme and host in lower case, the scheme's default port and the fragment
// dropped, an empty path on a host written as "/", tracking parameters
// (utm_*, fbclid, gclid, yclid, ref, …: see isTrackingParam) removed and the
// remaining query parameters sorted by name (values keep their order and
// their encoding). A link that does not parse as a URL comes back trimmed but
// otherwise as it was; "" stays "".
func CleanURL(link string) string {
	link = strings.TrimSpace(link)
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return link
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	switch port := u.Port(); {
	case port == "80" && u.Scheme == "http", port == "443" && u.Scheme == "https":
		u.Host = strings.TrimSuffix(u.Host, ":"+port)
	}
	if u.Host != "" && u.Path == "" && u.Opaque == "" {
		u.Path = "/"
	}
	u.Fragment, u.RawFragment = "", ""
	u.RawQuery = cleanQuery(u.RawQuery)
	u.ForceQuery = false
	return u.String()
}

// cleanQuery drops tracking parameters and empty pairs from a raw query and
// sorts the rest by name. It works on the raw text rather than url.Values so
// that values keep their original encoding and a malformed pair elsewhere in
// the query (url.ParseQuery rejects ";") loses nothing.
func cleanQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type pair struct{ key, raw string }
	var kept []pair
	for p := range strings.SplitSeq(raw, "&") {
		if p == "" {
			continue
		}
		k, _, _ := strings.Cut(p, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if isTrackingParam(strings.ToLower(key)) {
			continue
		}
		kept = append(kept, pair{key, p})
	}
	slices.SortStableFunc(kept, func(a, b pair) int { return strings.Compare(a.key, b.key) })
	var b strings.Builder
	for i, p := range kept {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.raw)
	}
	return b.String()
}

// trackingPrefixes and trackingParams name query parameters that record how a
// reader reached a page and never change what the page is: analytics
// campaigns (Google, Matomo/Piwik, AT Internet, comScore, HubSpot), click ids
// of ad networks and mailers, and share/referral markers. Keys are lower case.
var (
	trackingPrefixes = []string{"utm_", "at_", "pk_", "mtm_", "ns_", "hsa_", "_hs", "__hs", "vero_", "oly_"}
	trackingParams   = map[string]bool{
		"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true, "wbraid": true,
		"msclkid": true, "yclid": true, "ysclid": true, "twclid": true, "ttclid": true, "li_fat_id": true,
		"mc_cid": true, "mc_eid": true, "igshid": true, "igsh": true, "mkt_tok": true, "_ga": true, "_gl": true,
		"ref": true, "ref_src": true, "ref_url": true, "rss": true, "cmpid": true, "cmp": true, "ocid": true,
		"icid": true, "xtor": true, "ito": true, "s_cid": true, "sr_share": true, "smid": true,
		"guccounter": true, "guce_referrer": true, "guce_referrer_sig": true, "rb_clickid": true, "wickedid": true,
		"ncid": true, "spm": true,
	}
)

func isTrackingParam(key string) bool {
	if trackingParams[key] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}
