package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// ErrNotFound is returned (wrapped) when a row asked for by its key does not
// exist.
var ErrNotFound = errors.New("not found")

// Store is alertbot's database: SQLite (one file, the default) or PostgreSQL
// (several replicas). Its methods are safe for concurrent use; each takes
// ctx first and gives up when ctx is cancelled.
type Store struct {
	d   dialect
	w   *sql.DB // writes and transactions (and River): on SQLite one connection
	r   *sql.DB // reads: on SQLite a pool of read-only connections; on PostgreSQL w
	dsn string
	now atomic.Pointer[func() time.Time]
}

// Open connects to the database named by dsn, applies the migrations it
// lacks and returns the Store. dsn is "sqlite:PATH" (PATH may end in
// "?name=value&…" with extra modernc.org/sqlite parameters) or a PostgreSQL
// URL, "postgres://user@host/db?…".
//
// On SQLite Open uses two pools over the file (WAL mode, so readers never
// block the writer and the writer never blocks them):
//   - one writer connection (SetMaxOpenConns(1)) for every write and
//     transaction, and for River (riversqlite.New(s.DB())). Writers queue in
//     database/sql for the one connection instead of racing for SQLite's
//     write lock, so SQLITE_BUSY cannot arise inside this process. Its
//     transactions begin IMMEDIATE (_txlock=immediate): the write lock is
//     taken at BEGIN, where busy_timeout applies, rather than when a read
//     transaction upgrades, where SQLite returns SQLITE_BUSY at once; that
//     matters when a second process (alertbot digest -send) writes the same
//     file.
//   - a few read-only connections (_query_only) for lookups and lists, so a
//     /lookup does not wait behind a batch of inserts or River's polling.
//
// Pragmas on every connection: journal_mode=WAL, busy_timeout=10000,
// foreign_keys=ON, synchronous=NORMAL (safe with WAL: a power cut may lose
// the last transactions, never corrupt the file).
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{dsn: dsn}
	now := time.Now
	s.now.Store(&now)
	var err error
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		err = s.openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		err = s.openPostgres(ctx, dsn)
	default:
		err = errors.New(`unknown storage, want "sqlite:PATH" or "postgres://…"`)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open: %w", err)
	}
	return s, nil
}

func (s *Store) openSQLite(ctx context.Context, path string) error {
	path, extra, _ := strings.Cut(path, "?")
	if path == "" {
		return errors.New("sqlite: empty path")
	}
	if path == ":memory:" || strings.Contains(extra, "mode=memory") {
		return errors.New("sqlite: in-memory databases are not supported (the store uses two pools): use a file")
	}
	common := "_busy_timeout=10000&_foreign_keys=1&_synchronous=NORMAL"
	if extra != "" {
		common += "&" + extra
	}
	var err error
	s.d = sqliteDialect
	s.w, err = sql.Open("sqlite", "file:"+path+"?_journal_mode=WAL&_txlock=immediate&"+common)
	if err != nil {
		return err
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	// The writer connects first: it creates the file and switches it to WAL
	// (a persistent setting) before any reader opens it.
	if err := s.w.PingContext(ctx); err != nil {
		return err
	}
	s.r, err = sql.Open("sqlite", "file:"+path+"?_query_only=1&"+common)
	if err != nil {
		return err
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	s.r.SetMaxOpenConns(readers)
	s.r.SetMaxIdleConns(readers)
	return s.r.PingContext(ctx)
}

func (s *Store) openPostgres(ctx context.Context, dsn string) error {
	var err error
	s.d = postgresDialect
	s.w, err = sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	s.r = s.w
	return s.w.PingContext(ctx)
}

// Close closes the database. The Store must not be used afterwards.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil && s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Dialect names the database: "sqlite" or "postgres". The app uses it to
// choose River's driver.
func (s *Store) Dialect() string { return s.d.name }

// DSN returns the dsn the Store was opened with (it may hold a password:
// do not log it).
func (s *Store) DSN() string { return s.dsn }

// DB returns the pool for writes and transactions, to hand to River's driver
// (riversqlite.New(s.DB()) on SQLite) and its migrator, so River's tables
// live in the same database and its jobs can be inserted in the
// transactions of WithTx. On SQLite it has one connection: code running
// inside WithTx must use the *sql.Tx it was given and never s.DB() or a
// Store method that writes, or it waits for itself forever.
func (s *Store) DB() *sql.DB { return s.w }

// SetClock replaces time.Now as the Store's clock (for created_at,
// fetched_at and the 7-day window of SaveItems). For tests and tools; call
// it before the Store is shared.
func (s *Store) SetClock(now func() time.Time) { s.now.Store(&now) }

func (s *Store) clock() time.Time { return (*s.now.Load())().UTC() }

// Ping checks that the database answers, for /healthz and /readyz.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	if s.r != s.w {
		if err := s.r.PingContext(ctx); err != nil {
			return fmt.Errorf("store: ping: %w", err)
		}
	}
	return nil
}

// BeginTx starts a write transaction. The caller must Commit or Rollback it
// promptly: on SQLite it holds the one writer connection (see DB).
func (s *Store) BeginTx(ctx context.Context) (*sql.Tx, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	return tx, nil
}

// WithTx runs fn in a write transaction and commits it if fn returns nil,
// else rolls it back and returns fn's error. fn may insert River jobs with
// client.InsertTx(ctx, tx, …) next to rows written with the *Tx methods
// (InsertAlertTx): both are committed or neither. fn must not call s.DB()
// or other writing Store methods (see DB).
func (s *Store) WithTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.BeginTx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// withTx is WithTx for the Store's own methods: they wrap its errors with
// their own prefix.
func (s *Store) withTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// exec runs one write statement outside any transaction.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.w.ExecContext(ctx, s.d.rebind(query), args...)
}
