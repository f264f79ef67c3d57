"""Every table of the domain in one import, for Alembic (`migrations/env.py`).

Code imports a table from its concept (`navigator.domain.programs.models`). The migrations
name `navigator.domain.models.UTCDateTime` in their column types, so it stays importable
from here.
"""

from navigator.domain.accounts import models as accounts
from navigator.domain.certificates import models as certificates
from navigator.domain.culture import models as culture
from navigator.domain.disputes import models as disputes
from navigator.domain.enrollment import models as enrollment
from navigator.domain.funding import models as funding
from navigator.domain.municipalities import models as municipalities
from navigator.domain.notifications import models as notifications
from navigator.domain.programs import models as programs
from navigator.domain.providers import models as providers
from navigator.domain.shared import models as shared
from navigator.domain.shared.models import UTCDateTime

CONCEPTS = (
    accounts,
    certificates,
    culture,
    disputes,
    enrollment,
    funding,
    municipalities,
    notifications,
    programs,
    providers,
    shared,
)

__all__ = ["CONCEPTS", "UTCDateTime"]
