#!/usr/bin/env python3
"""The spam corpus (issue 14, "Figures to reach"): bots of every kind and genuine French
comments, sent to a real `reflexgen comments serve` process; ≥ 99% of bots must never reach
the moderation queue, and no genuine comment may be lost (one in 16 cites 3 to 5 sources,
more than `max_links`: it must be held for approval, not taken for a list of links).

    python benchmarks/spam_corpus.py [--bots 1200] [--genuine 320] [--seed 14]

The corpus is generated deterministically (seeded `random`). Every submission is an HTTP POST
like a browser form's, from its own client address (`X-Forwarded-For`, believed because the
site trusts the proxy 127.0.0.1); the site has a `blocklist` file. Time is simulated where a
real wait is impossible: form tokens are issued with the store's secret at a backdated `now`
(a genuine reader's 5–600 s before sending, an expired one's hours before). Floods are sent
in bursts, as they come. The store is then read (`SQLiteStore.find`): pending or approved is
"reached the queue", spam is kept out of it, nothing stored is "refused".

Exit code 1 when a goal is missed, so that CI can run it as a check.
"""

from __future__ import annotations

import argparse
import html
import http.client
import random
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from itsdangerous import URLSafeSerializer

from reflexgen.comments import tokens
from reflexgen.comments.defences import blocked, count_links, make_draft, read_blocklist
from reflexgen.comments.store import SQLiteStore, normalized

BOT_GOAL = 0.99  # share of bots that never reach the queue
BOT_KINDS = {  # kind → share of the bots (realistic proportions: dumb bots are most of them)
    "honeypot": 0.18, "token_less": 0.14, "instant": 0.10, "forged": 0.07, "expired": 0.06,
    "replayed": 0.08, "link_stuffing": 0.08, "flood": 0.17, "duplicate": 0.06,
    "blocklist": 0.06,
}
FLOOD_PREFIXES = ("5.188.62", "185.220.101", "91.243.44")  # a few networks send the floods
FLOOD_BURST = 60  # posts per burst: a flood comes all at once

SITE_TOML = """\
title = "Le Café du Commerce"
base_url = "https://blog.example.org"
language = "fr"
timezone = "Europe/Paris"

[comments]
endpoint = "https://blog.example.org/commentaires/"
trusted_proxies = ["127.0.0.1"]
blocklist = "blocklist.txt"
"""
BLOCKLIST = """\
# mots et domaines des pourriels
viagra
cialis
casino
escort
replica
forex
crypto-bonus.example
pills-shop.example
seo-boost.example
"""
THREADS = {  # source path → title (every thread has one published comment, `c1`)
    "posts/retraites.md": "La réforme des retraites, encore",
    "posts/velo.md": "Le vélo en ville n’est pas un luxe",
    "posts/ecole.md": "Ce que l’école ne dit plus",
    "posts/nucleaire.md": "Nucléaire : sortir du déni",
    "posts/presse.md": "La presse locale se meurt",
    "posts/loyers.md": "L’encadrement des loyers, bilan",
}
SIDECAR = """\
- id: c1
  author: "Antoine"
  date: 2024-03-02T10:00:00+01:00
  body: |
    Un premier avis, publié.
"""

# Genuine French comments: built from parts, so that each is different -------------------

FIRST = ["Camille", "Julien", "Sophie", "Mathieu", "Élodie", "François", "Inès", "Hélène",
         "Loïc", "Maëlle", "Thibault", "Aurélie", "Benoît", "Chloé", "Jérôme", "Noémie",
         "Raphaël", "Léa", "Grégoire", "Anaïs", "Yannick", "Cécile", "Karim", "Solène",
         "Pierre-Yves", "Marie-Thérèse", "Zoé", "Gaëtan", "Agnès", "Olivier"]
LAST = ["Martin", "Lefèvre", "Moreau", "Girard", "Roux", "Fournier", "Bonnet", "Dupré",
        "Mercier", "Chevalier", "Blanc", "Guérin", "Muller", "Faure", "Perrin", "Lemaître",
        "Benali", "Nguyen", "Da Silva", "Le Goff"]
MAIL_HOSTS = ["orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr", "protonmail.com",
              "wanadoo.fr", "outlook.fr"]
