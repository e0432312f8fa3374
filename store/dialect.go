package store

import (
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// dialect holds everything that differs between SQLite and PostgreSQL. The
// rest of the package writes one SQL text for both, with "?" placeholders,
// standard ON CONFLICT upserts and RETURNING (SQLite ≥ 3.35).
type dialect struct {
	name       string
	migrations fs.FS // numbered NNNN_name.sql files, applied in order

	// rebind rewrites the "?" placeholders of query for the driver.
	rebind func(query string) string

	// timeArg turns t into a query argument for a time column; the zero time
	// is NULL. SQLite keeps INTEGER microseconds since the epoch (compact,
	// compared as numbers, the precision PostgreSQL keeps); PostgreSQL keeps
	// TIMESTAMPTZ. timeScanner reads both back (see dbTime).
	timeArg func(t time.Time) any

	// itemFTSColumns, itemFTSValues and itemFTSArgs extend the INSERT INTO
	// items statement with the full-text document where the index is not
	// kept by triggers (PostgreSQL's tsv column).
	itemFTSColumns string
	itemFTSValues  string
	itemFTSArgs    func(title, text string) []any

	// indexItems, when set, adds the items whose seq are in the JSON array
	// argument to the full-text index (SQLite: see migrations/sqlite).
	indexItems string

	// searchItems selects itemColumns (prefixed "i.") of the items matching
	// the full-text query (argument 1) published since argument 2, newest
	// first, at most argument 3 of them; duplicates are left out.
	searchItems string
	// ftsArg turns a query in the FTS5 subset FTSQuery produces into the
	// dialect's query argument.
	ftsArg func(query string) (string, error)

	// lockMigrations is run first in the migration transaction, so replicas
	// starting at once migrate one after the other; lockSource (argument:
	// the source id) is run in SaveItems for each source of the batch, so
	// concurrent saves of one source see each other's rows. SQLite needs
	// neither: its write transactions are serial.
	lockMigrations string
	lockSource     string

	// tableExists counts the tables named by its argument that queries in
	// this database see (0 or 1): QueueDepth asks it for River's river_job.
	tableExists string
}

var sqliteDialect = dialect{
	name:       "sqlite",
	migrations: mustSub(migrationFiles, "migrations/sqlite"),
	rebind:     func(q string) string { return q },
	timeArg: func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UnixMicro()
	},
	itemFTSArgs: func(title, text string) []any { return nil },
	indexItems: `INSERT INTO items_fts (rowid, title, text)
		SELECT seq, replace(replace(title, 'ё', 'е'), 'Ё', 'Е'), replace(replace(text, 'ё', 'е'), 'Ё', 'Е')
		FROM items WHERE seq IN (SELECT value FROM json_each(?))`,
	searchItems: `SELECT ` + prefixColumns("i.", itemColumns) + `
		FROM items_fts JOIN items i ON i.seq = items_fts.rowid
		WHERE items_fts MATCH ? AND i.published >= ? AND i.duplicate_of IS NULL
		ORDER BY i.published DESC, i.seq DESC LIMIT ?`,
	ftsArg:      func(q string) (string, error) { return foldYo(q), nil },
	tableExists: `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`,
}

var postgresDialect = dialect{
	name:       "postgres",
	migrations: mustSub(migrationFiles, "migrations/postgres"),
	rebind:     dollarPlaceholders,
	timeArg: func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC()
	},
	itemFTSColumns: ", tsv",
	itemFTSValues:  ", to_tsvector('simple', ?)",
	itemFTSArgs: func(title, text string) []any {
		return []any{foldText(title + "\n" + text)}
	},
	searchItems: `SELECT ` + prefixColumns("i.", itemColumns) + `
		FROM items i
		WHERE i.tsv @@ to_tsquery('simple', ?) AND i.published >= ? AND i.duplicate_of IS NULL
		ORDER BY i.published DESC, i.seq DESC LIMIT ?`,
	ftsArg:         tsQuery,
	lockMigrations: `SELECT pg_advisory_xact_lock(4242, 0)`,
	lockSource:     `SELECT pg_advisory_xact_lock(4243, hashtext(?))`,
	tableExists:    `SELECT count(*) FROM pg_catalog.pg_class WHERE oid = to_regclass(?)`, // on the search_path
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

func prefixColumns(prefix, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// dollarPlaceholders rewrites "?" to "$1", "$2"… outside quoted strings.
func dollarPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	var quote rune
	for _, r := range q {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// dbTime scans a time column of either dialect into *t; NULL is the zero
// time. Times come back in UTC.
type dbTime struct{ t *time.Time }

func (d dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.t = time.Time{}
	case int64:
		*d.t = time.UnixMicro(v).UTC()
	case time.Time:
		*d.t = v.UTC()
	default:
		return fmt.Errorf("time column holds %T", src)
	}
	return nil
}

var _ sql.Scanner = dbTime{}

// foldText is how PostgreSQL's full-text document and query words are
// folded in Go, to match what SQLite's unicode61 remove_diacritics 2
// tokenizer finds equal: lower case, and marks removed from Latin letters
// (chargé → charge) but not from others (й stays й). Both dialects also
// index and search ё as е, as Russian text writes either (foldYo).
func foldText(s string) string {
	var b strings.Builder
	latin := false // the last base letter is Latin
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) {
			if latin {
				continue
			}
		} else {
			latin = unicode.Is(unicode.Latin, r)
		}
		b.WriteRune(r)
	}
	return foldYo(norm.NFC.String(b.String()))
}

// foldYo writes ё as е. SQLite's unicode61 tokenizer folds diacritics of
// Latin letters only, so its triggers index foldYo'd text (see
// migrations/sqlite) and SearchItems folds the query the same way.
func foldYo(s string) string {
	if !strings.ContainsAny(s, "ёЁ") {
		return s
	}
	return strings.NewReplacer("ё", "е", "Ё", "Е").Replace(s)
}
