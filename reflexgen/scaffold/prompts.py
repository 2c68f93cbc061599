"""The questions `reflexgen new site` asks on a terminal: one per setting not given, in
French and English, with a default that Enter takes; a wrong answer is asked again."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from reflexgen.scaffold import site

QUESTIONS = {
    "language": "Langue du blog / Blog language (fr, en)",
    "title": "Titre du blog / Blog title",
    "author": "Votre nom / Your name",
    "base_url": "Adresse publique du blog / The blog's public address",
    "timezone": "Fuseau horaire / Timezone",
}


def ask_missing(given: Mapping[str, str | None], environ: Mapping[str, str],
                read: Callable[[str], str] = input,
                say: Callable[[str], None] = print) -> site.SiteSettings:
    """Ask for each setting `given` lacks (in the order of `site.ASKED`, the language
    first: it decides the other defaults)."""
    answers = {key: value for key, value in given.items() if value is not None}
    for key in site.ASKED:
        if key not in answers:
            default = site.defaults(answers.get("language", "fr"), environ)[key]
            answers[key] = ask(QUESTIONS[key], default, key, read, say)
    return site.SiteSettings(**{key: answers[key] for key in site.ASKED})


def ask(question: str, default: str, key: str, read: Callable[[str], str],
        say: Callable[[str], None]) -> str:
    while True:
        answer = read(f"{question} [{default}]: ").strip() or default
        reason = site.trouble(key, answer)
        if reason is None:
            return answer
        say(f"  {reason}")
