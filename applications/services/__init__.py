"""The registration step's domain layer. Every state change is one function here: it checks the
permission (a Decision predicate), changes the state, writes the audit row and notifies."""
