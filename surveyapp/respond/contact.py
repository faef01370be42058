"""Who residents can ask about a survey, and the privacy policy that applies.

Both are site settings (``CONTACT_*``, ``PRIVACY_POLICY_URL``); a survey definition may name its
own contact (``[contact]``), which then replaces the site's name, telephone, e-mail and page as a
whole (never a mix of two offices), and its own privacy policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app

from ..i18n import localized
from ..surveys.definitions import SurveyDef


@dataclass(frozen=True)
class Contact:
    name: str
    name_lang: str
    phone: str | None
    email: str | None
    url: str | None
    privacy_policy: str | None

    @property
    def reachable(self) -> bool:
        """Whether there is a way to contact someone (a name alone is not one)."""
        return bool(self.phone or self.email or self.url)

    @property
    def tel(self) -> str | None:
        """The number for a ``tel:`` link (digits and a leading +)."""
        return re.sub(r"[^0-9+]", "", self.phone) if self.phone else None


def survey_contact(defn: SurveyDef, language: str | None = None) -> Contact:
    """The contact and privacy policy for a survey's respondent pages and posters."""
    config = current_app.config
    own = defn.contact
    phone: str | None
    email: str | None
    url: str | None
    if own.name or own.phone or own.email or own.url:
        name, name_lang = localized(own.name, language) if own.name else ("", "")
        phone, email, url = own.phone or None, own.email or None, own.url or None
    else:
        name, name_lang = config.get("CONTACT_NAME") or "", "ja"
        phone, email, url = (config.get("CONTACT_PHONE"), config.get("CONTACT_EMAIL"),
                             config.get("CONTACT_URL"))
    privacy = own.privacy_policy or config.get("PRIVACY_POLICY_URL")
    return Contact(name=name, name_lang=name_lang, phone=phone, email=email, url=url,
                   privacy_policy=privacy)
