"""Expert evaluation (专家评价): rubrics, conflicts of interest, assignment, scores — §6.3."""
