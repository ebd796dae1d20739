"""Personal data (个人信息保护法): the ID number's check digit, masks, and the owner key derived from an ID number.

The registry never keeps an owner's ID number: it keeps the masked form (first 6 and last 4, the
form people may be shown) and a key derived from the number with the city's secret, so two units
of one owner share a key (山东 Art. 25: an owner counts once) without the number being stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re

# GB 11643-1999 公民身份号码: 17 digits and a check digit (ISO 7064 MOD 11-2).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_FORM = re.compile(r"^\d{17}[\dX]$")
# GB 32100-2015 统一社会信用代码: 17 characters of the code set and a check character (MOD 31).
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_FORM = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
_PHONE_FORM = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")


def id_number_check_digit(first17: str) -> str:
    """The GB 11643 check digit of the first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_number_problem(value: str) -> str | None:
    """Why ``value`` is not a citizen's ID number (in Chinese), or None."""
    if not _ID_FORM.match(value):
        return "身份证号码应为18位（最后一位可为X）"
    if id_number_check_digit(value[:17]) != value[17]:
        return "身份证号码校验位错误（GB 11643）"
    return None


def uscc_problem(value: str) -> str | None:
    """Why ``value`` is not a unified social credit code (in Chinese), or None."""
    if not _USCC_FORM.match(value):
        return "统一社会信用代码应为18位数字或大写字母"
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(value[:17], _USCC_WEIGHTS, strict=True))
    if _USCC_CHARS[(31 - total % 31) % 31] != value[17]:
        return "统一社会信用代码校验位错误（GB 32100）"
    return None


def phone_problem(value: str) -> str | None:
    return None if _PHONE_FORM.match(value) else "电话号码格式不符（11位手机号或带区号的固定电话）"


def mask_id_number(value: str) -> str:
    """First 6 and last 4 shown, the rest starred: the form an ID number may be shown in."""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str) -> str:
    """First 3 and last 4 shown."""
    digits = value.replace("-", "")
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:] if len(digits) > 7 else "*" * len(digits)


IMPORTED_KEY_PREFIX = "o-"


def owner_key_of(identifier: str, secret: str) -> str:
    """The owner key of an ID number or credit code: keyed, so the number cannot be found from the key."""
    return IMPORTED_KEY_PREFIX + hmac.new(secret.encode(), identifier.encode(), hashlib.sha256).hexdigest()[:32]


def subject_owner_key(subject: str, bound_key: str | None, *, bound: bool) -> str | None:
    """The owner key a signed-in subject acts as, or None (it owns nothing).

    A binding decides when there is one (an unbound one: nothing). Without one, the subject is its
    own key, as the demo city and its tests record owners; but a key derived from an ID number
    (``o-…``) is reached only through a binding, whatever a subject is called.
    """
    if bound:
        return bound_key
    return None if subject.startswith(IMPORTED_KEY_PREFIX) else subject


ID_NUMBER_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def redact_id_numbers(text: str) -> str:
    """``text`` with every 18-character ID-number-shaped run masked (for log lines)."""
    return ID_NUMBER_PATTERN.sub(lambda m: mask_id_number(m.group(0).upper()), text)
