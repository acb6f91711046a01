"""Offline text matching for the free-text grader: normalising, analysing and phrase matching.

The pipeline, all deterministic and cheap:

1. :func:`normalise` -- NFKC, casefold, unicode quotes/dashes to ASCII, contractions expanded
   (``can't``/``cannot``/``isnt`` -> ``can not``/``is not``).
2. :func:`analyse` -- split into word tokens and tag each one with its light stem
   (:func:`stem`), whether it is a content word, whether a negation (``not``, ``no``,
   ``never``, ``without``...) is in scope, its *segment* (clause) and *sentence*.
   Segments end at ``, ; : -`` and at clause words (``and``, ``but``, ``while``, ``than``...);
   a parenthetical (``, unlike lists,`` or ``(...)``) gets its own segment and the clause it
   interrupts carries on after it. Negation scope ends at a segment end, at a new subject
   (``it``, ``they``, ``which``...) or after a few content words.
3. :class:`Phrase` -- a rubric phrase compiled once: its clause *parts*, each a set of stemmed
   content words plus a polarity (negated or not).
4. :meth:`Phrase.matches` -- each part must find all its words, in any order, inside one
   segment of the reply and within a small window (at most one other content word between
   the two words of a two-word part, two for longer parts); the parts must appear in order,
   in one sentence; and the part's polarity must equal the reply's (so ``tuples are not
   mutable`` never matches ``tuples are mutable``, while ``tuples cannot be changed`` matches
   ``you can't modify a tuple``). Words may match with a typo (see :class:`Vocabulary`), and
   ``immutable`` also reads as ``not mutable``. A match can be confined to some segments
   (``blocked`` segments are skipped), which is how a key point about one side of a two-sided
   question ignores clauses about the other side.
5. :class:`Subjects` -- for a two-sided question (``is`` vs ``==``), which side each segment is
   about: the side of the first *term* naming a side in the segment (a term made only of
   stopwords, like ``is``, counts only at the start or end of its clause or before
   ``operator``); a segment naming no side inherits the side of the clause before it in the
   same sentence (``copy.copy builds a new list and shares the nested ones``). Parentheticals
   and contrast clauses (``than``, ``unlike``, ``instead``...) pass nothing on.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz.distance import OSA
from rapidfuzz.fuzz import ratio

__all__ = [
    "Analysis",
    "Index",
    "Phrase",
    "Subjects",
    "Vocabulary",
    "analyse",
    "code_text",
    "denied_segments",
    "normalise",
    "stem",
]

_QUOTES = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′´`", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−﹣－", "-"),
    }
)
_AUX_NOT = {
    "can": "can", "ca": "can", "won": "will", "wo": "will", "shan": "shall", "don": "do",
    "doesn": "does", "didn": "did", "isn": "is", "aren": "are", "wasn": "was", "weren": "were",
    "hasn": "has", "haven": "have", "hadn": "had", "couldn": "could", "wouldn": "would",
    "shouldn": "should", "mustn": "must", "needn": "need", "mightn": "might",
}  # fmt: skip
_CONTRACTED_NOT = re.compile(r"\b(" + "|".join(_AUX_NOT) + r")(?:'t|\s+t)\b")
_BARE_NOT = re.compile(
    r"\b(cannot|cant|dont|doesnt|didnt|isnt|arent|wasnt|werent|hasnt|havent|couldnt|wouldnt"
    r"|shouldnt)\b"
)
_N_T = re.compile(r"\b(\w+)n't\b")
_IS = re.compile(r"\b(it|that|what|there|here|who|he|she|where|how)'s\b")
_SUFFIXES = re.compile(r"'(s|re|ve|ll|d|m)\b")
_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|etc|vs|cf|approx)\.")
_SUFFIX_WORDS = {"s": "", "re": " are", "ve": " have", "ll": " will", "d": " would", "m": " am"}

_TOKEN = re.compile(
    r"(==|!=|<=|>=|:=|->|\*\*|\*|@)"  # 1: operator
    r"|(\w+)"  # 2: word
    r"|([.!?](?=\s|$)|\n)"  # 3: sentence end
    r"|([;:](?=\s|$)|\s-+\s)"  # 4: clause end
    r"|(,)"  # 5: comma (clause end, or opens a parenthetical)
    r"|(\()|(\))"  # 6, 7: brackets: a parenthetical
)

STOPWORDS = frozenset({
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "am", "of", "to", "in",
    "on", "at", "by", "for", "with", "from", "into", "onto", "as", "it", "its", "this", "that",
    "these", "those", "there", "here", "they", "them", "their", "he", "she", "we", "you", "your",
    "our", "i", "me", "my", "us", "so", "if", "then", "too", "also", "just", "very", "really",
    "quite", "basically", "actually", "simply", "can", "could", "will", "would", "shall",
    "should", "may", "might", "must", "do", "does", "did", "done", "has", "have", "had", "having",
    "which", "who", "whom", "whose", "what", "when", "where", "why", "how", "about", "etc"
})  # fmt: skip
_ARTICLES = frozenset({"a", "an", "the"})
NEGATIONS = frozenset({"not", "no", "never", "without", "neither", "nor"})
#: Words that start a new clause (segment); a phrase containing one is split into parts.
CLAUSE_WORDS = frozenset({
    "and", "or", "but", "while", "whereas", "whilst", "however", "although", "though", "unlike",
    "than", "versus", "vs", "instead", "whereby"
})  # fmt: skip
#: After a comma, these open a parenthetical rather than a new clause.
_PARENTHETICAL = frozenset({"unlike", "like", "not", "such", "including", "eg", "ie", "especially"})
#: These end a negation's scope (a new subject or a reason starts).
_SCOPE_BREAKERS = frozenset({"it", "they", "which", "who", "because", "since", "so"})
#: A phrase starting with one of these keeps it as a content word (``is`` compares identity).
_KEYWORDS = frozenset({"is", "in", "with", "as", "for", "if", "from"})
#: ``immutable`` reads as ``not mutable`` (and ``not safe`` as ``unsafe``).
_NEG_PREFIXES = ("non", "un", "im", "in", "ir", "il", "dis")
_COMMON_NEG_PREFIXES = ("un", "in", "im", "non")
_SYNONYMS = {
    "modifi": "chang", "alter": "chang", "edit": "chang", "mutat": "chang", "delet": "remov",
    "quicker": "faster", "speedier": "faster", "dictionari": "dict",
}  # fmt: skip
_NON_CONTENT = STOPWORDS | NEGATIONS | CLAUSE_WORDS
#: Words that show sentence structure (a bare keyword list has hardly any).
FUNCTION_WORDS = _NON_CONTENT | frozenset({
    "after", "before", "inside", "within", "between", "through", "across", "during", "over",
    "under", "via", "per", "like", "into", "onto", "upon", "using", "each", "every", "all", "any",
    "some", "no"
})  # fmt: skip
#: A clause starting with one of these names the *other* thing (``faster than a list``).
_CONTRAST_WORDS = frozenset({"than", "unlike", "versus", "vs", "instead", "rather"})
#: A stopword-only term (``is``) also names a side right before / after one of these.
_TERM_MARKERS = frozenset({"operator", "operators", "keyword"})
_TERM_OPENERS = frozenset({"use", "using", "by", "with", "operator", "keyword"})
NEGATION_SCOPE = 4


def normalise(text: str, max_chars: int | None = None) -> str:
    """Casefolded NFKC text with ASCII quotes/dashes and negating contractions spelt out.

    With ``max_chars``, the input and its NFKC form are both cut to that length first.
    """
    text = _nfkc(text, max_chars).casefold().translate(_QUOTES)
    text = _ABBREVIATIONS.sub(lambda m: m.group(1).replace(".", ""), text)
    text = _CONTRACTED_NOT.sub(lambda m: f"{_AUX_NOT[m.group(1)]} not", text)
    text = _BARE_NOT.sub(lambda m: _bare_not(m.group(1)), text)
    text = _N_T.sub(r"\1 not", text)
    text = _IS.sub(r"\1 is", text)
    return _SUFFIXES.sub(lambda m: _SUFFIX_WORDS[m.group(1)], text)


def code_text(text: str, max_chars: int | None = None) -> str:
    """The text as code patterns read it: NFKC, casefolded, ASCII quotes and dashes, nothing
    else changed (``f = deco(f)`` and ``<int:user_id>`` stay as written)."""
    return _nfkc(text, max_chars).casefold().translate(_QUOTES)


def _nfkc(text: str, max_chars: int | None) -> str:
    """NFKC, but read in chunks and stopped once ``max_chars`` are out (NFKC can expand 18x)."""
    if max_chars is None:
        return unicodedata.normalize("NFKC", text)
    out: list[str] = []
    size = 0
    for start in range(0, min(len(text), max_chars), 1_000):
        chunk = unicodedata.normalize("NFKC", text[start : min(start + 1_000, max_chars)])
        out.append(chunk)
        size += len(chunk)
        if size >= max_chars:
            break
    return "".join(out)[:max_chars]


def _bare_not(word: str) -> str:
    base = word[:-2] if word.endswith("nt") and word not in {"cannot", "cant"} else "can"
    return f"{base} not"


def _has_vowel(text: str) -> bool:
    return any(ch in "aeiouy" for ch in text)


@functools.lru_cache(maxsize=100_000)  # a pure function of the word
def stem(word: str) -> str:
    """A light suffix stripper (plural, -ness, -ed, -ing, -ly, final -e, -y) plus a few synonyms."""
    base = _strip_suffixes(word)
    return _SYNONYMS.get(base) or base


#: ``-ness`` is stripped only after these endings: an adjective's noun (``correctness``).
_NESS_BASES = ("lessness", "fulness", "iveness", "ousness", "ctness")


def _strip_suffixes(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    w = word
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "i"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith(_NESS_BASES):  # statelessness -> stateless (not business -> busi)
        w = w[:-4]
    for suffix in ("ingly", "edly", "ing", "ed"):
        base = w[: -len(suffix)]
        if w.endswith(suffix) and len(base) >= 3 and _has_vowel(base):
            w = base[:-1] if base[-1] == base[-2] and base[-1] not in "lsz" else base
            break
    if w.endswith("ly") and len(w) >= 6:
        w = w[:-2]
    if w.endswith("e") and len(w) >= 4:
        w = w[:-1]
    if w.endswith("y") and len(w) >= 4 and w[-2] not in "aeiou":
        w = w[:-1] + "i"
    return w


@dataclass(frozen=True, slots=True)
class Analysis:
    """A text split into word tokens, each with its stem, flags and clause position."""

    surfaces: tuple[str, ...]
    stems: tuple[str, ...]
    content: tuple[bool, ...]
    negated: tuple[bool, ...]
    segment: tuple[int, ...]
    sentence: tuple[int, ...]
    rank: tuple[int, ...]  # number of content words before this token
    function_words: int
    aside: tuple[bool, ...] = ()  # inside a parenthetical (``, unlike lists,`` or ``(...)``)

    def __len__(self) -> int:
        return len(self.stems)


class _Builder:
    """Mutable state while walking the tokens of one text."""

    def __init__(self) -> None:
        self.surfaces: list[str] = []
        self.aside: list[bool] = []
        self.negated: list[bool] = []
        self.segment: list[int] = []
        self.sentence: list[int] = []
        self.next_segment = 1
        self.current = 0  # segment of the clause being read
        self.resume: list[int] = []  # clauses interrupted by open parentheticals
        self.sentence_id = 0
        self.negation = False
        self.scope_left = 0

    def end_scope(self) -> None:
        self.negation, self.scope_left = False, 0

    def new_segment(self, *, keep_scope: bool = False) -> None:
        self.current, self.next_segment = self.next_segment, self.next_segment + 1
        if not keep_scope:
            self.end_scope()

    def open_parenthetical(self) -> None:
        self.resume.append(self.current)
        self.new_segment()

    def close_parenthetical(self) -> None:
        self.end_scope()
        if self.resume:
            self.current = self.resume.pop()
        else:
            self.new_segment()

    def end_sentence(self) -> None:
        self.resume.clear()
        self.sentence_id += 1
        self.new_segment()

    def add_word(self, word: str) -> None:
        if word in NEGATIONS:
            self.negation, self.scope_left = not self.negation, NEGATION_SCOPE
        elif word in _SCOPE_BREAKERS:
            self.end_scope()
        self.surfaces.append(word)
        self.aside.append(bool(self.resume))
        self.negated.append(self.negation and self.scope_left > 0 and word not in NEGATIONS)
        self.segment.append(self.current)
        self.sentence.append(self.sentence_id)
        if word not in _NON_CONTENT and self.scope_left > 0:
            self.scope_left -= 1
            if self.scope_left == 0:
                self.negation = False


#: Verbs that report a claim rather than state it ("some say ...", "you may read that ...").
_REPORTING = frozenset({
    "say", "says", "said", "claim", "claims", "claimed", "read", "think", "thinks", "believe",
    "believes", "blame", "blamed", "hear", "heard", "tell", "tells", "told",
})  # fmt: skip
#: Words before a reporting verb that make it a report of others' words ("people think").
_REPORTERS = frozenset({
    "some", "people", "they", "many", "you", "others", "tutorials", "often", "everyone",
    "may", "might", "commonly", "usually", "widely", "folks", "articles", "books",
})  # fmt: skip
#: Words that dismiss a reported claim ("... but that's a myth", "... is outdated").
_DISMISSING = frozenset({"myth", "outdated", "untrue", "false", "wrong", "incorrect"})


def denied_segments(analysis: Analysis) -> frozenset[int]:
    """The segments of claims the reply reports only to dismiss them.

    "Some say tuples are immutable, but that's a myth: ..." states nothing about tuples: a
    sentence with a reporting word (*say*, *read*, *believe* ...) and a dismissing one (*myth*,
    *outdated*, *actually*, *not true* ...), in it or opening the next sentence, denies what it
    reports. Its segments up to the dismissal (the whole sentence when the dismissal comes in
    the next one) are returned, so nothing in them counts for the reply.
    """
    sentences: dict[int, list[int]] = {}
    for i, sentence in enumerate(analysis.sentence):
        sentences.setdefault(sentence, []).append(i)
    order = sorted(sentences)
    denied: set[int] = set()
    for n, sentence in enumerate(order):
        tokens = sentences[sentence]
        if not any(_reports(analysis, i) for i in tokens):
            continue
        dismissal = next((i for i in tokens if _dismisses(analysis, i)), None)
        if dismissal is None and n + 1 < len(order):
            opening = sentences[order[n + 1]][:6]
            if any(_dismisses(analysis, i) for i in opening):
                dismissal = tokens[-1] + 1
        if dismissal is not None:
            denied.update(analysis.segment[i] for i in tokens if i < dismissal)
    return frozenset(denied)


def _reports(analysis: Analysis, i: int) -> bool:
    """Whether token ``i`` reports others' claim: *people say*, *you may read* (not *think of*)."""
    before = analysis.surfaces[max(0, i - 3) : i]
    return analysis.surfaces[i] in _REPORTING and bool(_REPORTERS.intersection(before))


