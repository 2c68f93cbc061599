"""Related articles: those that share the most tags, rare tags counting more."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict

from . import urls
from .model import Site

LIMIT = 3
POOL = 20  # the newest articles of each tag that are considered: the cost stays linear


def related(site: Site) -> list[tuple[int, ...]]:
    """For each article (by index), up to LIMIT others, best first. A shared tag weighs
    1 / log2(1 + the number of its articles); ties go to the newer article."""
    weight = {t.slug: 1 / math.log2(1 + len(t.articles)) for t in site.tags}
    pool = {t.slug: t.articles[:POOL] for t in site.tags}  # indices: newest first
    found = []
    for index, article in enumerate(site.articles):
        scores: dict[int, float] = defaultdict(float)
        for slug in {urls.slug(name) for name in article.tags}:
            for other in pool[slug]:
                scores[other] += weight[slug]
        scores.pop(index, None)
        found.append(tuple(heapq.nsmallest(LIMIT, scores, key=lambda o: (-scores[o], o))))
    return found
