"""Ed25519 signature verification (RFC 8032, section 5.1.7), in pure Python.

Why this exists: the offline verifier (verify.py) that goes into an evidence bundle must run
with nothing but Python's standard library, yet it has to check the service's Ed25519
signatures. This module is written to be pasted into that script as it is: it imports only
hashlib, does nothing at import time beyond defining constants, and every name is prefixed
(`_ed_` for helpers, `_ED_` for constants) so it cannot clash with the script's own names.

It only verifies, never signs: everything it handles is public, so it needs no constant-time
arithmetic and uses plain Python integers.

The check is the cofactorless one, [S]B == R + [k]A, done as: compute [S]B - [k]A and compare
its encoding with the 32 bytes of R. That is what OpenSSL (and so the `cryptography` package)
does, and RFC 8032 allows it. For honest signatures the cofactored check ([8][S]B ==
[8]R + [8][k]A) gives the same answer; the two differ only on signatures crafted with
small-order components.

Besides what RFC 8032 requires (32-byte key, 64-byte signature, S < L, a key that decodes to
a curve point with y < p, x == 0 only with a clear sign bit), it also rejects public keys of
small order (such as the all-zero key). No honest key has small order, and with one anybody
could make "signatures" that pass; OpenSSL does not refuse them, so here this module is the
stricter of the two.
"""

import hashlib

# The field is the integers modulo p; the group the signatures live in has prime order L.
_ED_P = 2**255 - 19
_ED_L = 2**252 + 27742317777372353535851937790883648493
# The curve -x^2 + y^2 = 1 + d x^2 y^2, with d = -121665/121666 (mod p).
_ED_D = 37095705934669439343138083508754565189542113879843219016388785533085940283555
_ED_D2 = (2 * _ED_D) % _ED_P
# A square root of -1 modulo p: 2^((p-1)/4).
_ED_SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752
# The base point B: y = 4/5, x the even ("positive") root.
_ED_BX = 15112221349535400772501151409588531511454012693041857206046113283949847762202
_ED_BY = 46316835694926478169428394003475163141307993866256225615783033603165251855960

# A point in extended homogeneous coordinates (X, Y, Z, T): x = X/Z, y = Y/Z, x*y = T/Z.
_EdPoint = tuple[int, int, int, int]

_ED_IDENTITY: _EdPoint = (0, 1, 1, 0)
_ED_BASE: _EdPoint = (_ED_BX, _ED_BY, 1, (_ED_BX * _ED_BY) % _ED_P)


def _ed_add(p1: _EdPoint, p2: _EdPoint) -> _EdPoint:
    """P1 + P2 (RFC 8032, section 5.1.4; complete for a = -1, so it also doubles)."""
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    p = _ED_P
    a = (y1 - x1) * (y2 - x2) % p
    b = (y1 + x1) * (y2 + x2) % p
    c = t1 * _ED_D2 * t2 % p
    d = z1 * 2 * z2 % p
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % p, g * h % p, f * g % p, e * h % p)


def _ed_double(p1: _EdPoint) -> _EdPoint:
    """2 * P1 (RFC 8032, section 5.1.4), cheaper than adding a point to itself."""
    x1, y1, z1, _ = p1
    p = _ED_P
    a = x1 * x1 % p
    b = y1 * y1 % p
    c = 2 * z1 * z1 % p
    h = a + b
    e = h - (x1 + y1) * (x1 + y1) % p
    g = a - b
    f = c + g
    return (e * f % p, g * h % p, f * g % p, e * h % p)


def _ed_negate(p1: _EdPoint) -> _EdPoint:
    x1, y1, z1, t1 = p1
    return ((-x1) % _ED_P, y1, z1, (-t1) % _ED_P)


def _ed_is_identity(p1: _EdPoint) -> bool:
    x1, y1, z1, _ = p1
    return x1 % _ED_P == 0 and (y1 - z1) % _ED_P == 0


def _ed_double_scalar_mult(s: int, q: _EdPoint, k: int) -> _EdPoint:
    """[s]B + [k]Q, both scalars at once (Shamir's trick): one doubling per bit."""
    both = _ed_add(_ED_BASE, q)
    result = _ED_IDENTITY
    for i in range(max(s.bit_length(), k.bit_length()) - 1, -1, -1):
        result = _ed_double(result)
        s_bit = (s >> i) & 1
        k_bit = (k >> i) & 1
        if s_bit and k_bit:
            result = _ed_add(result, both)
        elif s_bit:
            result = _ed_add(result, _ED_BASE)
        elif k_bit:
            result = _ed_add(result, q)
    return result


def _ed_encode_point(p1: _EdPoint) -> bytes:
    """The 32-byte encoding (RFC 8032, section 5.1.2): y, with x's low bit as bit 255."""
    x1, y1, z1, _ = p1
    z_inv = pow(z1, _ED_P - 2, _ED_P)
    x = x1 * z_inv % _ED_P
    y = y1 * z_inv % _ED_P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _ed_decode_point(encoded: bytes) -> _EdPoint | None:
    """The point a 32-byte encoding names (RFC 8032, section 5.1.3), or None if it names none.

    None for: a length other than 32, y >= p (a non-canonical encoding), a y with no x on the
    curve, and x == 0 with the sign bit set.
    """
    if len(encoded) != 32:
        return None
    p = _ED_P
    value = int.from_bytes(encoded, "little")
    sign = value >> 255
    y = value & ((1 << 255) - 1)
    if y >= p:
        return None
    # x^2 = u/v; candidate root x = u v^3 (u v^7)^((p-5)/8).
    u = (y * y - 1) % p
    v = (_ED_D * y * y + 1) % p
    v3 = v * v * v % p
    x = u * v3 * pow(u * v3 * v3 * v, (p - 5) // 8, p) % p
    vxx = v * x * x % p
    if vxx == u:
        pass
    elif vxx == (-u) % p:
        x = x * _ED_SQRT_M1 % p
    else:
        return None
    if x == 0 and sign == 1:
        return None
    if x & 1 != sign:
        x = p - x
    return (x, y, 1, x * y % p)


def _ed_has_small_order(p1: _EdPoint) -> bool:
    """Whether [8]P is the identity: P lies in the small subgroup (the cofactor is 8)."""
    return _ed_is_identity(_ed_double(_ed_double(_ed_double(p1))))


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether `signature` is a valid Ed25519 signature of `message` by `public_key`.

    `public_key` is the 32-byte encoded key and `signature` the 64-byte R || S, as RFC 8032
    lays them out. Returns False, never raises, for anything malformed.
    """
    if len(public_key) != 32 or len(signature) != 64:
        return False
    point_a = _ed_decode_point(public_key)
    if point_a is None or _ed_has_small_order(point_a):
        return False
    r_encoded = signature[:32]
    s = int.from_bytes(signature[32:], "little")
    if s >= _ED_L:
        return False
    digest = hashlib.sha512(r_encoded + public_key + message).digest()
    k = int.from_bytes(digest, "little") % _ED_L
    # R' = [S]B - [k]A; valid when it encodes to exactly R's bytes. A non-canonical R
    # (y >= p) therefore never matches, since an encoding made here is always canonical.
    r_check = _ed_double_scalar_mult(s, _ed_negate(point_a), k)
    return _ed_encode_point(r_check) == r_encoded
