"""libs/pqc's canonical JSON, reproduced exactly for what a subscriber receives.

The TypeScript services sign ``canonicalJson(JSON.parse(body))``: object members sorted by UTF-16
code units, no whitespace, strings and numbers written as ``JSON.stringify`` writes them
(ECMAScript shortest round-trip numbers, RFC 8785's choice). Python's ``json`` parses the same
grammar into ``str`` (which keeps an unpaired surrogate such as ``"\\ud800"``, as a JavaScript
string does), ``int`` and ``float``; this module writes those back as JavaScript would.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

UTF8_BOM = b"\xef\xbb\xbf"
# Every JavaScript number is a double: integers beyond 2**53 are rounded by JSON.parse.
_EXACT_INTEGER = 2**53
# Quote, backslash, C0 controls and surrogates need escaping; anything else is written as it is.
_NEEDS_ESCAPE = re.compile("[\"\\\\\x00-\x1f\ud800-\udfff]")
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class CanonicalJsonError(ValueError):
    """A value canonicalJson refuses (a number that is not a finite double)."""


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def parse_body(body: bytes) -> Any:
    """Reads a message body as the TypeScript consumers do: TextDecoder (which drops a leading
    BOM), then JSON.parse (which knows no NaN or Infinity). Bodies that are not valid UTF-8 are
    refused (UnicodeDecodeError): mapek's publishers always send valid UTF-8."""
    if body.startswith(UTF8_BOM):
        body = body[len(UTF8_BOM):]
    return json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)


def canonical_json(value: Any) -> str:
    """The canonical text of a parsed JSON value; raises CanonicalJsonError like libs/pqc."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return ecma_number(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical_json(item) for item in value) + "]"
    if isinstance(value, dict):
        members = sorted(value.items(), key=lambda member: utf16_code_units(member[0]))
        return "{" + ",".join(quote(key) + ":" + canonical_json(item) for key, item in members) + "}"
    raise CanonicalJsonError(f"{type(value).__name__} has no JSON form")


def utf16_code_units(text: str) -> bytes:
    """A sort key in UTF-16 code-unit order (Array.prototype.sort's), not code-point order."""
    return text.encode("utf-16-be", "surrogatepass")


def quote(text: str) -> str:
    """A JSON string as JSON.stringify (ES2019, well-formed) writes it."""
    if not _NEEDS_ESCAPE.search(text):
        return f'"{text}"'
    out = ['"']
    i = 0
    while i < len(text):
        char = text[i]
        code = ord(char)
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif code < 0x20:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDBFF and i + 1 < len(text) and 0xDC00 <= ord(text[i + 1]) <= 0xDFFF:
            # A surrogate pair held as two code points is one character to JavaScript.
            out.append(chr(0x10000 + ((code - 0xD800) << 10) + (ord(text[i + 1]) - 0xDC00)))
            i += 1
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
        i += 1
    out.append('"')
    return "".join(out)


def ecma_number(value: int | float) -> str:
    """ECMAScript's Number::toString for the double JSON.parse makes of a JSON number."""
    if isinstance(value, int):
        if abs(value) <= _EXACT_INTEGER:
            return str(value)
        try:
            value = float(value)  # rounded to nearest, as JSON.parse rounds the literal
        except OverflowError as error:
            raise CanonicalJsonError("non-finite number") from error
    if not math.isfinite(value):
        raise CanonicalJsonError("non-finite number")
    if value == 0:
        return "0"  # -0 too
    if value < 0:
        return "-" + ecma_number(-value)
    # repr gives the shortest digits that read back as the same double, as ECMAScript requires.
    mantissa, _, exponent = repr(value).partition("e")
    whole, _, fraction = mantissa.partition(".")
    significant = (whole + fraction).lstrip("0")
    digits = significant.rstrip("0")
    k = len(digits)
    n = int(exponent or 0) - len(fraction) + (len(significant) - k) + k  # value = 0.digits × 10**n
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    e = n - 1
    sign = "+" if e >= 0 else "-"
    if k == 1:
        return f"{digits}e{sign}{abs(e)}"
    return f"{digits[0]}.{digits[1:]}e{sign}{abs(e)}"
