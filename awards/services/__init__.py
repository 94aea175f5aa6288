"""The domain layer of determination and publication: every state change is one function here."""