OPENERS = [
    "Merci pour ce billet.", "Très bon article, comme souvent.", "Je ne suis pas d’accord.",
    "Billet stimulant, mais je reste sceptique.", "Enfin quelqu’un qui le dit !",
    "Je vous lis depuis des années et c’est la première fois que je réagis.",
    "Petite remarque en passant.", "Bonjour,", "Je rejoins en partie votre analyse.",
    "Article intéressant, même si la conclusion me gêne.", "Bravo pour la clarté.",
    "Hum, je me permets de nuancer.", "Quel plaisir de lire un texte argumenté.",
]
SUBJECTS = [("le gouvernement", False), ("la mairie", False), ("l’Éducation nationale", False),
            ("les syndicats", True), ("les élus locaux", True), ("les journalistes", True),
            ("nos voisins allemands", True), ("les jeunes", True), ("les retraités", True),
            ("la région", False), ("l’Europe", False), ("les associations de quartier", True),
            ("les lecteurs de ce blog", True), ("les entreprises du coin", True),
            ("les propriétaires", True)]
VERBS = [("sous-estime", "sous-estiment"), ("oublie", "oublient"),
         ("comprend mal", "comprennent mal"), ("a longtemps ignoré", "ont longtemps ignoré"),
         ("défend à tort", "défendent à tort"), ("redécouvre", "redécouvrent"),
         ("exagère", "exagèrent"), ("minimise", "minimisent"), ("paie cher", "paient cher"),
         ("a raison de souligner", "ont raison de souligner")]
OBJECTS = ["le coût réel des transports", "la question du logement",
           "l’avis des premiers concernés", "la durée du débat public",
           "le rôle des communes", "la fatigue des enseignants", "les chiffres de l’Insee",
           "l’état des routes départementales", "la place du vélo", "le prix de l’énergie",
           "la parole des anciens", "les effets à long terme", "la précarité étudiante",
           "la qualité de l’air", "la solitude dans les campagnes"]
REASONS = [
    "J’habite à {ville} et je le vois tous les jours.",
    "Mon père, ancien {metier}, disait déjà la même chose il y a trente ans.",
    "Les chiffres que vous citez datent un peu, il me semble.",
    "Il faudrait aussi parler de ce qui se passe à {ville}.",
    "Comme {metier}, je peux témoigner que c’est plus compliqué.",
    "À {ville}, l’expérience a été tentée et n’a pas si mal marché.",
    "Je l’ai constaté moi-même quand j’étais {metier}.",
    "Ma voisine, {metier} à {ville}, me racontait exactement l’inverse.",
]
VILLES = ["Rennes", "Lyon", "Besançon", "Nantes", "Limoges", "Perpignan", "Lille", "Angers",
          "Clermont-Ferrand", "Brest", "Nancy", "Grenoble", "Périgueux", "Saint-Étienne",
          "Montauban", "Quimper", "Épinal", "Cholet"]
METIERS = ["instituteur", "infirmière", "cheminot", "boulangère", "agriculteur",
           "professeure de lettres", "chauffeur de bus", "pharmacienne", "ouvrier du bâtiment",
           "secrétaire de mairie", "médecin de campagne", "libraire"]
QUOTES = ["« on ne peut pas tout faire à la fois »", "« c’est toujours les mêmes qui paient »",
          "« la confiance ne se décrète pas »", "« il faut laisser du temps au temps »",
          "« qui veut la fin veut les moyens »", "« le mieux est l’ennemi du bien »"]
QUESTIONS = [
    "Avez-vous des sources sur ce point ?", "Qu’en pensent les autres lecteurs ?",
    "Ne croyez-vous pas que {sujet} y sont pour quelque chose ?",
    "Pourquoi ne pas en parler davantage ?", "Comment expliquez-vous ce retard ?",
    "Que proposeriez-vous concrètement ?", "Est-ce vraiment nouveau ?",
]
REPLIES = ["Je réponds à Antoine : je ne partage pas votre avis.",
           "Antoine, vous avez raison sur le fond.", "Pour aller dans le sens d’Antoine :",
           "En réponse au premier commentaire :", "Antoine, permettez-moi de nuancer."]
CLOSINGS = ["Bonne continuation.", "Au plaisir de vous lire.", "Cordialement.",
            "Merci encore.", "À suivre…", "Bien à vous.", "", "", ""]