def _dismisses(analysis: Analysis, i: int) -> bool:
    """Whether token ``i`` dismisses a claim: a dismissing word, *but actually*, *not true*."""
    word = analysis.surfaces[i]
    if word == "actually":
        return "but" in analysis.surfaces[max(0, i - 2) : i]
    return word in _DISMISSING or (word == "true" and analysis.negated[i])


def analyse(text: str, *, max_tokens: int = 1_000) -> Analysis:
    """Tokenise normalised ``text`` (see :func:`normalise`) into an :class:`Analysis`."""
    b = _Builder()
    comma_pending = False
    for match in _TOKEN.finditer(text):
        if len(b.surfaces) >= max_tokens:
            break
        kind = match.lastindex
        if kind == 5:
            if b.resume and b.current != b.resume[-1]:
                b.close_parenthetical()  # the comma closes ", unlike lists,"
            else:
                comma_pending = True
            continue
        opened = False
        if comma_pending:
            comma_pending = False
            opened = match.group(2) in _PARENTHETICAL
            if opened:
                b.open_parenthetical()
            else:
                b.new_segment()
        if kind in (1, 2):
            word = match.group(kind)
            if word in CLAUSE_WORDS and b.surfaces and not opened:
                b.new_segment(keep_scope=word == "or")  # "never allocates or frees"
            b.add_word(word)
        elif kind == 3:
            b.end_sentence()
        elif kind == 4:
            b.resume.clear()
            b.new_segment()
        elif kind == 6:
            b.open_parenthetical()
        elif kind == 7:
            b.close_parenthetical()
    return _finish(b)


