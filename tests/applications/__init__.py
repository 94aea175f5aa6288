"""Tests of the applications app: Table A.1, evidence, documents, autosave, duplicates, recommendation."""