LINKS = ["https://fr.wikipedia.org/wiki/Politique_de_la_ville",
         "https://www.insee.fr/fr/statistiques", "https://www.vie-publique.fr/",
         "https://www.legifrance.gouv.fr/", "https://www.lemonde.fr/idees/",
         "https://www.ademe.fr/"]


def sentence(chance: random.Random) -> str:
    """One opinion, an argument, maybe a quote."""
    subject, plural = chance.choice(SUBJECTS)
    said = f"{subject[0].upper()}{subject[1:]} {chance.choice(VERBS)[plural]} " \
        f"{chance.choice(OBJECTS)}."
    reason = chance.choice(REASONS).format(ville=chance.choice(VILLES),
                                           metier=chance.choice(METIERS))
    if chance.random() < 0.3:
        reason += f" Comme on dit, {chance.choice(QUOTES)}."
    return f"{said} {reason}"


def genuine_body(chance: random.Random, reply: bool) -> str:
    parts = [chance.choice(REPLIES) if reply else chance.choice(OPENERS), sentence(chance)]
    shape = chance.random()
    if shape < 0.3:
        parts.append(chance.choice(QUESTIONS).format(
            sujet=chance.choice([name for name, plural in SUBJECTS if plural])))
    if chance.random() < 0.2:
        parts.append(f"Voir par exemple {chance.choice(LINKS)} pour les chiffres.")
    body = " ".join(parts)
    if shape > 0.8:  # a long one, in paragraphs
        body += "".join(f"\n\n{sentence(chance)} {sentence(chance)}"
                        for _ in range(chance.randint(2, 5)))
        if chance.random() < 0.5:
            body += "\n\n> " + chance.choice(QUOTES).strip("« »").capitalize() + "."
    closing = chance.choice(CLOSINGS)
    return f"{body}\n\n{closing}".strip() if closing else body


# Readers citing their sources: 3 to 5 links (more than `max_links`, so held for approval),
# written the ways readers write them. One genuine comment in SOURCED_EVERY is one of these.
SOURCED_EVERY = 16
SOURCES = [  # how a reader names it, its address
    ("les chiffres de l’Insee", "https://www.insee.fr/fr/statistiques/6793297"),
    ("le rapport de la Cour des comptes",
     "https://www.ccomptes.fr/fr/publications/le-logement-social-face-au-defi-de-l-acces"),
    ("la synthèse de vie-publique.fr",
     "https://www.vie-publique.fr/eclairage/19373-la-politique-de-la-ville"),
    ("l’étude de l’Ademe", "https://librairie.ademe.fr/mobilite-et-transport/5960-etude.html"),
    ("le texte sur Légifrance", "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000047445077"),
    ("la note de France Stratégie",
     "https://www.strategie.gouv.fr/publications/cout-du-logement-quels-effets"),
    ("le dossier de la Drees",
     "https://drees.solidarites-sante.gouv.fr/publications-communique-de-presse/etudes"),
    ("le baromètre des villes cyclables", "https://barometre.parlons-velo.fr/2021/palmares/"),
    ("l’enquête du Cerema", "https://www.cerema.fr/fr/actualites/velo-ville-moyenne"),
    ("les projections du COR", "https://www.cor-retraites.fr/rapports-annuels-du-cor"),
    ("l’Observatoire des inégalités", "https://www.inegalites.fr/Le-revenu-des-retraites"),
    ("le rapport de la Fondation Abbé Pierre",
     "https://www.fondation-abbe-pierre.fr/actualites/29e-rapport-sur-letat-du-mal-logement"),
    ("l’article de Wikipédia", "https://fr.wikipedia.org/wiki/Encadrement_des_loyers"),
    ("l’enquête d’Ouest-France",
     "https://www.ouest-france.fr/bretagne/rennes-35000/la-presse-locale-en-sursis"),
    ("la tribune parue dans Le Monde",
     "https://www.lemonde.fr/idees/article/2023/05/12/ecole-ce-qui-a-change_6173012_3232.html"),
    ("l’analyse de l’OFCE", "https://www.ofce.sciences-po.fr/blog/reforme-des-retraites"),
    ("le bilan électrique de RTE", "https://www.rte-france.com/actualites/bilan-electrique"),
    ("les rapports de l’ASN", "https://www.asn.fr/l-asn-informe/publications/rapports"),
]
CITED_TOPICS = ["ce sujet", "la question du logement", "le coût réel des transports",
                "les chiffres que vous citez", "la fatigue des enseignants", "le prix de l’énergie",
                "la précarité étudiante", "la place du vélo"]
