"""Korean five-digit postal codes (since 2015-08-01): the region named by the first two digits.

Source: 우정사업본부 announcement, July 2015. 00 and 64–69 are reserved; 70–99 are set aside for
the five northern provinces (이북5도), which have no region to show.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    ko: str
    en: str


_RANGES: tuple[tuple[int, int, Region], ...] = (
    (1, 9, Region("서울특별시", "Seoul")),
    (10, 20, Region("경기도", "Gyeonggi-do")),
    (21, 23, Region("인천광역시", "Incheon")),
    (24, 26, Region("강원특별자치도", "Gangwon")),
    (27, 29, Region("충청북도", "Chungcheongbuk-do")),
    (30, 30, Region("세종특별자치시", "Sejong")),
    (31, 33, Region("충청남도", "Chungcheongnam-do")),
    (34, 35, Region("대전광역시", "Daejeon")),
    (36, 40, Region("경상북도", "Gyeongsangbuk-do")),
    (41, 43, Region("대구광역시", "Daegu")),
    (44, 45, Region("울산광역시", "Ulsan")),
    (46, 49, Region("부산광역시", "Busan")),
    (50, 53, Region("경상남도", "Gyeongsangnam-do")),
    (54, 56, Region("전북특별자치도", "Jeonbuk")),
    (57, 60, Region("전라남도", "Jeollanam-do")),
    (61, 62, Region("광주광역시", "Gwangju")),
    (63, 63, Region("제주특별자치도", "Jeju")),
)


def region_for_code(code: str) -> Region | None:
    """The region of a plausible postal code (five digits), else None."""
    if len(code) != 5 or not code.isdigit():
        return None
    prefix = int(code[:2])
    for low, high, region in _RANGES:
        if low <= prefix <= high:
            return region
    return None
