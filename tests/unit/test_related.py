from datetime import UTC, datetime, timedelta
from pathlib import Path

from reflexgen.config import SiteConfig
from reflexgen.content.model import Article
from reflexgen.site.assemble import Selection, assemble
from reflexgen.site.related import Related

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def site(*tagged):
    articles = [Article(source=f"{i}.md", title=str(i), date=NOW - timedelta(days=i),
                        slug=str(i), summary_html="", words=0, tags=tuple(tags))
                for i, tags in enumerate(tagged)]
    return assemble(SiteConfig(root=Path("/s"), title="T", base_url="https://x.org"), articles,
                    {}, [], [], [], Selection(NOW))[0]


def test_rare_shared_tags_count_more_and_ties_go_to_the_newest():
    s = site(["commun", "rare"],  # 0
             ["commun"],  # 1: shares only the common tag
             ["rare"],  # 2: shares the rare tag
             ["commun"], ["commun"], ["commun"],
             ["autre"])  # 6: shares nothing
    related = Related(s)
    found = [related(i) for i in range(len(s.articles))]
    assert found[0] == (2, 1, 3)  # the rare tag first, then the newest of the common one
    assert 6 not in found[0] and found[6] == ()
    assert all(i not in others for i, others in enumerate(found))
