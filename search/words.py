"""One normalisation of words for the catalog's index and for the queries typed into it.

A parent types «шахматам», «šachmatų būrelis», «скретч» or «chess» and means the same
programs as a title «Šachmatai» or «Шахматы». Each word becomes a *key*: lowercased,
stemmed (Snowball: Russian for Cyrillic, the shorter of Lithuanian and English for Latin),
spelled in one Latin alphabet (Cyrillic transliterated, Lithuanian letters folded, a few
spellings that sound alike merged), and, when the word is in the curated table
`search/data/synonyms.tsv`, also the key of its group (the same activity in any language).
The index stores keys; a query is rewritten into keys by the same functions, so both sides
always agree. A query costs a few microseconds a word (keys are cached).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import Stemmer

DATA = Path(__file__).parent / "data"
MAX_QUERY_WORDS = 8
SHORT = 3  # words this short are not stemmed
MEILI_MAX_WORDS = 10  # Meilisearch reads the first ten words of a query
WORD = re.compile(r"[^\W_]+")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")

# Russian letters in the Latin spelling the keys use (č, š, ž are folded below, with
# Lithuanian's own, so «шахматы», "šachmatai" and "sachmatai" share "sahmat").
_CYRILLIC_TO_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "ž",
        "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c",
        "ч": "č", "ш": "š", "щ": "š", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu",
        "я": "ia", "і": "i", "ї": "i", "є": "e", "ґ": "g",
    }
)  # fmt: skip
# š and ž lose their marks as parents without a Lithuanian keyboard type them ("sachmatai",
# "zygiai"), and «ш», «ж» meet them there; č stays "ch" (a bare "c" is «ц»)
_FOLD = str.maketrans({"č": "ch", "š": "s", "ž": "z"})
# Spellings of one sound, merged in the Latin key ("roblox" and «роблокс» both "robloks").
_SOUNDS = [
    (re.compile(r"ck"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"w"), "v"),
    (re.compile(r"q"), "k"),
    (re.compile(r"[yj]"), "i"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c(?!h)"), "k"),
    (re.compile(r"(.)\1"), r"\1"),  # a doubled letter, pair by pair: «зззз» stays a word
]
_RU = Stemmer.Stemmer("russian")
_LT = Stemmer.Stemmer("lithuanian")
_EN = Stemmer.Stemmer("english")


def _strip_marks(word: str) -> str:
    """Lithuanian ą, ę, ė, į, ų, ū lose their marks; č, š, ž are kept for _FOLD."""
    kept = {"č", "š", "ž"}
    return "".join(
        ch if ch in kept else "".join(c for c in unicodedata.normalize("NFD", ch) if c.isascii())
        for ch in word
    )


def _latin(word: str) -> str:
    for pattern, replacement in _SOUNDS:
        word = pattern.sub(replacement, word)
    return word


@lru_cache(maxsize=65_536)
def key(word: str) -> str:
    """The key of one word (already a single token, any case)."""
    word = word.casefold()
    if len(word) <= SHORT:  # «изо» is not «из»: a stem this short would meet other words
        return _latin(_strip_marks(word.translate(_CYRILLIC_TO_LATIN)).translate(_FOLD))
    if CYRILLIC.search(word):
        return _latin(
            _RU.stemWord(word.replace("ё", "е")).translate(_CYRILLIC_TO_LATIN).translate(_FOLD)
        )
    if not word.isascii() and not any(ch in word for ch in "ąčęėįšųūž"):
        return word  # another script (digits are ascii): left as it is
    english, lithuanian = _EN.stemWord(word), _LT.stemWord(word)
    stem = lithuanian if len(lithuanian) < len(english) else english
    # Lithuanian "ch" sounds as Russian «х» (šachmatai, chemija); č is its "ch"
    return _latin(_strip_marks(stem.replace("ch", "h")).translate(_FOLD))


def words(text: str) -> list[str]:
    """The word tokens of a text, in order."""
    return WORD.findall(text)


@cache
def _tables() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """Key → the keys of its synonym groups; and the keys of words a query can do without."""
    groups: dict[str, list[str]] = {}
    for line in (DATA / "synonyms.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        members = [m.strip() for m in line.split("\t") if m.strip()]
        canonical = key(members[0])
        for member in members:
            for token in words(member):
                bucket = groups.setdefault(key(token), [])
                if canonical not in bucket:
                    bucket.append(canonical)
    stop = frozenset(
        key(token)
        for line in (DATA / "stopwords.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
        for token in words(line)
    )
    return {k: tuple(v) for k, v in groups.items()}, stop


def raw_synonyms() -> dict[str, list[str]]:
    """The synonym table as Meilisearch's own `synonyms` setting, word for word, so a query
    sent straight to the index as typed ("robotika") also meets its group's titles."""
    mapping: dict[str, list[str]] = {}
    for line in (DATA / "synonyms.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        members = [m.strip().casefold() for m in line.split("\t") if m.strip()]
        for member in members:
            others = mapping.setdefault(member, [])
            others.extend(o for o in members if o != member and o not in others)
    return mapping


def groups_of(word_key: str) -> tuple[str, ...]:
    return _tables()[0].get(word_key, ())


@lru_cache(maxsize=65_536)
def keys_of(word: str) -> tuple[str, ...]:
    """A word's own key, then its synonym groups' keys (what a document stores)."""
    own = key(word)
    return (own, *(g for g in groups_of(own) if g != own))


def document_words(*texts: str) -> str:
    """Every key of every word of these texts, once each, space-separated: a document's
    searchable words (Meilisearch) and a program's stored words (the SQL fallback)."""
    seen: dict[str, None] = {}
    for text in texts:
        for token in words(text or ""):
            for k in keys_of(token):
                seen[k] = None
    return " ".join(seen)


@dataclass(frozen=True)
class QueryWords:
    """A query in keys. `keys`: one a word, all required (a word's broadest synonym group,
    else its own key), in the typed order; `boosts`: optional keys that rank a program higher
    (the word's own key and its narrower groups), so «рисование» finds every art program and
    «Рисование» and "Piešimas" first. `last_is_prefix`: the last word may still be typed."""

    keys: tuple[str, ...]
    last_is_prefix: bool
    boosts: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return " ".join((*self.keys, *self.boosts))


def query_words(text: str) -> QueryWords:
    """The typed text as keys. Words such as «кружок», "būrelis", "for" are left out when
    something else was typed; a word given twice counts once."""
    tokens = words(text)[: MAX_QUERY_WORDS * 2]
    stop = _tables()[1]
    chosen: list[tuple[str, tuple[str, ...]]] = []  # (required key, boosts) a word
    for token in tokens:
        own = key(token)
        group = groups_of(own)
        required = group[-1] if group else own
        # narrower groups before the word's own key: Meilisearch drops words from the end
        boosts = tuple(k for k in (*group[:-1], own) if k != required)
        chosen.append((required, boosts))
    meaningful = [c for c, t in zip(chosen, tokens, strict=True) if key(t) not in stop]
    picked = list(dict.fromkeys(meaningful or chosen))[:MAX_QUERY_WORDS]
    needed = tuple(dict.fromkeys(k for k, _ in picked))
    boosts = tuple(dict.fromkeys(b for _, bs in picked for b in bs if b not in needed))
    boosts = boosts[: MEILI_MAX_WORDS - len(needed)]
    ends_in_word = bool(text) and text[-1:].isalnum()
    last_kept = bool(chosen) and bool(picked) and chosen[-1] == picked[-1]
    return QueryWords(needed, ends_in_word and last_kept, boosts)


def _typos_allowed(length: int) -> int:
    """Meilisearch's default typo tolerance: one typo from 5 letters, two from 9."""
    return 2 if length >= 9 else 1 if length >= 5 else 0


def _within(a: str, b: str, limit: int) -> bool:
    """Whether a and b are at most `limit` edits apart (insert, delete, substitute)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def matches(word: str, query: QueryWords) -> bool:
    """Whether a word of a title answers the query (for highlighting it): the same key, the
    typed beginning of the last word, or a key within the typos the search forgives."""
    if not query.keys or not word:
        return False
    own = keys_of(word)
    if any(k in query.keys or k in query.boosts for k in own):
        return True
    last = query.keys[-1]
    if query.last_is_prefix and len(last) >= 2 and own[0].startswith(last):
        return True
    return any(
        _within(typed, k, _typos_allowed(len(typed)))
        for typed in query.keys
        if _typos_allowed(len(typed))
        for k in own
    )


def document_matches(document_keys: str, query: QueryWords) -> bool:
    """Every key of the query among a document's keys (the last as a prefix while typed)."""
    stored = set(document_keys.split())
    *done, last = query.keys
    if not all(k in stored for k in done):
        return False
    return last in stored or (query.last_is_prefix and any(k.startswith(last) for k in stored))


def marked_spans(title: str, query: QueryWords) -> list[tuple[str, bool]]:
    """The title cut into (text, highlighted) pieces: the words that answer the query."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for found in WORD.finditer(title):
        if matches(found.group(), query):
            if found.start() > position:
                pieces.append((title[position : found.start()], False))
            pieces.append((found.group(), True))
            position = found.end()
    if position < len(title):
        pieces.append((title[position:], False))
    return pieces


def all_keys(texts: Iterable[str]) -> set[str]:
    return {k for text in texts for token in words(text) for k in keys_of(token)}
