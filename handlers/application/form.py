"""The application form of the community: the default questions, or a deployment's own.

The default form is declared here as data. ``COPBOT_APPLICATION_FORM`` names a YAML file
that replaces it (validated when the settings are read; see :mod:`bot.forms.loading`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.core.i18n import N_
from bot.forms import Choice, Form, Step
from bot.forms.loading import load_form

#: The field whose answer becomes the member's country when approved.
COUNTRY_FIELD = "country"
#: The field shown on the member card (``/member``) with the expertise.
ORGANISATION_FIELD = "organisation"
#: The field shown as the applicant's name to moderators.
NAME_FIELD = "full_name"
#: The multiple-choice field moderators filter members by (``/members expertise:...``).
EXPERTISE_FIELD = "expertise"


def _choices(*pairs: tuple[str, str], other: str | None = None) -> tuple[Choice, ...]:
    """The choices, and an "other" choice last (``other``: what it asks once chosen)."""
    listed = tuple(Choice(value=value, label=label) for value, label in pairs)
    if other is None:
        return listed
    last = listed[-1]
    return (*listed[:-1], Choice(value=last.value, label=last.label, other=other))


DEFAULT_FORM = Form(
    steps=(
        Step(
            field="full_name",
            title=N_("Full name"),
            question=N_("What is your full name?"),
            min_length=2,
            max_length=200,
        ),
        Step(field="email", title=N_("Email"), question=N_("What is your email address?"), kind="email"),
        Step(
            field=ORGANISATION_FIELD,
            title=N_("Organisation"),
            question=N_(
                "Which organisation do you work for? Write \u201cindependent\u201d if you work on your own."
            ),
            min_length=2,
            max_length=200,
        ),
        Step(
            field="position",
            title=N_("Position"),
            question=N_("What is your position or role?"),
            min_length=2,
            max_length=200,
        ),
        Step(
            field="country",
            title=N_("Country"),
            question=N_("In which country are you based? Type its name, for example Kenya."),
            kind="country",
        ),
        Step(
            field="languages",
            title=N_("Training languages"),
            question=N_("In which languages do you train?"),
            kind="multi",
            choices=_choices(
                ("en", N_("English")),
                ("es", N_("Spanish")),
                ("fr", N_("French")),
                ("ar", N_("Arabic")),
                ("pt", N_("Portuguese")),
                ("ru", N_("Russian")),
                ("zh", N_("Chinese")),
                ("other", N_("Another language")),
                other=N_("Which other language or languages do you train in?"),
            ),
        ),
        Step(
            field=EXPERTISE_FIELD,
            title=N_("Areas of expertise"),
            question=N_("What are your areas of expertise?"),
            kind="multi",
            choices=_choices(
                ("mainstreaming", N_("Gender mainstreaming")),
                ("gbv", N_("Gender-based violence")),
                ("budgeting", N_("Gender-responsive budgeting")),
                ("economic", N_("Women's economic empowerment")),
                ("peace", N_("Peace and security")),
                ("health", N_("Health")),
                ("education", N_("Education")),
                ("climate", N_("Climate and environment")),
                ("migration", N_("Migration")),
                ("governance", N_("Governance")),
                ("other", N_("Other")),
                other=N_("Which other area of expertise?"),
            ),
        ),
        Step(
            field="experience",
            title=N_("Years of experience"),
            question=N_("How many years of experience do you have as a gender trainer?"),
            kind="number",
            minimum=0,
            maximum=60,
        ),
        Step(
            field="audiences",
            title=N_("Audiences trained"),
            question=N_("Which audiences have you trained?"),
            kind="multi",
            choices=_choices(
                ("government", N_("Government officials")),
                ("civil_society", N_("Civil society organisations")),
                ("un", N_("UN and international organisations")),
                ("academia", N_("Academia and students")),
                ("private", N_("Private sector")),
                ("community", N_("Community and grassroots groups")),
                ("media", N_("Media")),
                ("security", N_("Security sector")),
                ("other", N_("Other")),
                other=N_("Which other audiences have you trained?"),
            ),
        ),
        Step(
            field="motivation",
            title=N_("Motivation"),
            question=N_("Why do you want to join the community of practice?"),
            min_length=20,
            max_length=1500,
        ),
        Step(
            field="heard_from",
            title=N_("How you heard of us"),
            question=N_("How did you hear about the community?"),
            required=False,
            max_length=300,
        ),
        Step(
            field="terms",
            title=N_("Terms of Reference"),
            question=N_("Do you accept the Terms of Reference of the community?"),
            kind="consent",
            show_document="terms",
        ),
        Step(
            field="data_consent",
            title=N_("Data processing"),
            question=N_(
                "Do you agree that we store and process the answers in this form to review your "
                "application and to run the community? You can ask us to delete them at any time."
            ),
            kind="consent",
        ),
    )
)


@cache
def application_form(path: Path | None) -> Form:
    """The form in use: the file at ``path`` if given, else :data:`DEFAULT_FORM`.

    Raises:
        bot.forms.loading.FormFileError: the file is not a valid form.
    """
    return DEFAULT_FORM if path is None else load_form(path)
