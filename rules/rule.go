package rules

import (
	"fmt"
	"strings"
)

// Severity ranks how urgent an alert is.
type Severity uint8

const (
	Low Severity = iota + 1
	Medium
	High
	Critical
)

var severityNames = [...]string{Low: "low", Medium: "medium", High: "high", Critical: "critical"}

// ParseSeverity reads "low", "medium", "high" or "critical".
func ParseSeverity(s string) (Severity, error) {
	for sev, name := range severityNames {
		if name != "" && strings.EqualFold(s, name) {
			return Severity(sev), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want low, medium, high or critical)", s)
}

func (s Severity) String() string {
	if int(s) < len(severityNames) && severityNames[s] != "" {
		return severityNames[s]
	}
	return fmt.Sprintf("Severity(%d)", s)
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Rule is one alert rule: a query and what to call its matches.
type Rule struct {
	ID       string
	Ruleset  string // id of the rule set the rule belongs to
	Title    string
	Severity Severity
	Query    string   // as written
	Expr     Expr     // Query parsed
	Langs    []string // if set, only documents in one of these languages
	Sources  []string // if set, only documents from one of these sources (a trailing * is a prefix)
	Examples Examples
}

// Examples are documents a rule must and must not match; check runs them.
type Examples struct {
	Match   []Document
	NoMatch []Document
}

// Ruleset is a named group of rules; chats subscribe to rule sets.
type Ruleset struct {
	ID    string
	Title string
	Rules []*Rule
}

// Document is what rules are matched against.
type Document struct {
	ID     string
	Source string // source id
	Lang   string // BCP 47 code, "" when unknown: words are then stemmed by script
	Title  string
	Text   string
}

// Match is a rule that matched a document, with the reasons.
type Match struct {
	Rule       *Rule
	Highlights []Highlight // the spans that made it match, by field then offset
	Countries  []string    // ISO 3166-1 alpha-2 codes the document mentions, in order of mention
}

// Highlight is a span of a document field that a rule matched.
type Highlight struct {
	Field string `json:"field"` // "title" or "text"
	Start int    `json:"start"` // byte offsets in the field as given
	End   int    `json:"end"`
	Text  string `json:"text"`
}
