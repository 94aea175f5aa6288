"""The matching passages of two similar applications, sentence by sentence, for the side-by-side view.

Each narrative is cut into sentences; a sentence of one application matches the sentence of the other
with the most 3-character shingles in common, when their Jaccard reaches PASSAGE_SIMILARITY. Works
across sections, so a paragraph moved from one section to another still pairs up.
"""

import re
from collections import Counter, defaultdict

from .duplicates_index import CONTENT_FIELDS, SHINGLE, normalise
from .models import Application

PASSAGE_SIMILARITY = 0.5
MIN_SENTENCE = 6  # normalised characters: shorter fragments ("见附件") say nothing
MAX_PASSAGES = 40
MAX_CHARS = 400
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n+")


def sentences(values: dict) -> list[tuple[str, str, frozenset]]:
    """(field, sentence as written, its 3-character shingles) for the compared fields, in order."""
    found = []
    for field in CONTENT_FIELDS:
        for piece in _SENTENCE_END.split(str(values.get(field) or "")):
            text = piece.strip()
            normalised = normalise(text)
            if len(normalised) >= MIN_SENTENCE:
                shingles = frozenset(normalised[i:i + SHINGLE] for i in range(len(normalised) - SHINGLE + 1))
                found.append((field, text[:MAX_CHARS], shingles))
    return found


def matching_passages(values_a: dict, values_b: dict) -> list[dict]:
    """[{a_field, a_text, b_field, b_text, score}] in the order of ``values_a``'s text."""
    theirs = sentences(values_b)
    postings = defaultdict(list)
    for position, (_field, _text, codes) in enumerate(theirs):
        for code in codes:
            postings[code].append(position)
    passages = []
    for field, text, codes in sentences(values_a):
        common = Counter(position for code in codes for position in postings.get(code, ()))
        if not common:
            continue
        best, shared = max(common.items(), key=lambda item: (item[1], -item[0]))
        other_field, other_text, other_codes = theirs[best]
        score = shared / (len(codes) + len(other_codes) - shared)
        if score >= PASSAGE_SIMILARITY:
            passages.append({"a_field": field, "a_text": text, "b_field": other_field, "b_text": other_text,
                             "score": round(score, 3)})
            if len(passages) >= MAX_PASSAGES:
                break
    return passages


def swapped(passages: list[dict]) -> list[dict]:
    """The same passages seen from the other application."""
    return [{"a_field": p["b_field"], "a_text": p["b_text"], "b_field": p["a_field"], "b_text": p["a_text"],
             "score": p["score"]} for p in passages]


def labelled(passages: list[dict]) -> list[dict]:
    """The passages with their sections' Table A.1 labels, for display."""
    def label(field):
        return Application._meta.get_field(field).verbose_name

    return [{**p, "a_label": label(p["a_field"]), "b_label": label(p["b_field"]), "percent": round(p["score"] * 100)}
            for p in passages]
