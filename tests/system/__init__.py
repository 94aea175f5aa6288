"""Tests across the apps: permission matrix, whole-year e2e, crawls, bad input, cluster, load, deployment checks."""
