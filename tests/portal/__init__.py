"""Tests of the portal app: accounts, organisations, programmes, jobs, notifications, audit, storage, settings."""
