"""Fetching the public sources: polite downloads, safe archives, and the `shortflow sync` runner."""
