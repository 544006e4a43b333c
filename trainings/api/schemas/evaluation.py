"""Evaluation and follow-up: request and answer shapes (the services check the rules)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from .core import Bilingual, BilingualIn, Input, Instant, InstantIn, Output

Kind = Literal["feedback", "pre_test", "post_test"]
QuestionType = Literal["scale", "choice", "multi", "text"]
CommitmentStatus = Literal["not_started", "in_progress", "done", "dropped"]


class QuestionIn(Input):
    key: str | None = Field(None, examples=["q1"])
    type: QuestionType
    text: BilingualIn
    required: bool = True
    options: list[BilingualIn] = Field(default_factory=list)
    correct: list[int] | None = Field(None, description="Indexes into options (tests only)")


class SurveyIn(Input):
    title: BilingualIn
    kind: Kind = "feedback"
    session: int | None = None
    anonymous: bool = False
    required_for_certificate: bool = False
    opens_at: InstantIn | None = None
    closes_at: InstantIn | None = None
    questions: list[QuestionIn]


class QuestionOut(Output):
    key: str
    type: QuestionType
    text: Bilingual
    required: bool
    options: list[Bilingual]
    correct: list[int] | None = Field(None, description="Only for the training's organisers")


class SurveyOut(Output):
    id: int
    training: int
    title: Bilingual
    kind: Kind
    session: int | None
    anonymous: bool
    required_for_certificate: bool
    opens_at: Instant
    closes_at: Instant
    is_open: bool
    questions: list[QuestionOut]


class Surveys(Output):
    items: list[SurveyOut]


class ResponseIn(Input):
    answers: dict[str, Any] = Field(examples=[{"q1": 4, "q2": [1, 2], "q3": "text"}])


class ResponseOut(Output):
    survey: int
    answers: dict[str, Any]
    score: float | None = None


class Results(Output):
    model_config = ConfigDict(extra="allow")
    responses: int
    invited: int
    response_rate: float | None
    questions: list[dict[str, Any]]


class Queued(Output):
    queued: int


class Evaluation(Output):
    model_config = ConfigDict(extra="allow")
    knowledge: dict[str, Any]
    satisfaction: dict[str, Any]
    by_country: dict[str, Any]


class CommitmentIn(Input):
    text: str
    due: str = Field(examples=["2024-03-31"], json_schema_extra={"format": "date"})


class CommitmentsIn(Input):
    commitments: list[CommitmentIn]


class CommitmentPatch(Input):
    status: CommitmentStatus | None = None
    note: str | None = None


class HistoryItem(Output):
    status: CommitmentStatus
    note: str
    at: Instant


class CommitmentOut(Output):
    id: int
    text: str
    due: str | None
    status: CommitmentStatus
    updated_at: Instant
    history: list[HistoryItem]


class ActionPlanOut(Output):
    id: int
    training: int
    enrolment: int
    created_at: Instant
    commitments: list[CommitmentOut]


class ActionPlans(Output):
    items: list[ActionPlanOut]


class OrganiserPlanOut(ActionPlanOut):
    name: str
    country: str


class TrainingActionPlans(Output):
    items: list[OrganiserPlanOut]
    totals: dict[str, Any]
    follow_up_days: list[int]


class Report(Output):
    model_config = ConfigDict(extra="allow")
    training: dict[str, Any]
    reach: dict[str, Any]
    total: dict[str, Any]
    by_country: list[dict[str, Any]]
    by_gender: list[dict[str, Any]]
    by_disability: list[dict[str, Any]]


class ProgrammeReport(Output):
    """The training report's shape for a programme: ``programme`` instead of ``training``,
    people counted once by e-mail, plus one row per training."""
    model_config = ConfigDict(extra="allow")
    programme: dict[str, Any]
    generated_at: str
    threshold: int
    reach: dict[str, Any]
    total: dict[str, Any]
    by_country: list[dict[str, Any]]
    by_gender: list[dict[str, Any]]
    by_disability: list[dict[str, Any]]
    trainings: list[dict[str, Any]] = Field(
        description="one row per training: id, label {id, en} and the same measures")
