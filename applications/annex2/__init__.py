"""Annex 2 — 申报汇总表 (seed 001 附件2): one table per recommending unit in its ranking order, and
the organiser's combined table. rows.py builds the plain values (one query), xlsx.py and pdf.py
write them, jobs.py runs both as background jobs (portal.jobs)."""
