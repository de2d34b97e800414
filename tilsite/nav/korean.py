"""Korean particles after a generated title: 을/를, 이/가, 은/는, 과/와, (으)로.

A particle agrees with the sound the title ends on when read aloud, so the rule
needs the final syllable's coda (받침) of that reading:

* Hangul: the syllable's own coda (Unicode arithmetic: (code - 0xAC00) % 28).
* A trailing parenthetical, bracket or punctuation is not read before the particle:
  "합성곱 (Convolution)" -> 합성곱, "Wait a moment!" -> moment.
* Digits: the Korean (Sino-Korean) reading of the number: 3 삼, 10 십, 100 백,
  1000 천, 10000 만, 2021 이천이십일. Only the last word of it matters.
* A run of capitals (CNN, SQL, LSTM, 9M1W): read letter by letter, so the last
  letter's Korean name decides: L 엘, M 엠, N 엔, R 알; every other letter's name
  (에이, 비, 씨, ..., 더블유, 제트) has no coda.
* Any other Latin word: its Korean loanword pronunciation, from its spelling
  (the last word of a CamelCase token: PyTorch -> Torch):
  - -n -> ㄴ (Python 파이썬), -m -> ㅁ (Algorithm), -l -> ㄹ (Model), -ng -> ㅇ (Learning);
  - a silent e after l, n, m: -le ㄹ (Module), -ne ㄴ (Pipeline), -me ㅁ (Frame);
  - a short vowel and final t, p, b, k (ck), c (-ic): 받침 ㅅ, ㅂ, ㅂ, ㄱ, ㄱ
    (Dataset 데이터셋, Setup 셋업, Lab 랩, Stack 스택, Basic 베이식); also -eep/-oup ㅂ
    (Deep 딥, Group 그룹) and -ook ㄱ (Hook 훅);
  - everything else ends on a vowel: -r (Docker 도커), -s, -x, -d, -g, -e, -t after
    a consonant or a long vowel (Test 테스트, Wait 웨이트), vowels (Numpy 넘파이).
  A few words whose reading the spelling does not give are listed in _WORDS.
* Weekday and month abbreviations are read as the full word (Mon 먼데이 -> no coda).

Only "does it have a coda" and "is it ㄹ" matter: (으)로 takes 로 after ㄹ.
"""

from __future__ import annotations

import re

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
RIEUL = 8  # index of ㄹ among the 27 codas
# coda kinds: None (no coda), "ㄹ", or another coda (any non-ㄹ string)
_LETTER_CODA = {"L": "ㄹ", "M": "ㅁ", "N": "ㄴ", "R": "ㄹ"}
_DIGITS = "영일이삼사오육칠팔구"
# words whose Korean reading the spelling rules below do not give
_WORDS = {
    "hub": None,  # 허브 (GitHub 깃허브)
    "check": None,  # 체크
    "etc": None,  # 엣세트라 (read as 등 it would be ㅇ; the Latin reading is kept)
    "mon": None, "tue": None, "wed": None, "thu": None, "fri": None, "sat": None, "sun": None,
    "jan": None, "feb": None, "mar": None, "apr": "ㄹ", "jun": "ㄴ", "jul": None, "aug": None,
    "sep": None, "oct": None, "nov": None, "dec": None,
}
_VOWELS = set("aeiou")
_PARTICLES = {"을": ("을", "를"), "를": ("을", "를"), "이": ("이", "가"), "가": ("이", "가"),
              "은": ("은", "는"), "는": ("은", "는"), "과": ("과", "와"), "와": ("과", "와")}
_TRAILING = re.compile(r"(?:\s*(?:\([^()]*\)|\[[^\[\]]*\]|[\s!?.,:;·…'\"’”)\]\-_|/&*~]))+$")


