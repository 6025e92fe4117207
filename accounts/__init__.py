"""Who may do what: accounts, roles, sign-in modes and the login rate limit."""
