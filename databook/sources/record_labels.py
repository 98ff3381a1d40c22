"""Published labels of the 転入元・転出先 and 町丁 values of register records.

A record-level export may hold anything in these columns: a municipality, a
whole address, or a name or birth date when a column was mapped wrongly. A
value is published only as a label that cannot carry personal details:

- 転入元・転出先 becomes a municipality, a prefecture or 国外, all taken from
  the municipality master list (a value that starts with a municipality name is
  cut to it). Any other value becomes `OTHER`.
- 町丁 is cut before its house number (番地, 番, 号, digits after 丁目,
  1-2-3) and rejected when it looks like a date, contains Latin letters or
  ends in a number.

The value itself never leaves this module except as such a label.
"""

from __future__ import annotations

import re

from databook.sources.codes import (
    Municipality,
    MunicipalityMaster,
    check_digit,
    plain_text,
)

OTHER = "その他・不明"
"""Label of every value that resolves to no published label, and of blanks."""
ABROAD = "国外"
ABROAD_WORDS = ("国外", "海外", "外国")

NUMERAL = "0-9〇一二三四五六七八九十百千"
HOUSE_NUMBER = re.compile(
    # 14番地, 14番 (not 三番町, a 町名), 14号, 1-2, 1の2 and 1/2: the number
    # and everything after it are cut.
    rf"[{NUMERAL}]+(?:番地|番(?![町丁])|号|[-‐−―ー/の](?=[{NUMERAL}]))"
    # 番地 without a number, and a slash (1940/1/1).
    r"|番地|/"
)
DATE_TEXT = re.compile(
    rf"(?:明治|大正|昭和|平成|令和)[{NUMERAL}元]+年"
    rf"|[{NUMERAL}]+年[{NUMERAL}]+月|[{NUMERAL}]+月[{NUMERAL}]+日"
)
TRAILING_SEPARATORS = "-‐−―・,、の"


class PlaceLabels:
    """Turns 転入元・転出先 and 町丁 values into labels safe to publish."""

    def __init__(self, master: MunicipalityMaster, home: Municipality | None) -> None:
        self.master = master
        self.home = home
        self._municipalities: dict[str, str | None] = {}
        self._districts: dict[str, str | None] = {}

    def municipality(self, text: str) -> str | None:
        """Return the label of a 転入元・転出先 value, or None if it resolves to none.

        A label is 国外, a prefecture alone, or a municipality as the master
        list spells it. A municipality outside the book's own prefecture gets
        its prefecture too (東京都新宿区, but 小田原市). A name that several
        prefectures have (府中市) resolves only when one of them is the book's
        own prefecture.
        """
        if text not in self._municipalities:
            self._municipalities[text] = self._resolve_municipality(text)
        return self._municipalities[text]

    def district(self, text: str) -> str | None:
        """Return the 町丁 label of a value, or None if it cannot be one.

        The book's own prefecture and municipality are dropped from the start
        (神奈川県足柄下郡真鶴町岩 is 岩) and the value is cut before its house
        number (本町一丁目2番3号 is 本町一丁目).
        """
        if text not in self._districts:
            self._districts[text] = self._resolve_district(text)
        return self._districts[text]

    def _resolve_municipality(self, text: str) -> str | None:
        plain = plain_text(text)
        if plain.startswith(ABROAD_WORDS):
            return ABROAD
        coded = self._by_code(plain)
        if coded is not None:
            return self._label(coded)
        match = self.master.match_start(plain)
        found = list(match.municipalities)
        if len(found) > 1 and self.home is not None:
            found = [m for m in found if m.prefecture == self.home.prefecture]
        if len(found) == 1:
            return self._label(found[0])
        if found:
            return None
        if match.prefecture is not None:
            return match.prefecture
        if self.home is not None:
            # A 政令市 ward named alone (中区) resolves within the prefecture.
            wards = self.master.find_by_name(self.home.prefecture, plain)
            if len(wards) == 1:
                return self._label(wards[0])
        return None

    def _by_code(self, plain: str) -> Municipality | None:
        """Return the municipality of a five- or six-digit area code."""
        if not (plain.isascii() and plain.isdigit() and len(plain) in (5, 6)):
            return None
        if len(plain) == 6 and plain[5] != check_digit(plain[:5]):
            return None
        return self.master.get(plain[:5])

    def _label(self, municipality: Municipality) -> str:
        if self.home is not None and municipality.prefecture == self.home.prefecture:
            return municipality.name.replace(" ", "")
        return municipality.full_name

    def _resolve_district(self, text: str) -> str | None:
        plain = self._without_home(plain_text(text))
        cut = len(plain)
        chome = plain.find("丁目")
        if chome >= 0:
            cut = chome + len("丁目")
        number = HOUSE_NUMBER.search(plain)
        if number is not None:
            cut = min(cut, number.start())
        label = plain[:cut].rstrip(TRAILING_SEPARATORS)
        if not label or DATE_TEXT.search(label) or re.search(r"[A-Za-z@]", label):
            return None
        # A number at the end (岩244) is a lot number or a count added to a
        # name, because a 町丁 ends in a word or in 丁目.
        if label[-1].isdecimal() or not re.search(rf"[^{NUMERAL}\W]", label):
            return None
        return label

    def _without_home(self, plain: str) -> str:
        """Drop the book's prefecture and municipality written before the 町丁."""
        if self.home is None:
            return plain
        match = self.master.match_start(plain)
        if match.municipalities == (self.home,):
            return match.rest
        if match.prefecture == plain_text(self.home.prefecture):
            return plain if match.municipalities else match.rest
        # An address with something before the municipality (a postcode or a
        # misspelt prefecture): the 町丁 follows the municipality's name.
        name = plain_text(self.home.name)
        end = plain.rfind(name) + len(name)
        if end >= len(name) and end < len(plain):
            return plain[end:]
        return plain
