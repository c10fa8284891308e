"""credentials: opaque subject ids, Bitstring Status List slots, module versions studied

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

Issues 18 and 24. Adds ``certificate.subject_id`` (``urn:uuid:``, the credential's subject and
the VC-JWT ``sub``), ``certificate.course_fingerprint``, ``certificate_module`` (per module, the
content version the holder completed on) and ``status_list_slot`` (each certificate's random,
never reused position in the revocation status lists).

Backfill for certificates that exist already:

* every certificate gets a subject id and a status list slot;
* the module versions come from the holder's ``module_completion`` rows for that course
  completed no later than the certificate was issued, with the same fingerprint as
  ``leadership.certificates.studied.fingerprint`` (SHA-256 over sorted ``"slug version"`` lines,
  12 hex). Where there are none (the holder's account was erased, or the rows were never
  written) nothing is recorded: the certificate then reads "versions not recorded".
"""
import hashlib
import secrets
import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LIST_SIZE = 131_072  # leadership.certificates.statuslist.LIST_SIZE


def _fingerprint(pairs) -> str:
    lines = "\n".join(f"{slug} {version}" for slug, version in sorted(pairs))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()[:12]


def upgrade() -> None:
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_id", sa.String(length=45), nullable=True))
        batch_op.add_column(sa.Column("course_fingerprint", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_certificate_subject_id"), ["subject_id"])

    op.create_table(
        "certificate_module",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("module_slug", sa.String(length=80), nullable=False),
        sa.Column("module_title", sa.String(length=300), nullable=False),
        sa.Column("content_version", sa.String(length=40), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["certificate_id"], ["certificate.id"],
                                name=op.f("fk_certificate_module_certificate_id_certificate"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_module")),
        sa.UniqueConstraint("certificate_id", "module_slug", name="uq_certificate_module_certificate_module"),
    )
    with op.batch_alter_table("certificate_module", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_module_certificate_id"), ["certificate_id"], unique=False)

    op.create_table(
        "status_list_slot",
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.Column("allocated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["certificate_id"], ["certificate.id"],
                                name=op.f("fk_status_list_slot_certificate_id_certificate"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_status_list_slot")),
        sa.UniqueConstraint("certificate_id", name=op.f("uq_status_list_slot_certificate_id")),
    )

    _backfill(op.get_bind())


def _backfill(conn) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    certificate = sa.table("certificate", sa.column("id"), sa.column("user_id"), sa.column("course_slug"),
                           sa.column("issued_at"), sa.column("subject_id"), sa.column("course_fingerprint"))
    completion = sa.table("module_completion", sa.column("user_id"), sa.column("course_slug"),
                          sa.column("module_slug"), sa.column("content_version"), sa.column("completed_at"))
    module = sa.table("certificate_module", sa.column("certificate_id"), sa.column("position"),
                      sa.column("module_slug"), sa.column("module_title"), sa.column("content_version"),
                      sa.column("completed_at"))
    slot = sa.table("status_list_slot", sa.column("position"), sa.column("certificate_id"),
                    sa.column("allocated_at"))

    certs = conn.execute(sa.select(certificate.c.id, certificate.c.user_id, certificate.c.course_slug,
                                   certificate.c.issued_at).order_by(certificate.c.id)).all()
    done: dict[tuple, list] = {}
    for row in conn.execute(sa.select(completion).order_by(completion.c.completed_at, completion.c.module_slug)):
        done.setdefault((row.user_id, row.course_slug), []).append(row)

    taken: set[int] = set()
    slots, modules, updates = [], [], []
    for cert in certs:
        # A random free position, filling list 1 to half before list 2 (as statuslist does).
        base = (len(taken) // (LIST_SIZE // 2)) * LIST_SIZE
        position = base + secrets.randbelow(LIST_SIZE)
        while position in taken:
            position = base + secrets.randbelow(LIST_SIZE)
        taken.add(position)
        slots.append({"position": position, "certificate_id": cert.id, "allocated_at": now})

        rows = [r for r in done.get((cert.user_id, cert.course_slug), []) if r.completed_at <= cert.issued_at]
        updates.append({"cid": cert.id, "sid": f"urn:uuid:{uuid.uuid4()}",
                        "fp": _fingerprint((r.module_slug, r.content_version) for r in rows) if rows else None})
        modules += [{"certificate_id": cert.id, "position": i, "module_slug": r.module_slug, "module_title": "",
                     "content_version": r.content_version, "completed_at": r.completed_at}
                    for i, r in enumerate(rows, start=1)]
    if updates:
        conn.execute(sa.update(certificate).where(certificate.c.id == sa.bindparam("cid"))
                     .values(subject_id=sa.bindparam("sid"), course_fingerprint=sa.bindparam("fp")), updates)
    if slots:
        conn.execute(sa.insert(slot), slots)
    if modules:
        conn.execute(sa.insert(module), modules)


def downgrade() -> None:
    op.drop_table("status_list_slot")
    with op.batch_alter_table("certificate_module", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_module_certificate_id"))
    op.drop_table("certificate_module")
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_certificate_subject_id"), type_="unique")
        batch_op.drop_column("course_fingerprint")
        batch_op.drop_column("subject_id")
