"""ISO 3166-1 alpha-2 country codes, and which of them the registration card rules treat specially.

Codes only: Django ships no translated country names and the project has no country
package; the card shows the code (``PL``, ``DE``, ``UA``), which is what the police
export needs anyway.
"""

from __future__ import annotations

COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW
    BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI
    FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN
    IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
    MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF
    PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK
    YE YT ZA ZM ZW
    """.split()  # noqa: SIM905 - one code per word reads better than 250 quoted strings
)

# Citizens of these countries may travel to Poland on a national identity card instead of a passport
# (EU, the rest of the EEA, and Switzerland).
ID_CARD_COUNTRIES = frozenset(
    """
    AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK
    IS LI NO CH
    """.split()  # noqa: SIM905 - one code per word reads better than 250 quoted strings
)

HOME_COUNTRY = "PL"


def normalise_country(value: str) -> str:
    return (value or "").strip().upper()


def is_country(value: str) -> bool:
    return normalise_country(value) in COUNTRY_CODES
