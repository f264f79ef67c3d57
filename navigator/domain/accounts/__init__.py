"""People: users and their roles, sign-in, children, and who may do what (access)."""
