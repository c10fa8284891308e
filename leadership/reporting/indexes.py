"""Indexes the reporting queries need on tables owned by other features.

Declared here (bound to those tables) so the reporting feature owns them; imported
from ``leadership/models.py`` so the migration picks them up.
"""
import sqlalchemy as sa

from ..auth.models import User
from ..certificates.models import Certificate

# Registered learners per council (and the cohort date filter) from the index alone.
ix_user_reporting = sa.Index("ix_user_account_reporting", User.council_id, User.role, User.deleted_at,
                             User.created_at)
# Completed per council: certificates of one course grouped by council.
ix_certificate_reporting = sa.Index("ix_certificate_reporting", Certificate.course_slug, Certificate.council_id,
                                    Certificate.revoked_at)
