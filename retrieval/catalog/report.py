"""What a catalog load did: rows loaded, rows skipped, and why each skip happened."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from retrieval.schema import Item


@dataclass
class RowError:
    """One rejected row, precise enough to fix the source file."""

    line: int  # 1-based line in the source file (CSV: the header is line 1)
    field: str  # the offending field, or "-" when the row as a whole is unreadable
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: field '{self.field}': {self.message}"


@dataclass
class CatalogLoad:
    """The items of a catalog plus an account of every row that was not loaded."""

    source: str  # path or name of the catalog
    items: list[Item] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.source}: loaded {len(self.items)} items, skipped {len(self.errors)} rows"
        return text + ("" if not self.errors else ":\n  " + "\n  ".join(map(str, self.errors)))

    def add_row(self, line: int, raw: dict, seen: set[str]) -> None:
        """Validate one raw row into an Item, or record why it was rejected."""
        try:
            item = Item.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                name = ".".join(str(p) for p in err["loc"]) or "-"
                self.errors.append(RowError(line, name, err["msg"]))
            return
        if item.id in seen:
            self.errors.append(RowError(line, "id", f"duplicate id {item.id!r}"))
            return
        seen.add(item.id)
        self.items.append(item)