REMARKS = ["Le deuxième lien est le plus complet, même s’il date un peu.",
           "Les chiffres ne disent pas tout, mais ils contredisent une partie du billet.",
           "Je n’ai pas tout lu, je l’avoue, mais les synthèses suffisent pour se faire un avis.",
           "Chacun se fera son idée, mais le débat mérite mieux que des impressions.",
           "Les conclusions divergent, ce qui est en soi instructif.",
           "Attention, la méthode a changé en cours de route : les séries ne se comparent pas."]


def cite(chance: random.Random, source: tuple[str, str], style: str) -> str:
    name, url = source
    if style == "unnamed":  # the address alone, the sentence around it says what it is
        return url
    if style == "markdown":
        return f"[{name}]({url})"
    if style == "www" and "://www." in url:  # pasted without its scheme
        return f"{name} ({url.removeprefix('https://')})"
    return f"{name} ({url})" if chance.random() < 0.6 else f"{name} : {url}"


def sourced_body(chance: random.Random, reply: bool) -> str:
    """A genuine comment citing 3 to 5 sources, with sentences around them (the shortest: one
    sentence naming each source)."""
    style = chance.choice(["bare", "bare", "markdown", "www", "unnamed"])
    shape = chance.randrange(6 if style != "unnamed" else 4)
    cited = [cite(chance, s, style) for s in chance.sample(SOURCES, chance.randint(3, 5))]
    a, b, c, *more = cited
    topic = chance.choice(CITED_TOPICS)
    start = chance.choice(REPLIES) if reply else chance.choice(OPENERS)
    if shape == 0:
        body = f"{start} {sentence(chance)} Pour les chiffres, voir {a}, {b} et {c}."
    elif shape == 1:
        items = "\n".join(f"- {x}" for x in (a, b, c))
        body = f"{start} Quelques sources, si vous voulez creuser {topic} :\n\n{items}\n\n" \
            f"{sentence(chance)}"
    elif shape == 2:
        body = f"{start} Ce que vous écrivez sur {topic} est confirmé ici {a} et là {b}, " \
            f"mais ce document {c} dit presque le contraire. {sentence(chance)}"
    elif shape == 3:
        body = f"{start} On lit tout et son contraire sur {topic}. Trois sources sérieuses, " \
            f"pour ceux qui veulent vérifier : {a}, {b} et {c}. {chance.choice(REMARKS)}"
    elif shape == 4:
        body = f"{start} Sur {topic}, trois lectures m’ont fait changer d’avis. D’abord {a}, " \
            f"très clair sur le fond. Ensuite {b}, plus critique. Enfin {c}, qui date un peu " \
            "mais reste juste."
    else:  # terse: a sentence that names its sources, and nothing else
        body = f"{start} Des sources, puisqu’on en parle : {a}, {b} et {c}."
    if more:
        body += " Voir aussi " + " et ".join(more) + "."
    if chance.random() < 0.4:
        body += f"\n\n{chance.choice(REMARKS)}"
    closing = chance.choice(CLOSINGS)
    return f"{body}\n\n{closing}".strip() if closing else body


# Bots' texts -------------------------------------------------------------------------------

PITCHES = ["Best online deals", "Cheap meds no prescription", "Earn 5000$ a week from home",
           "Top SEO services", "Hot singles near you", "Free followers instantly",
           "Great post, very informative", "Nice blog! Check my site",
           "Meilleur crédit sans justificatif", "Gagnez de l’argent facilement"]
BOT_NAMES = ["Best Deals", "SEO Expert", "john smith", "Cheap Pharmacy", "Crypto King",
             "Marketing Pro", "Anna", "bestprice", "Rencontre Facile", "Promo Flash"]
SPAM_HOSTS = ["deal-{n}.example", "shop{n}.example", "promo-{n}.example", "click{n}.example"]
BLOCKED = ["viagra", "cialis", "casino", "escort", "replica", "forex",
           "https://crypto-bonus.example/", "https://pills-shop.example/buy",
           "http://www.seo-boost.example"]


