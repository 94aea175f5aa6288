"""Tests of the awards app: aggregation, determination, publication, certificates, report."""
