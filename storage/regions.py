"""The world regions of the UN M49 standard, for countries given as ISO 3166-1 alpha-2.

The mapping lives in ``m49_regions.csv`` next to this module (country, M49 region code,
English name), taken from the UN Statistics Division's M49 table: Africa (002),
Americas (019), Asia (142), Europe (150) and Oceania (009). Antarctica belongs to none.

Regions are identified by their M49 code because CLDR names those codes too: Babel's
``Locale(locale).territories["019"]`` is "Americas", "Amériques", "América", so the
data file needs no translation.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from bot.core.cldr import territory_names

#: The five M49 regions, in the order the bot lists them when counts tie.
REGIONS = ("002", "019", "142", "150", "009")


@cache
def region_of_country() -> dict[str, str]:
    """Every ISO alpha-2 country code (upper case) mapped to its M49 region code."""
    source = resources.files("storage").joinpath("m49_regions.csv").read_text(encoding="utf-8")
    return {row["country"]: row["region"] for row in csv.DictReader(source.splitlines())}


def region_of(country: str | None) -> str | None:
    """The M49 region code of ``country`` (ISO alpha-2, any case), or ``None``."""
    if not country:
        return None
    return region_of_country().get(country.upper())


def territory_name(code: str, locale: str) -> str:
    """A country's or region's name in ``locale`` (CLDR, through Babel); the code if unknown."""
    return territory_names(locale).get(code, code)


#: Region names accepted in filters (``region:africa``), with their M49 codes.
REGION_NAMES = {"africa": "002", "americas": "019", "asia": "142", "europe": "150", "oceania": "009"}


def countries_in(region: str) -> frozenset[str]:
    """The countries of a region named in English (``africa``) or by M49 code (``002``)."""
    code = REGION_NAMES.get(region.lower(), region)
    return frozenset(country for country, of in region_of_country().items() if of == code)