def _number_coda(digits: str) -> str | None:
    """Coda of the Korean reading of a whole number (its last word: 일, 십, 백, 천, 만, 억)."""
    n = int(digits)
    if n == 0:
        return "ㅇ"  # 영
    for unit, word in ((10**8, "억"), (10**4, "만")):
        if n % unit == 0:
            return _hangul_coda(word)
    last = n % 10
    if last:
        return _hangul_coda(_DIGITS[last])
    for unit, word in ((1000, "천"), (100, "백"), (10, "십")):
        if n % unit == 0:
            return _hangul_coda(word)
    return None  # unreachable


def _hangul_coda(ch: str) -> str | None:
    index = (ord(ch) - _HANGUL_FIRST) % 28
    if index == 0:
        return None
    return "ㄹ" if index == RIEUL else "other"


def _word_coda(word: str) -> str | None:
    """Coda of the Korean loanword reading of a lower-case Latin word (see the module doc)."""
    w = word.lower()
    if w in _WORDS:
        return _WORDS[w]
    last = w[-1]
    before = w[:-1]
    short = len(w) >= 2 and w[-2] in _VOWELS and (len(w) == 2 or w[-3] not in _VOWELS)
    if w.endswith("ng"):
        return "ㅇ"
    if last == "n":
        return "ㄴ"
    if last == "m":
        return "ㅁ"
    if last == "l":
        return "ㄹ"
    if last == "e" and len(w) >= 3 and w[-2] in "lnm" and w[-3] not in "lnm":
        return {"l": "ㄹ", "n": "ㄴ", "m": "ㅁ"}[w[-2]]
    if last == "t" and short:
        return "ㅅ"
    if last == "p" and (short or before.endswith(("ee", "ou", "p"))):
        return "ㅂ"
    if last == "b" and short:
        return "ㅂ"
    if last == "k" and (before.endswith("c") or before.endswith("oo") or short):
        return "ㄱ"
    if w.endswith("ic"):
        return "ㄱ"
    return None


def final_coda(title: str) -> str | None:
    """The coda (받침) the title ends on when read aloud: None, "ㄹ" or another coda ("ㄴ", "ㅁ", ...).

    Raises ValueError for a title with nothing readable at its end.
    """
    text = _TRAILING.sub("", title.strip())
    if not text:
        text = title.strip()
    ch = text[-1] if text else ""
    if not ch:
        raise ValueError(f"no readable end in {title!r}")
    if _HANGUL_FIRST <= ord(ch) <= _HANGUL_LAST:
        return _hangul_coda(ch)
    if ch.isdigit():
        return _number_coda(re.search(r"\d+$", text)[0])
    m = re.search(r"[A-Za-z]+$", text)
    if not m:
        raise ValueError(f"no readable end in {title!r}: ends in {ch!r}")
    token = m[0]
    if token.isupper() and token.lower() in _WORDS:  # JUN, APR: read as the month
        return _WORDS[token.lower()]
    if token.isupper():  # CNN, SQL, 9M1W: letter by letter
        return _LETTER_CODA.get(token[-1])
    # CamelCase: the last word (PyTorch -> Torch, EfficientNet -> Net)
    last_word = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", token)[-1]
    if last_word.isupper():
        return _LETTER_CODA.get(last_word[-1])
    return _word_coda(last_word)


def particle(title: str, which: str) -> str:
    """The form of particle `which` that follows `title`.

    which: one form of 을/를, 이/가, 은/는, 과/와, or "으로"/"로" (either form names the pair).
    """
    coda = final_coda(title)
    if which in ("으로", "로"):
        return "로" if coda is None or coda == "ㄹ" else "으로"
    try:
        with_coda, without = _PARTICLES[which]
    except KeyError:
        raise ValueError(f"unknown particle {which!r}") from None
    return with_coda if coda is not None else without


def attach(title: str, which: str) -> str:
    """`title` followed by the agreeing form of particle `which`: attach("맛보기", "을") == "맛보기를"."""
    return title + particle(title, which)
