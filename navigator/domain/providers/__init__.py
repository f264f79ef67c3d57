"""Providers: sign-up and admission, staff and invitations, API keys."""
