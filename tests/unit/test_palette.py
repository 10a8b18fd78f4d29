"""The region palette survives colour-vision deficiencies: CIEDE2000 ≥ 15 for every pair, simulated or not."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from colorspacious import cspace_convert

from kdefense.settings import REGION_COLOURS, REGIONS

MIN_DELTA_E = 15.0
DEFICIENCIES = (None, "protanomaly", "deuteranomaly", "tritanomaly")  # severity 100 = protanopia etc.


def ciede2000(lab1, lab2) -> float:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005), kL = kC = kH = 1."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dlp, dcp = l2 - l1, c2p - c1p
    dhp = 0.0
    if c1p * c2p:
        dhp = h2p - h1p
        dhp = dhp - 360 if dhp > 180 else dhp + 360 if dhp < -180 else dhp
    dhp_big = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp / 2))
    lbp, cbp = (l1 + l2) / 2, (c1p + c2p) / 2
    if not c1p * c2p:
        hbp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbp = (h1p + h2p) / 2
    else:
        hbp = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hbp - 30)) + 0.24 * math.cos(math.radians(2 * hbp))
         + 0.32 * math.cos(math.radians(3 * hbp + 6)) - 0.20 * math.cos(math.radians(4 * hbp - 63)))
    d_theta = 30 * math.exp(-(((hbp - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cbp**7 / (cbp**7 + 25**7))
    sl = 1 + 0.015 * (lbp - 50) ** 2 / math.sqrt(20 + (lbp - 50) ** 2)
    sc, sh = 1 + 0.045 * cbp, 1 + 0.015 * cbp * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    return math.sqrt((dlp / sl) ** 2 + (dcp / sc) ** 2 + (dhp_big / sh) ** 2 + rt * (dcp / sc) * (dhp_big / sh))


def lab(hex_colour: str, deficiency: str | None) -> np.ndarray:
    rgb = np.array([int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)])
    if deficiency:
        cvd = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
        rgb = np.clip(cspace_convert(rgb, cvd, "sRGB1"), 0, 1)
    return cspace_convert(rgb, "sRGB1", "CIELab")


# Sharma, Wu & Dalal (2005), table 1: pairs 1, 7, 17, 25 and 34 with their published ΔE00.
SHARMA = [((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
          ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
          ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
          ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
          ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373)]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA)
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def palette_minimum(colours: dict[str, str], deficiency: str | None) -> tuple[float, str, str]:
    return min((ciede2000(lab(colours[a], deficiency), lab(colours[b], deficiency)), a, b)
               for a, b in itertools.combinations(colours, 2))


def test_every_region_has_a_colour():
    assert set(REGION_COLOURS) == set(REGIONS)
    assert len(set(REGION_COLOURS.values())) == len(REGIONS)


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
def test_region_colours_stay_apart_under_colour_vision_deficiency(deficiency):
    delta, a, b = palette_minimum(REGION_COLOURS, deficiency)
    assert delta >= MIN_DELTA_E, f"{a} and {b}: ΔE2000 {delta:.1f} under {deficiency or 'normal vision'}"


def test_the_check_catches_the_old_palette():
    """The palette before issue 16: Europe and Americas merge under protanopia (ΔE2000 ≈ 1.5)."""
    old = {"Europe": "#2f6db5", "Middle East": "#d9822b", "Asia & Oceania": "#2e9e6a", "Americas": "#8e5bb5",
           "Africa": "#b5473a"}
    delta, a, b = palette_minimum(old, "protanomaly")
    assert delta < 2 and {a, b} == {"Europe", "Americas"}
