package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// migration is one numbered file of migrations/<dialect>/.
type migration struct {
	version int
	name    string
	sql     string
}

func (d dialect) loadMigrations() ([]migration, error) {
	names, err := fs.Glob(d.migrations, "*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", name)
		}
		body, err := fs.ReadFile(d.migrations, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s have one number", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

const createSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at TEXT    NOT NULL
)`

// migrate applies, in one transaction and in order, the migrations not yet
// recorded in schema_migrations.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := s.d.loadMigrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if s.d.lockMigrations != "" {
			if _, err := tx.ExecContext(ctx, s.d.lockMigrations); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, createSchemaMigrations); err != nil {
			return err
		}
		applied, err := appliedVersions(ctx, tx)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if applied[m.version] {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
				m.version, m.name, s.clock().Format("2006-01-02T15:04:05.000000Z07:00"))
			if err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func appliedVersions(ctx context.Context, q querier) (map[int]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// MigrationsApplied reports whether every migration this binary carries is
// recorded in the database, for /readyz. Open applies them, so false means
// the schema was changed behind the Store's back.
func (s *Store) MigrationsApplied(ctx context.Context) (bool, error) {
	ms, err := s.d.loadMigrations()
	if err != nil {
		return false, fmt.Errorf("store: migrations applied: %w", err)
	}
	applied, err := appliedVersions(ctx, s.r)
	if err != nil {
		return false, fmt.Errorf("store: migrations applied: %w", err)
	}
	for _, m := range ms {
		if !applied[m.version] {
			return false, nil
		}
	}
	return true, nil
}
