"""Authentication and authorisation: users, roles, password hashing, login/logout, role checks."""