def _finish(b: _Builder) -> Analysis:
    stems = tuple(stem(word) for word in b.surfaces)
    content = tuple(w not in _NON_CONTENT for w in b.surfaces)
    ranks: list[int] = []
    seen = 0
    for is_content in content:
        ranks.append(seen)
        seen += is_content
    return Analysis(
        surfaces=tuple(b.surfaces),
        stems=stems,
        content=content,
        negated=tuple(b.negated),
        segment=tuple(b.segment),
        sentence=tuple(b.sentence),
        rank=tuple(ranks),
        function_words=sum(w in FUNCTION_WORDS for w in b.surfaces),
        aside=tuple(b.aside),
    )


@dataclass(frozen=True, slots=True)
class _Part:
    """One clause of a phrase: words that must co-occur in one reply segment, and polarity."""

    words: tuple[str, ...]
    negated: bool
    order: Order = "any"

    @property
    def span(self) -> int:
        """Largest allowed distance, in content words, between the first and last word."""
        n = len(self.words)
        return n - 1 + (1 if n <= 2 else 2)


class Vocabulary:
    """The stems a rubric's phrases use, and a cached typo-tolerant lookup into them.

    A reply word matches a rubric stem exactly, or -- when it has 5+ letters and starts with
    the same letter (so ``mutable`` never matches ``immutable``) -- with a typo, comparing word
    to word and stem to stem (see :func:`_close`).
    """

    def __init__(self, stems: Iterable[str], surfaces: Mapping[str, str]) -> None:
        self.stems = frozenset(stems)
        self._surfaces = dict(surfaces)  # surface form -> stem, for typo matching
        self._by_initial: dict[str, list[tuple[str, str]]] = {}
        for form, target in [*((s, s) for s in self.stems), *self._surfaces.items()]:
            if len(form) >= 4 and form.isalpha():
                self._by_initial.setdefault(form[0], []).append((form, target))
        self._cache: dict[tuple[str, str], frozenset[str]] = {}

    def lookup(self, surface: str, stemmed: str) -> frozenset[str]:
        """The rubric stems this reply word can stand for (empty if none)."""
        if stemmed in self.stems:
            return frozenset((stemmed,))
        if len(surface) < 5 or not surface.isalpha():
            return frozenset()
        key = (surface, stemmed)
        found = self._cache.get(key)
        if found is None:
            found = frozenset(self._fuzzy(surface, stemmed))
            if len(self._cache) > 20_000:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _fuzzy(self, surface: str, stemmed: str) -> Iterable[str]:
        for form, target in self._by_initial.get(surface[0], ()):
            probe = surface if form in self._surfaces else stemmed
            if abs(len(form) - len(probe)) <= 2 and _close(probe, form):
                yield target


