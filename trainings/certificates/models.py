"""Certificates, their signatories, organisation logos and the images they print.

A certificate keeps the claims it printed (``claims``: name, titles, dates, sessions,
issuers and signatories, statement) so the PDF, the verification page and the Open Badges
credential always say the same thing, whatever is edited later. A corrected re-issue
creates a new certificate that ``replaces`` the old one; the database allows one current
(not replaced) certificate per enrolment through a partial unique index (SQLite and
PostgreSQL both support ``WHERE`` on an index).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utcnow
from ..extensions import db

IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")


class CertificateAsset(db.Model):
    """An image printed on certificates (logo, signature), addressed by its SHA-256. Immutable."""

    __tablename__ = "certificate_assets"
    __table_args__ = (
        CheckConstraint("content_type IN ('image/png', 'image/jpeg', 'image/svg+xml')",
                        name="content_type_known"),
    )

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrganisationLogo(db.Model):
    """The logo an organisation prints on certificates (optional)."""

    __tablename__ = "organisation_logos"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    asset_sha256: Mapped[str] = mapped_column(ForeignKey("certificate_assets.sha256",
                                                         ondelete="RESTRICT"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation = relationship("Organisation")


class Signatory(db.Model):
    """A person who signs a training's certificates, for one of its organisations."""

    __tablename__ = "certificate_signatories"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"),
                                             index=True)
    name: Mapped[str] = mapped_column(String(200))
    role_id: Mapped[str] = mapped_column(String(200), default="")
    role_en: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    signature_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("certificate_assets.sha256", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    training = relationship("Training")


class StatusList(db.Model):
    """A W3C Bitstring Status List of one issuer and purpose (bit set = status applies).

    ``bits`` is the raw bitstring (``length`` bits, index 0 the most significant bit of the
    first byte); its signed ``BitstringStatusListCredential`` is built from it on request.
    """

    __tablename__ = "status_lists"
    __table_args__ = (
        CheckConstraint("length >= 131072", name="length_minimum"),
        CheckConstraint("purpose IN ('revocation', 'suspension')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(100), default="default")
    purpose: Mapped[str] = mapped_column(String(20), default="revocation")
    length: Mapped[int] = mapped_column(default=131072)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    used: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CertificateName(db.Model):
    """The name as a participant confirmed it for printing (any script), until issuing."""

    __tablename__ = "certificate_names"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (
        # One current certificate per enrolment; replaced ones stay as history.
        Index("uq_certificates_enrolment_current", "enrolment_id", unique=True,
              sqlite_where=text("replaced_at IS NULL"),
              postgresql_where=text("replaced_at IS NULL")),
        CheckConstraint("sessions_attended >= 0", name="sessions_attended_positive"),
        CheckConstraint("revoked_at IS NULL OR revoke_reason IS NOT NULL", name="revoke_has_reason"),
        UniqueConstraint("status_list_id", "status_index"),
        CheckConstraint("(status_list_id IS NULL) = (status_index IS NULL)",
                        name="status_entry_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"),
                                             index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"),
                                              index=True)
    # Printed on the certificate, as printed.
    name: Mapped[str] = mapped_column(String(200))
    sessions_attended: Mapped[int] = mapped_column()
    sessions_held: Mapped[int] = mapped_column()
    claims: Mapped[dict] = mapped_column(JSON, default=dict)

    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when an organiser issued it by decision (not by the attendance rule).
    issue_reason: Mapped[str | None] = mapped_column(Text)

    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL"))
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL"))
    correction_reason: Mapped[str | None] = mapped_column(Text)

    # Its entry in a Bitstring Status List (given when its credential is first built).
    status_list_id: Mapped[int | None] = mapped_column(
        ForeignKey("status_lists.id", ondelete="RESTRICT"), index=True)
    status_index: Mapped[int | None] = mapped_column()

    training = relationship("Training")
    enrolment = relationship("Enrolment")
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    replaced_by: Mapped[Certificate | None] = relationship(
        foreign_keys=[replaced_by_id], remote_side=[id], post_update=True)
    replaces: Mapped[Certificate | None] = relationship(
        foreign_keys=[replaces_id], remote_side=[id], post_update=True)

    @property
    def status(self) -> str:
        if self.replaced_at is not None:
            return "replaced"
        if self.revoked_at is not None:
            return "revoked"
        return "valid"

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"
