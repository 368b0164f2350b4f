"""Accounts (issue 7 §2): user management by operators, invitations and password reset by
single-use e-mailed links (`AccountToken`), and the change of one's own password.

Password rules live in `app.auth.passwords`; sessions (revocation, re-authentication) in
`app.auth.sessions`. There are no shared or default production accounts: every person is invited.
"""
