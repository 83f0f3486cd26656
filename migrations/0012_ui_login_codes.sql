-- One-time sign-in codes minted outside the server process (`fluxbase-local login-link`):
-- only the sha256 of a code is stored; redeeming deletes the row.
CREATE TABLE auth.ui_login_codes (
  digest text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
ALTER TABLE auth.ui_login_codes ENABLE ROW LEVEL SECURITY;