def _close(a: str, b: str) -> bool:
    """A typo apart: rapidfuzz ratio >= 85, or OSA distance 1 (6+ letters) or 2 (9+ letters)."""
    shortest = min(len(a), len(b))
    if shortest < 4 or max(len(a), len(b)) < 5:
        return False
    if ratio(a, b, score_cutoff=85):
        return True
    limit = 2 if shortest >= 9 else 1 if shortest >= 6 else 0
    return limit > 0 and OSA.distance(a, b, score_cutoff=limit) <= limit


Index = Mapping[str, Sequence[int]]
#: How a phrase part's words must be ordered in the reply: any order; the phrase's order;
#: or the phrase's order or its reverse (``values are compared by is``).
Order = Literal["any", "forward", "either"]


class Phrase:
    """A rubric phrase compiled for matching; see the module docstring for the rules.

    A ``strict`` phrase (used for misconceptions, which zero the grade) must match in the
    phrase's word order or its reverse (``is compares values`` / ``values are compared by
    is``, but not ``MVC view -> Django template`` for ``django view is the template``); and if
    it has one clause with a single content word it keeps its other words too, in order
    (``it is lazy`` needs ``it is lazy``, not just any ``lazy``).
    """

    def __init__(self, text: str, *, strict: bool = False) -> None:
        self.text = text
        code = re.findall(r"`([^`]+)`", text)  # `is` in a phrase is a word, not a stopword
        forced = {w for chunk in code for w in re.findall(r"\w+", normalise(chunk))}
        analysis = analyse(normalise(text.replace("`", " ")))
        parts = _parts(analysis, forced, strict)
        self.patterns: tuple[tuple[_Part, ...], ...] = _with_flips(parts)
        self.surfaces = {w: s for w, s in zip(analysis.surfaces, analysis.stems, strict=True)}

    @property
    def stems(self) -> set[str]:
        """Every stem any pattern of this phrase needs."""
        return {w for pattern in self.patterns for part in pattern for w in part.words}

    def matches(
        self, analysis: Analysis, index: Index, blocked: Collection[int] = frozenset()
    ) -> bool:
        """True when the reply (its analysis and word index) states this phrase.

        Words in ``blocked`` segments are ignored (a clause about the contrasted side).
        """
        return any(_pattern_matches(p, analysis, index, blocked) for p in self.patterns)


