"""Value types shared by retrieval, the agent, the UI and evaluation.

An `Item` is domain-neutral: movies are the demo, but any catalog with a title and some text fits.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator

_YEAR_IN_TITLE = re.compile(r"\s*\((\d{4})\)\s*$")


class Item(BaseModel):
    """One catalog entry, as loaded from any source."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, description="Stable identifier, unique in the catalog.")
    title: str = Field(min_length=1, description="Display title, without the year.")
    text: str = Field(default="", description="Free text: description, plot, synopsis.")
    year: int | None = Field(default=None, ge=1800, le=2100)
    genres: list[str] = Field(default_factory=list, description="Lower-case genre names.")
    people: dict[str, list[str]] = Field(
        default_factory=dict, description="Role -> names, e.g. {'director': [...], 'star': [...]}."
    )
    attributes: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Any extra key/values of the source."
    )
    popularity: float | None = Field(
        default=None,
        ge=0.0,
        description="Prior popularity (e.g. ratings or mentions); None when unknown, as for an "
        "item just added: ranking then treats it like a typical item instead of an unpopular one.",
    )

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("title is blank")
        return value.strip()

    @field_validator("genres")
    @classmethod
    def _normalise_genres(cls, value: list[str]) -> list[str]:
        return sorted({g.strip().lower() for g in value if g.strip()})

    @property
    def display_title(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    def document(self) -> str:
        """The text that is embedded and shown to the reranker: title, facts, then free text."""
        parts = [self.display_title]
        if self.genres:
            parts.append("Genres: " + ", ".join(self.genres) + ".")
        for role, names in self.people.items():
            if names:
                parts.append(f"{role.capitalize()}: {', '.join(names[:3])}.")
        if self.text:
            parts.append(self.text)
        return " ".join(parts)

    def fingerprint(self) -> str:
        """Changes whenever any field changes, popularity included: every one of them is read by
        ranking or explanations, so a corrected row must reach the index (incremental indexing)."""
        return _digest(self.model_dump())

    def content_fingerprint(self) -> str:
        """Changes whenever anything but popularity changes: what stored vectors depend on, so a
        new popularity updates the row without embedding it again. (The same digest that
        `fingerprint` was before it covered popularity, so stored vectors keep their keys.)"""
        return _digest(self.model_dump(exclude={"popularity"}))


def _digest(fields: dict) -> str:
    return hashlib.sha1(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


def split_title_year(name: str) -> tuple[str, int | None]:
    """'Alien (1979)' -> ('Alien', 1979); names without a year come back unchanged."""
    match = _YEAR_IN_TITLE.search(name)
    if not match:
        return " ".join(name.split()), None
    return " ".join(name[: match.start()].split()), int(match.group(1))


class AttributeLimits(BaseModel):
    """Hard limits on an item's own attributes and people, for catalogs that have them ("rated
    above 4.2", "a standalone", "by Brandon Sanderson"). Every field empty: no limit."""

    model_config = ConfigDict(extra="forbid")

    minimum: dict[str, float] = Field(default_factory=dict, description="Attribute -> lowest.")
    maximum: dict[str, float] = Field(default_factory=dict, description="Attribute -> highest.")
    present: list[str] = Field(default_factory=list, description="Attributes an item must have.")
    absent: list[str] = Field(default_factory=list, description="Attributes it must not have.")
    one_of: dict[str, list[str]] = Field(
        default_factory=dict, description="Attribute -> the values accepted (series_name)."
    )
    none_of: dict[str, list[str]] = Field(
        default_factory=dict, description="Attribute -> values refused."
    )
    people: list[str] = Field(default_factory=list, description="Item credits any of these.")
    not_people: list[str] = Field(default_factory=list, description="Item credits none of these.")

    def is_empty(self) -> bool:
        return not any(self.model_dump().values())

    def accepts(self, item: Item) -> bool:
        values = item.attributes
        credited = {name for names in item.people.values() for name in names}
        return (
            all(_number(values.get(k), -math.inf) >= v for k, v in self.minimum.items())
            and all(_number(values.get(k), math.inf) <= v for k, v in self.maximum.items())
            and all(values.get(k) not in (None, "") for k in self.present)
            and all(values.get(k) in (None, "") for k in self.absent)
            and all(values.get(k) in accepted for k, accepted in self.one_of.items())
            and not any(values.get(k) in refused for k, refused in self.none_of.items())
            and (not self.people or bool(credited & set(self.people)))
            and not credited & set(self.not_people)
        )

    def merged(self, newer: AttributeLimits) -> AttributeLimits:
        """These limits with `newer` said after them: a newer value of a key replaces the older,
        and "a series" lifts "a standalone" (and the other way round)."""
        present = [k for k in self.present if k not in newer.absent]
        absent = [k for k in self.absent if k not in newer.present]
        return AttributeLimits(
            minimum={**self.minimum, **newer.minimum},
            maximum={**self.maximum, **newer.maximum},
            present=list(dict.fromkeys(present + newer.present)),
            absent=list(dict.fromkeys(absent + newer.absent)),
            one_of=_values(self.one_of, newer.one_of, newer.none_of),
            none_of=_values(self.none_of, newer.none_of, newer.one_of),
            people=newer.people or [p for p in self.people if p not in newer.not_people],
            not_people=list(
                dict.fromkeys(
                    [p for p in self.not_people if p not in newer.people] + newer.not_people
                )
            ),
        )


def _values(
    older: dict[str, list[str]], newer: dict[str, list[str]], lifted: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Per attribute, the newer values, else the older ones less those the newer limits lift
    ("a different series" lifts "the same series")."""
    merged = {k: [v for v in values if v not in lifted.get(k, [])] for k, values in older.items()}
    merged.update(newer)
    return {k: values for k, values in merged.items() if values}


def _number(value: object, missing: float) -> float:
    """A numeric attribute; `missing` (an infinity that fails the limit) for none or text: an
    item without a rating does not pass "rated above 4": nothing says it does."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return missing
    return float(value)


class ItemFilter(BaseModel):
    """Hard constraints on what may be recommended."""

    model_config = ConfigDict(extra="forbid")

    include_genres: list[str] = Field(default_factory=list, description="Item has any of these.")
    exclude_genres: list[str] = Field(default_factory=list, description="Item has none of these.")
    year_min: int | None = None
    year_max: int | None = None
    exclude_ids: list[str] = Field(default_factory=list)
    exclude_text_terms: list[str] = Field(
        default_factory=list,
        description="Item's title and text carry none of these words; "
        "'kill*' matches any ending (killer, killing). Genre labels miss what plots say.",
    )
    limits: AttributeLimits = Field(default_factory=AttributeLimits)

    def accepts(self, item: Item) -> bool:
        genres = set(item.genres)
        if self.include_genres and not genres & set(self.include_genres):
            return False
        if genres & set(self.exclude_genres):
            return False
        if self.year_min is not None and (item.year is None or item.year < self.year_min):
            return False
        if self.year_max is not None and (item.year is None or item.year > self.year_max):
            return False
        if self.exclude_text_terms and self.text_match(item):
            return False
        if not self.limits.is_empty() and not self.limits.accepts(item):
            return False
        return item.id not in self.exclude_ids

    def text_match(self, item: Item) -> str | None:
        """The first excluded term found in the item's title or text, as written there."""
        if not self.exclude_text_terms:
            return None
        match = _terms_pattern(tuple(self.exclude_text_terms)).search(f"{item.title} {item.text}")
        return match.group(0) if match else None


@lru_cache(maxsize=64)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern:
    alternatives = [re.escape(t.rstrip("*")) + (r"\w*" if t.endswith("*") else "") for t in terms]
    return re.compile(rf"\b(?:{'|'.join(alternatives)})\b", re.IGNORECASE)


class Candidate(BaseModel):
    """An item with the scores the pipeline gave it."""

    model_config = ConfigDict(extra="forbid")

    item: Item
    score: float = Field(description="Final score used for ordering; higher is better.")
    retrieval_score: float = Field(default=0.0, description="Cosine similarity from the index.")
    rerank_score: float | None = Field(default=None, description="Cross-encoder score, if run.")


class RetrievalQuery(BaseModel):
    """What the agent asks retrieval for: built from the dialogue state, not one utterance."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", description="Free-text wishes, genres and people, as words.")
    dialogue: list[str] = Field(
        default_factory=list, description="Recent utterances of both speakers, oldest first."
    )
    positive_ids: list[str] = Field(default_factory=list, description="Liked items, oldest first.")
    negative_ids: list[str] = Field(default_factory=list, description="Rejected items.")
    liked_genres: list[str] = Field(default_factory=list)
    liked_people: list[str] = Field(default_factory=list)
    filter: ItemFilter = Field(default_factory=ItemFilter)
    k: int = Field(default=5, ge=1, le=500)
    diversity: float = Field(default=0.0, ge=0.0, le=1.0, description="MMR trade-off; 0 = none.")
