"""Views of the registration step: they translate HTTP into service calls and visibility
queries, nothing more. Objects outside applications_for(user) answer 404."""