def _parts(analysis: Analysis, forced: set[str], strict: bool) -> list[_Part]:
    """Split a phrase at its clause boundaries into parts of words that must co-occur."""
    groups: dict[int, list[int]] = {}
    for i, seg in enumerate(analysis.segment):
        if analysis.surfaces[i] not in CLAUSE_WORDS:
            groups.setdefault(seg, []).append(i)
    parts: list[_Part] = []
    for positions in groups.values():
        words = [
            analysis.stems[i]
            for i in positions
            if analysis.content[i] or analysis.surfaces[i] in forced or _is_keyword(analysis, i)
        ]
        # only stopwords, or one vague word in a strict phrase: keep the other words, in order
        order: Order = "either" if strict else "any"
        if not words or (strict and len(words) == 1 and len(groups) == 1):
            order = "forward"
            words = [
                analysis.stems[i]
                for i in positions
                if analysis.surfaces[i] not in NEGATIONS and analysis.surfaces[i] not in _ARTICLES
            ]
        if words:
            negated = any(analysis.negated[i] for i in positions)
            parts.append(_Part(tuple(words), negated, order))
    return parts


def _with_flips(parts: list[_Part]) -> tuple[tuple[_Part, ...], ...]:
    """The phrase's parts, plus variants where ``immutable`` is read as ``not mutable``."""
    if not parts:
        return ()
    patterns = [tuple(parts)]
    for p, part in enumerate(parts):
        for w, word in enumerate(part.words):
            for variant in _flipped(word, part.negated):
                words = (*part.words[:w], variant, *part.words[w + 1 :])
                flipped = _Part(words, not part.negated, part.order)
                patterns.append((*parts[:p], flipped, *parts[p + 1 :]))
    return tuple(patterns)


