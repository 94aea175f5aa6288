"""Tests of the scoring app: rubrics, expert pool, conflicts, assignment, scores, defence."""
