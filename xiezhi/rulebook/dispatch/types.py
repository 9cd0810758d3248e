"""Plain data passed in and out of the dispatch assistant (no Django, no sklearn)."""

from __future__ import annotations

from dataclasses import dataclass, field

from xiezhi.rulebook.jurisdiction import Mode, UnitRef

NONE_CODE = "NONE"
NONE_REASON = "不属于行政执法事项，建议按服务类诉求办理"


@dataclass(frozen=True)
class Matter:
    """One enforcement matter as the catalogue states it (the columns of matters.csv)."""

    code: str
    name: str
    field: str
    legal_basis_violation: str = ""
    legal_basis_penalty: str = ""
    penalty: str = ""


@dataclass(frozen=True)
class LabelledText:
    """A complaint text with the matter an expert (or a confirmed dispatch) assigned, or NONE."""

    text: str
    matter_code: str
    id: str = ""
    source_style: str = ""
    field: str = ""  # the gold matter's field when the file states it (dispatch_dev.csv does)

    @property
    def is_none(self) -> bool:
        return self.matter_code == NONE_CODE


@dataclass(frozen=True)
class Suggestion:
    """One ranked matter. `score` is a probability-like 0..1 value, comparable across texts.

    `why` lists the complaint's own words and phrases that matched the matter, strongest first;
    a phrase shown as "排风扇→油烟" matched through the domain synonym list.
    The jurisdiction fields are filled only when the caller passes a catalogue snapshot;
    `jurisdiction_error` then carries the resolver's Chinese message if it could not decide.
    """

    matter_code: str
    matter_name: str
    field: str
    score: float
    why: tuple[str, ...] = ()
    acting_unit: UnitRef | None = None
    mode: Mode | None = None
    explanation: str | None = None
    jurisdiction_error: str | None = None


@dataclass(frozen=True)
class DispatchResult:
    """The answer to one complaint.

    `none` is True when the text asks for nothing enforceable: `reason` then says so in Chinese
    and the suggestions are still the best matters, for a clerk who disagrees.
    `none_score` is the detector's probability that the text is NONE.
    """

    none: bool
    reason: str
    suggestions: tuple[Suggestion, ...] = field(default_factory=tuple)
    none_score: float = 0.0

    @property
    def ranked_codes(self) -> list[str]:
        """Matter codes best first, with NONE in front when the text was judged NONE."""
        codes = [s.matter_code for s in self.suggestions]
        return [NONE_CODE, *codes] if self.none else codes

    @property
    def top(self) -> Suggestion | None:
        return self.suggestions[0] if self.suggestions else None