def _is_keyword(analysis: Analysis, i: int) -> bool:
    return i == 0 and len(analysis) > 1 and analysis.surfaces[0] in _KEYWORDS


def _flipped(word: str, negated: bool) -> list[str]:
    """``immutabl`` -> [``mutabl``] (a negated reading); when negated, the prefixed forms."""
    if negated:
        return [prefix + word for prefix in _COMMON_NEG_PREFIXES] if len(word) >= 4 else []
    for prefix in _NEG_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            return [word[len(prefix) :]]
    return []


def _pattern_matches(
    pattern: Sequence[_Part], analysis: Analysis, index: Index, blocked: Collection[int]
) -> bool:
    """Every part matches, each in a later segment than the previous one, in one sentence."""
    if len(pattern) == 1:
        return bool(_part_segments(pattern[0], analysis, index, blocked, first_only=True))
    if not all(_candidate_segments(part, analysis, index, blocked) for part in pattern):
        return False
    found = [_part_segments(part, analysis, index, blocked) for part in pattern]
    for last, sentence in found[0]:
        for segments in found[1:]:
            later = [s for s, sent in segments if s > last and sent == sentence]
            if not later:
                break
            last = min(later)
        else:
            return True
    return False


def _usable(part: _Part, analysis: Analysis, index: Index) -> list[Sequence[int]]:
    """Per word of ``part``, the reply positions it may use (none at all: no match)."""
    negated = analysis.negated
    occurrences = [index.get(word, ()) for word in part.words]
    if part.negated:
        if not any(negated[i] for occ in occurrences for i in occ):
            return []
    else:  # a positive part may only use words outside any negation
        occurrences = [[i for i in occ if not negated[i]] for occ in occurrences]
    return occurrences if all(occurrences) else []


