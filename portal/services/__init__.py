"""The domain layer of the shared core. Every state change is one call here: it checks the
permission, changes the state, writes the audit row and schedules the notifications."""
