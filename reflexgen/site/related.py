"""Related articles: those that share the most tags, rare tags counting more."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict

from reflexgen import urls
from reflexgen.content.model import Site

LIMIT = 3
POOL = 20  # the newest articles of each tag that are considered: the cost stays linear


class Related:
    """Up to LIMIT related articles of each article (by index), best first, worked out when
    first asked for: an incremental build only asks for the pages it renders or re-keys.
    A shared tag weighs 1 / log2(1 + the number of its articles); ties go to the newer."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.weight = {t.slug: 1 / math.log2(1 + len(t.articles)) for t in site.tags}
        self.pool = {t.slug: t.articles[:POOL] for t in site.tags}  # indices: newest first
        self.found: dict[int, tuple[int, ...]] = {}

    def __call__(self, index: int) -> tuple[int, ...]:
        found = self.found.get(index)
        if found is None:
            scores: dict[int, float] = defaultdict(float)
            for slug in {urls.slug(name) for name in self.site.articles[index].tags}:
                for other in self.pool[slug]:
                    scores[other] += self.weight[slug]
            scores.pop(index, None)
            found = self.found[index] = tuple(
                heapq.nsmallest(LIMIT, scores, key=lambda o: (-scores[o], o)))
        return found