def _candidate_segments(
    part: _Part, analysis: Analysis, index: Index, blocked: Collection[int]
) -> set[int]:
    """Segments holding every word of ``part`` (a cheap necessary condition for a match)."""
    occurrences = _usable(part, analysis, index)
    return _shared(occurrences, analysis, blocked) if occurrences else set()


def _shared(
    occurrences: Sequence[Sequence[int]], analysis: Analysis, blocked: Collection[int]
) -> set[int]:
    """The segments, not ``blocked``, in which every word has an occurrence."""
    segment = analysis.segment
    shared = set.intersection(*({segment[i] for i in occ} for occ in occurrences))
    return shared.difference(blocked) if blocked else shared


def _part_segments(
    part: _Part,
    analysis: Analysis,
    index: Index,
    blocked: Collection[int],
    *,
    first_only: bool = False,
) -> list[tuple[int, int]]:
    """The (segment, sentence) pairs in which ``part`` matches, in reply order."""
    occurrences = _usable(part, analysis, index)
    if not occurrences:
        return []
    shared = _shared(occurrences, analysis, blocked)
    segment = analysis.segment
    anchor = min(occurrences, key=len)
    result: list[tuple[int, int]] = []
    for a in anchor:
        seg = segment[a]
        if seg not in shared or (result and result[-1][0] == seg):
            continue
        if _fits_around(a, part, occurrences, analysis):
            result.append((seg, analysis.sentence[a]))
            if first_only:
                break
    return result


def _fits_around(
    a: int, part: _Part, occurrences: Sequence[Sequence[int]], analysis: Analysis
) -> bool:
    """Whether one occurrence of each word, with ``a``, fits the window and the polarity."""
    seg, rank, span = analysis.segment[a], analysis.rank[a], part.span
    choices: list[list[int]] = []
    for occ in occurrences:
        lo = bisect_left(occ, _first_at_rank(analysis, rank - span))
        hi = bisect_right(occ, _last_at_rank(analysis, rank + span))
        near = [i for i in occ[lo:hi] if analysis.segment[i] == seg]
        if not near:
            return False
        near.sort(key=lambda i: abs(analysis.rank[i] - rank))
        choices.append(near[:3])
    for combo in itertools.product(*choices):
        ranks = [analysis.rank[i] for i in combo]
        if max(ranks) - min(ranks) > span or len(set(combo)) < len(combo):
            continue  # too spread out, or one reply word used twice ("copy copy")
        if not _in_order(combo, part.order):
            continue
        if any(analysis.negated[i] for i in combo) == part.negated:
            return True
    return False


def _in_order(positions: Sequence[int], order: Order) -> bool:
    if order == "any":
        return True
    if all(x < y for x, y in itertools.pairwise(positions)):
        return True
    return order == "either" and all(x > y for x, y in itertools.pairwise(positions))


