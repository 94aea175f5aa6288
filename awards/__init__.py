"""Determination and publication (成果评定、成果公布): tiers, results, certificates — §6.4–6.5."""