def spam_url(chance: random.Random) -> str:
    return "https://" + chance.choice(SPAM_HOSTS).format(n=chance.randrange(10_000)) + "/"


def spam_body(chance: random.Random, n: int, links: int = 1) -> str:
    body = f"{chance.choice(PITCHES)} #{n}"
    for _ in range(links):
        body += f" {spam_url(chance)}"
    return body


# The corpus --------------------------------------------------------------------------------

@dataclass
class Post:
    kind: str  # "genuine" or a bot kind
    fields: dict[str, str]
    ip: str
    token: tuple  # how to make the token at sending time (see `token_for`)
    burst: int = -1  # posts of one burst are sent together, in order
    campaign: str = ""  # the posts of one replay, flood or duplicate campaign share it
    who: str = ""  # a genuine reader's name (for the listing of lost comments)
    status: int = 0  # the HTTP answer
    message: str = ""  # its message (a key of the theme's strings)
    outcome: str = field(default="refused")  # pending, approved, spam or refused


def build(bots: int, genuine: int, seed: int = 14) -> list[Post]:
    """The corpus, in sending order: `bots` bots and `genuine` genuine comments (about 1 in
    8 genuine readers posts a second time, in another thread)."""
    chance = random.Random(seed)
    threads = list(THREADS)
    posts: list[Post] = []
    seen_bodies: set[tuple[str, str]] = set()
    blocklist = tuple(normalized(w) for w in BLOCKLIST.splitlines()
                      if w and not w.startswith("#"))

    # Genuine readers: one client address (a /24 of its own) and one e-mail each. Those who
    # cite sources draw from their own generator, so that the rest of the corpus (every bot
    # included) is the same with or without them.
    citing = random.Random(f"{seed}-sources")
    reader = 0
    while len(posts) < genuine:
        reader += 1
        first, last = chance.choice(FIRST), chance.choice(LAST)
        name = f"{first} {last}" if chance.random() < 0.6 else first
        mail = normalized(f"{first}.{last}").replace(" ", "").replace("'", "")
        email = f"{mail}{reader}@{chance.choice(MAIL_HOSTS)}"
        url = f"https://{normalized(last).replace(' ', '')}{reader}.example.fr/" \
            if chance.random() < 0.1 else ""
        ip = f"90.{reader // 250}.{reader % 250}.{chance.randrange(1, 255)}"
        visits = 2 if chance.random() < 0.13 and len(posts) + 1 < genuine else 1
        for thread in chance.sample(threads, visits):
            while True:
                reply = chance.random() < 0.25
                body = genuine_body(chance, reply)
                if (thread, normalized(body)) not in seen_bodies:
                    break
            seen_bodies.add((thread, normalized(body)))
            sourced = len(posts) % SOURCED_EVERY == SOURCED_EVERY // 2
            while sourced:
                body = sourced_body(citing, reply)
                if (thread, normalized(body)) not in seen_bodies:
                    seen_bodies.add((thread, normalized(body)))
                    break
            fields = {"thread": thread, "parent": "c1" if reply else "", "author": name,
                      "email": email, "url": url, "body": body}
            assert not blocked(make_draft(fields, ""), blocklist), body
            assert (3 <= count_links(body) <= 5) if sourced else (count_links(body) <= 1), body
            posts.append(Post("genuine", fields, ip, ("age", chance.uniform(5, 600)),
                              who=name))

    # Bots, kind by kind; distributed ones from random networks.
    def anywhere() -> str:
        return f"{chance.choice((45, 103, 141, 176, 194, 212))}.{chance.randrange(256)}." \
            f"{chance.randrange(256)}.{chance.randrange(1, 255)}"

    def bot(kind: str, n: int, token: tuple, ip: str = "", links: int = 1, **more: str
            ) -> Post:
        fields = {"thread": chance.choice(threads), "parent": "",
                  "author": chance.choice(BOT_NAMES),
                  "email": f"bot{n}@{chance.choice(('mail.ru', 'gmail.com', 'yandex.com'))}"
                  if chance.random() < 0.7 else "",
                  "url": spam_url(chance) if chance.random() < 0.6 else "",
                  "body": spam_body(chance, n, links)}
        fields.update(more)
        return Post(kind, fields, ip or anywhere(), token)

    counts = {kind: round(share * bots) for kind, share in BOT_KINDS.items()}
    counts["honeypot"] += bots - sum(counts.values())
    made: list[Post] = []
    n = 0
    for kind, count in counts.items():
        if kind == "replayed":  # one token scraped from a form, posted again and again
            per = 20
            for campaign in range((count + per - 1) // per):
                home = chance.choice(threads)  # the article whose form it scraped
                for _ in range(min(per, count - campaign * per)):
                    n += 1
                    made.append(bot(kind, n, ("shared", campaign, chance.uniform(5, 60), home),
                                    thread=home if chance.random() < 0.8
                                    else chance.choice(threads)))
                    made[-1].campaign = f"replay {campaign}"
            continue
        if kind == "flood":  # fresh tokens, fast, from a few networks, in bursts
            bursts = max(1, count // FLOOD_BURST)
            for b in range(bursts):
                prefix = FLOOD_PREFIXES[b % len(FLOOD_PREFIXES)]
                size = count // bursts + (1 if b < count % bursts else 0)
                thread = chance.choice(threads)
                for _ in range(size):
                    n += 1
                    made.append(bot(kind, n, ("age", chance.uniform(3.5, 8)),
                                    f"{prefix}.{chance.randrange(1, 255)}", thread=thread))
                    made[-1].burst = b
                    made[-1].campaign = f"flood {b}"
            continue
        if kind == "duplicate":  # one text, pasted under many names from many networks,
            per = 15  # on one article or on any
            for campaign in range((count + per - 1) // per):
                text = f"Very nice article, I learned a lot, thank you! Campaign {campaign} " \
                    f"{spam_url(chance)}"
                home = chance.choice(threads) if campaign % 2 == 0 else None
                for _ in range(min(per, count - campaign * per)):
                    n += 1
                    made.append(bot(kind, n, ("age", chance.uniform(5, 120)), body=text,
                                    thread=home or chance.choice(threads),
                                    author=f"{chance.choice(BOT_NAMES)} {n}"))
                    made[-1].campaign = f"duplicate {campaign}"
            continue
        for _ in range(count):
            n += 1
            if kind == "honeypot":
                made.append(bot(kind, n, ("age", chance.uniform(0, 300))
                                if chance.random() < 0.5 else ("none",),
                                website=spam_url(chance)))
            elif kind == "token_less":
                made.append(bot(kind, n, ("none",)))
            elif kind == "instant":
                made.append(bot(kind, n, ("age", chance.uniform(0, 2.5))))
            elif kind == "forged":
                made.append(bot(kind, n, ("forged", chance.randrange(4))))
            elif kind == "expired":
                made.append(bot(kind, n, ("age", chance.uniform(2 * 3600 + 60, 3 * 86400))))
            elif kind == "link_stuffing":
                made.append(bot(kind, n, ("age", chance.uniform(5, 120)),
                                links=chance.randint(3, 12)))
            elif kind == "blocklist":
                word = chance.choice(BLOCKED)
                made.append(bot(kind, n, ("age", chance.uniform(5, 120)),
                                body=f"{chance.choice(PITCHES)} {word} #{n}"))

    # Sending order: everything mixed, except that a flood burst is sent in one go.
    units: list[list[Post]] = [[p] for p in posts + [p for p in made if p.burst < 0]]
    bursts: dict[int, list[Post]] = {}
    for p in made:
        if p.burst >= 0:
            bursts.setdefault(p.burst, []).append(p)
    units += list(bursts.values())
    chance.shuffle(units)
    return [p for unit in units for p in unit]


def token_for(post: Post, secret: bytes, now: datetime, shared: dict[int, str]) -> str:
    spec = post.token
    thread = post.fields["thread"]
    if spec[0] == "none":
        return ""
    if spec[0] == "age":
        return tokens.issue(secret, thread, now - timedelta(seconds=spec[1]))
    if spec[0] == "shared":  # the token of the form scraped, whatever the thread posted to
        if spec[1] not in shared:
            shared[spec[1]] = tokens.issue(secret, spec[3], now - timedelta(seconds=spec[2]))
        return shared[spec[1]]
    # forged: another secret, a payload of one's own, a tampered signature, or garbage
    issued = int((now - timedelta(seconds=30)).timestamp() * 1000)
    payload = {"t": thread, "n": "AAAAAAAAAAAAAAAAAAAAAA", "i": issued}
    variant = spec[1]
    if variant == 0:
        return URLSafeSerializer(b"guessed-secret", salt=tokens.SALT).dumps(payload)
    if variant == 1:
        return URLSafeSerializer(secret, salt="another-salt").dumps(payload)
    if variant == 2:
        good = tokens.issue(secret, thread, now - timedelta(seconds=30))
        return good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    return "eyJ0IjoicG9zdHMvYS5tZCJ9.forged"


# The site and the server ----------------------------------------------------------------------

def write_site(root: Path) -> None:
    (root / "content/posts").mkdir(parents=True)
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    (root / "blocklist.txt").write_text(BLOCKLIST, encoding="utf-8")
    (root / "content/authors").mkdir()
    (root / "content/authors/claire.md").write_text('---\nname: "Claire Vasseur"\n---\n',
                                                    encoding="utf-8")
    for day, (source, title) in enumerate(THREADS.items(), start=1):
        stem = Path(source).stem
        (root / "content" / source).write_text(
            f'---\ntitle: "{title}"\ndate: 2024-03-{day:02d}\nslug: {stem}\n'
            f"author: claire\n---\nDu texte.\n", encoding="utf-8")
        (root / "content/posts" / f"{stem}.comments.yaml").write_text(SIDECAR,
                                                                       encoding="utf-8")


class Server:
    """`reflexgen comments serve` as a process, stopped with Ctrl-C."""

    def __init__(self, root: Path, *options: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reflexgen", "comments", "serve", "--site", str(root),
             "--host", "127.0.0.1", "--port", "0", *options], stderr=subprocess.PIPE,
            text=True, start_new_session=True)
        self.lines: list[str] = []
        self.port = 0
        deadline = time.monotonic() + 60
        while not self.port and time.monotonic() < deadline:
            line = self.process.stderr.readline()  # type: ignore[union-attr]
            if not line:
                break
            self.lines.append(line)
            if line.startswith("intake listening on http://"):
                self.port = int(line.split()[3].rstrip("/").rsplit(":", 1)[1])
        if not self.port:
            self.stop()
            raise RuntimeError("the intake did not start:\n" + "".join(self.lines))

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.lines += self.process.stderr.read().splitlines(True)  # type: ignore[union-attr]
        return self.process.returncode


def messages() -> dict[str, str]:
    """The theme's French intake messages, to tell which one a page shows."""
    path = Path(__file__).resolve().parents[1] / "themes/default/i18n/fr.toml"
    strings = tomllib.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in strings.items() if k.startswith("intake_") and isinstance(v, str)
            and not k.startswith(("intake_title", "intake_send", "intake_body"))}


def send(posts: list[Post], root: Path, port: int) -> None:
    """Every post as a browser's form POST, one after the other on a kept-alive connection."""
    store = SQLiteStore(root / "comments.sqlite3")
    secret = store.secret()
    store.close()
    known = sorted(messages().items(), key=lambda kv: -len(kv[1]))
    shared: dict[int, str] = {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for post in posts:
        fields = {**post.fields, "token": token_for(post, secret, datetime.now(UTC), shared)}
        if "website" not in fields:
            fields["website"] = ""  # the honeypot is in every form, empty
        connection.request("POST", "/", urlencode(fields).encode(), {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "text/html,application/xhtml+xml",
            "Origin": "https://blog.example.org", "X-Forwarded-For": post.ip})
        response = connection.getresponse()
        page = html.unescape(response.read().decode("utf-8", "replace"))
        post.status = response.status
        post.message = next((k for k, text in known if text in page), "?")
        if response.getheader("connection") == "close":
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.close()


def judge_from_store(posts: list[Post], root: Path) -> None:
    """Each post's outcome, as the store holds it (matched on thread, author and body)."""
    store = SQLiteStore(root / "comments.sqlite3")
    try:
        stored: dict[tuple[str, str, str], list[str]] = {}
        for s in reversed(store.find()):  # oldest first, as they were sent
            stored.setdefault((s.thread, s.author, s.body), []).append(s.status)
    finally:
        store.close()
    for post in posts:
        key = (post.fields["thread"], post.fields["author"].strip(),
               post.fields["body"].replace("\r\n", "\n"))
        found = stored.get(key)
        post.outcome = found.pop(0) if found else "refused"
    unmatched = sum(len(left) for left in stored.values())
    if unmatched:
        raise RuntimeError(f"{unmatched} stored submissions match no post of the corpus")


@dataclass
class Result:
    posts: list[Post]
    bots_kept_out: float  # share of bots that never reached the queue
    genuine_lost: list[Post]
    table: str

    @property
    def ok(self) -> bool:
        return self.bots_kept_out >= BOT_GOAL and not self.genuine_lost


def run(bots: int, genuine: int, seed: int = 14) -> Result:
    """Build the corpus, send it to a fresh site's intake server, read its verdicts."""
    posts = build(bots, genuine, seed)
    with tempfile.TemporaryDirectory(prefix="reflexgen-spam-") as temp:
        root = Path(temp) / "site"
        write_site(root)
        assert read_blocklist(root / "blocklist.txt")
        server = Server(root)
        try:
            send(posts, root, server.port)
        finally:
            code = server.stop()
        output = "".join(server.lines)
        if code != 0 or "Traceback" in output:
            raise RuntimeError(f"the intake failed (exit code {code}):\n{output}")
        judge_from_store(posts, root)
    return summarize(posts)


def summarize(posts: list[Post]) -> Result:
    rows = [f"{'kind':<15}{'sent':>6}{'queued':>8}{'spam':>6}{'refused':>9}"]
    bots = [p for p in posts if p.kind != "genuine"]
    for kind in BOT_KINDS:
        mine = [p for p in bots if p.kind == kind]
        outcomes = Counter(p.outcome for p in mine)
        rows.append(f"{kind:<15}{len(mine):>6}{outcomes['pending'] + outcomes['approved']:>8}"
                    f"{outcomes['spam']:>6}{outcomes['refused']:>9}")
    outcomes = Counter(p.outcome for p in bots)
    queued = outcomes["pending"] + outcomes["approved"]
    rows.append(f"{'all bots':<15}{len(bots):>6}{queued:>8}{outcomes['spam']:>6}"
                f"{outcomes['refused']:>9}")
    genuine = [p for p in posts if p.kind == "genuine"]
    lost = [p for p in genuine if p.outcome not in ("pending", "approved")]
    rows.append("")
    rows.append(f"{'genuine':<15}{'sent':>6}{'queued':>8}{'lost':>6}")
    rows.append(f"{'':<15}{len(genuine):>6}{len(genuine) - len(lost):>8}{len(lost):>6}")
    sourced = [p for p in genuine if count_links(p.fields["body"]) >= 3]
    held = sum(p.outcome == "pending" for p in sourced)
    rows.append(f"{'  3–5 sources':<15}{len(sourced):>6}{held:>8}"
                f"{sum(p in lost for p in sourced):>6}   (held for approval: max_links)")
    for p in lost:
        rows.append(f"  lost: {p.who!r} in {p.fields['thread']}: {p.outcome}, HTTP {p.status}"
                    f" {p.message}: {p.fields['body'][:60]!r}")
    kept_out = 1 - queued / len(bots) if bots else 1.0
    rows.append("")
    rows.append(f"bots kept out of the queue: {kept_out:.2%} (goal ≥ {BOT_GOAL:.0%}) "
                f"{'ok' if kept_out >= BOT_GOAL else 'MISSED'}")
    rows.append(f"genuine comments lost: {len(lost)} (goal 0) {'ok' if not lost else 'MISSED'}")
    leaked = Counter((p.kind, p.outcome) for p in bots if p.outcome in ("pending", "approved"))
    if leaked:
        rows.append("bots in the queue: " + ", ".join(f"{kind} {outcome} ×{count}"
                                                      for (kind, outcome), count in
                                                      sorted(leaked.items())))
    return Result(posts, kept_out, lost, "\n".join(rows))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bots", type=int, default=1200)
    parser.add_argument("--genuine", type=int, default=320)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    began = time.monotonic()
    result = run(args.bots, args.genuine, args.seed)
    print(result.table)
    print(f"({len(result.posts)} submissions in {time.monotonic() - began:.1f} s)")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