def _first_at_rank(analysis: Analysis, rank: int) -> int:
    return bisect_left(analysis.rank, rank)


def _last_at_rank(analysis: Analysis, rank: int) -> int:
    return bisect_right(analysis.rank, rank) - 1


class Subjects:
    """The terms naming each side of a two-sided question, compiled once.

    ``Subjects([["is", "is operator"], ["==", "double equals"]])``; :meth:`of` tells which side
    each segment of a reply is about (see the module docstring).
    """

    def __init__(self, sides: Sequence[Sequence[str]]) -> None:
        #: per side, the stems of each of its terms
        self.stems: tuple[frozenset[frozenset[str]], ...] = tuple(
            frozenset(frozenset(analyse(normalise(text)).stems) for text in texts)
            for texts in sides
        )
        terms: dict[str, list[tuple[tuple[str, ...], int, bool]]] = {}
        for side, texts in enumerate(sides):
            for text in texts:
                analysis = analyse(normalise(text))
                if not analysis.stems:
                    continue
                weak = not any(analysis.content)
                terms.setdefault(analysis.stems[0], []).append((analysis.stems, side, weak))
        for group in terms.values():
            group.sort(key=lambda term: -len(term[0]))  # longest term first
        self._terms = terms

    def names(self, side: int, phrase: Phrase) -> bool:
        """Whether ``phrase`` just names ``side`` (its words are one of the side's terms)."""
        if not phrase.patterns:
            return False
        words = frozenset(w for part in phrase.patterns[0] for w in part.words)
        return words in self.stems[side]

    def _term_at(self, analysis: Analysis, i: int) -> int | None:
        """The side named by a term starting at token ``i``; -1 for an ambiguous ``is``."""
        stems, segment, surfaces = analysis.stems, analysis.segment, analysis.surfaces
        ambiguous = False
        for words, side, weak in self._terms.get(stems[i], ()):
            end = i + len(words)
            if stems[i:end] != words or segment[end - 1] != segment[i]:
                continue
            if weak and not (
                _opens_clause(analysis, i)
                or (i > 0 and surfaces[i - 1] in _TERM_OPENERS)
                or end == len(stems)
                or segment[end] != segment[i]
                or surfaces[end] in _TERM_MARKERS
            ):
                ambiguous = True  # "== is for identity": that "is" is a verb, not the operator
                continue
            return side
        return -1 if ambiguous else None

    def of(self, analysis: Analysis) -> dict[int, int]:
        """Segment -> the side it is about (segments about neither side are left out)."""
        own: dict[int, int] = {}
        contrast: set[int] = set()
        segment = analysis.segment
        terms = self._terms
        unsure: set[int] = set()  # segments with a word that may or may not name a side
        for i, seg in enumerate(segment):
            if (i == 0 or segment[i - 1] != seg) and analysis.surfaces[i] in _CONTRAST_WORDS:
                contrast.add(seg)
            if seg not in own and analysis.stems[i] in terms:
                side = self._term_at(analysis, i)
                if side == -1:
                    unsure.add(seg)
                elif side is not None:
                    own[seg] = side
        result: dict[int, int] = {}
        seen: set[int] = set()
        carry: int | None = None
        sentence = -1
        for i, seg in enumerate(segment):
            if analysis.sentence[i] != sentence:
                sentence, carry = analysis.sentence[i], None
            if seg not in seen:
                seen.add(seg)
                inherit = seg not in contrast and seg not in unsure
                side = own.get(seg, carry if inherit else None)
                if side is not None:
                    result[seg] = side
            if not analysis.aside[i] and seg not in contrast:
                carry = result.get(seg)
        return result


def _opens_clause(analysis: Analysis, i: int) -> bool:
    """Whether only clause words and articles come before token ``i`` in its segment."""
    seg = analysis.segment[i]
    j = i - 1
    while j >= 0 and analysis.segment[j] == seg:
        word = analysis.surfaces[j]
        if word not in CLAUSE_WORDS and word not in _ARTICLES:
            return False
        j -= 1
    return True
