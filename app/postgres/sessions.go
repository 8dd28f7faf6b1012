package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shopstack/shopstack/app/shop"
)

// SessionUser is UserBySession with the session's expiry, so a cache in front of it
// (cache.Accounts) never keeps a session past its end.
func (s *Store) SessionUser(ctx context.Context, token string) (shop.User, time.Time, error) {
	var u shop.User
	var expires time.Time
	err := s.pool.QueryRow(ctx, `
		SELECT u.id::text, u.email, u.name, u.is_admin, u.created_at, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > now()`, hashToken(token)).
		Scan(&u.ID, &u.Email, &u.Name, &u.IsAdmin, &u.CreatedAt, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return shop.User{}, time.Time{}, shop.Errorf(shop.CodeUnauthenticated, "log in first")
	}
	return u, expires, mapError("session user", err)
}
