"""Shared test plumbing. Owned by the core backport work; other test files keep their fixtures local."""
