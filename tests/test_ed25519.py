"""The standard-library Ed25519 verifier, checked against RFC 8032 and `cryptography`."""

import hashlib
import random
import time

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from daybook.reports.bundle_verifier import _ED_L, _ED_P, _ed_decode_point, ed25519_verify

# RFC 8032, section 7.1: (secret key, public key, message, signature), all hex.
RFC8032_VECTORS = {
    "TEST 1": (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    "TEST 2": (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    "TEST 3": (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
    "TEST 1024": (
        "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
        "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
        "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98"
        "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8"
        "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
        "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc"
        "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
        "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
        "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef"
        "efd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7"
        "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
        "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
        "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
        "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
        "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc"
        "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07"
        "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
        "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a"
        "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429e"
        "c96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
        "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c"
        "42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
        "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
        "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
        "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
        "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
        "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
        "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e"
        "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
        "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5"
        "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1"
        "369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
        "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c"
        "0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0",
        "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
        "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03",
    ),
}


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def openssl_accepts(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def flip_bit(data: bytes, bit: int) -> bytes:
    changed = bytearray(data)
    changed[bit // 8] ^= 1 << (bit % 8)
    return bytes(changed)


@pytest.fixture(scope="module")
def signed() -> tuple[bytes, bytes, bytes]:
    """A valid (public key, message, signature), to be spoiled."""
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    message = b"Daybook checkpoint"
    return raw_public(key), message, key.sign(message)


# --- RFC 8032 ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", RFC8032_VECTORS)
def test_rfc8032_vector(name: str) -> None:
    secret, public, message, signature = (bytes.fromhex(h) for h in RFC8032_VECTORS[name])
    # The vector as typed here is the one OpenSSL produces, so a typo cannot hide.
    key = Ed25519PrivateKey.from_private_bytes(secret)
    assert raw_public(key) == public
    assert key.sign(message) == signature
    if name == "TEST 1024":
        assert len(message) == 1023

    assert ed25519_verify(public, message, signature)
    assert not ed25519_verify(public, message + b"\x00", signature)
    assert not ed25519_verify(public, message, flip_bit(signature, 0))


# --- Agreement with cryptography (OpenSSL) -----------------------------------------------


def test_agrees_with_cryptography_on_random_keys_and_messages() -> None:
    rng = random.Random(8032)
    for case in range(200):
        key = Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
        public = raw_public(key)
        message = rng.randbytes(rng.randint(0, 2000))
        signature = key.sign(message)
        assert ed25519_verify(public, message, signature), case

        spoilt = [(public, message, flip_bit(signature, rng.randrange(512))) for _ in range(3)]
        spoilt += [(flip_bit(public, rng.randrange(256)), message, signature) for _ in range(2)]
        if message:
            spoilt += [
                (public, flip_bit(message, rng.randrange(8 * len(message))), signature)
                for _ in range(2)
            ]
        for bad_public, bad_message, bad_signature in spoilt:
            assert not ed25519_verify(bad_public, bad_message, bad_signature), case
            assert not openssl_accepts(bad_public, bad_message, bad_signature), case


def test_every_bit_of_a_signature_matters(signed: tuple[bytes, bytes, bytes]) -> None:
    public, message, signature = signed
    assert ed25519_verify(public, message, signature)
    for bit in range(512):
        assert not ed25519_verify(public, message, flip_bit(signature, bit)), bit


# --- Malformed input ----------------------------------------------------------------------


@pytest.mark.parametrize("length", [0, 32, 63, 65, 128])
def test_rejects_a_signature_of_the_wrong_length(
    signed: tuple[bytes, bytes, bytes], length: int
) -> None:
    public, message, signature = signed
    wrong = (signature * 2)[:length]
    assert not ed25519_verify(public, message, wrong)


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_rejects_a_key_of_the_wrong_length(signed: tuple[bytes, bytes, bytes], length: int) -> None:
    public, message, signature = signed
    wrong = (public * 2)[:length]
    assert not ed25519_verify(wrong, message, signature)


def test_rejects_a_non_canonical_s(signed: tuple[bytes, bytes, bytes]) -> None:
    """S + L is the same scalar modulo L, so only the S < L check stops it (malleability)."""
    public, message, signature = signed
    s = int.from_bytes(signature[32:], "little")
    malleated = signature[:32] + (s + _ED_L).to_bytes(32, "little")
    assert not ed25519_verify(public, message, malleated)
    assert not openssl_accepts(public, message, malleated)


@pytest.mark.parametrize("offset", [0, 1, 3, 18])
def test_rejects_a_key_whose_y_is_not_below_p(
    signed: tuple[bytes, bytes, bytes], offset: int
) -> None:
    """y = p + offset reduces to a y that is (for 0, 1, 3, 18) on the curve; its encoding is not."""
    _, message, signature = signed
    assert _ed_decode_point(offset.to_bytes(32, "little")) is not None
    non_canonical = (_ED_P + offset).to_bytes(32, "little")
    assert _ed_decode_point(non_canonical) is None
    assert not ed25519_verify(non_canonical, message, signature)


def test_rejects_a_key_that_is_not_on_the_curve(signed: tuple[bytes, bytes, bytes]) -> None:
    _, message, signature = signed
    # For y = 2, x^2 = (y^2 - 1) / (d y^2 + 1) has no root: Euler's criterion says non-square.
    p = _ED_P
    d = -121665 * pow(121666, p - 2, p) % p
    y = 2
    x_squared = (y * y - 1) * pow(d * y * y + 1, p - 2, p) % p
    assert pow(x_squared, (p - 1) // 2, p) == p - 1
    for sign in (0, 1):
        off_curve = (y | sign << 255).to_bytes(32, "little")
        assert not ed25519_verify(off_curve, message, signature)


def test_rejects_x_zero_with_the_sign_bit_set() -> None:
    """y = 1 has only x = 0, so its encoding with the sign bit set names no point."""
    identity_with_sign = (1 | 1 << 255).to_bytes(32, "little")
    s_zero = (1).to_bytes(32, "little") + bytes(32)  # R = identity, S = 0
    assert _ed_decode_point(identity_with_sign) is None
    assert not ed25519_verify(identity_with_sign, b"anything", s_zero)


def test_rejects_the_identity_key_that_openssl_accepts() -> None:
    """With A the identity, R = identity and S = 0 satisfy [S]B == R + [k]A for any message."""
    identity = (1).to_bytes(32, "little")
    forged = identity + bytes(32)
    assert openssl_accepts(identity, b"I never said this", forged)
    assert not ed25519_verify(identity, b"I never said this", forged)


def test_rejects_the_all_zero_key_even_with_a_forged_signature() -> None:
    """The all-zero key is the point (sqrt(-1), 0), of order 4: signatures for it can be forged.

    With S = 0 the check is R == -[k]A, and -[k]A depends only on k mod 4; so pick R as one of
    the four multiples of A and try messages until the hash gives the matching k mod 4.
    """
    zero_key = bytes(32)
    assert _ed_decode_point(zero_key) is not None  # it is a point; it is refused for its order
    minus_multiples = {  # j: encoding of -[j]A
        0: (1).to_bytes(32, "little"),  # identity
        1: (1 << 255).to_bytes(32, "little"),  # -A = (-sqrt(-1), 0): odd x
        2: (_ED_P - 1).to_bytes(32, "little"),  # (0, -1)
        3: zero_key,  # -[3]A = A
    }
    forgery = None
    for attempt in range(100):
        message = f"forged {attempt}".encode()
        for j, r in minus_multiples.items():
            k = int.from_bytes(hashlib.sha512(r + zero_key + message).digest(), "little") % _ED_L
            if k % 4 == j:
                forgery = (message, r + bytes(32))
                break
        if forgery:
            break
    assert forgery is not None
    message, signature = forgery
    assert openssl_accepts(zero_key, message, signature)
    assert not ed25519_verify(zero_key, message, signature)


def test_never_raises_on_garbage() -> None:
    rng = random.Random(25519)
    for _ in range(300):
        public = rng.randbytes(rng.choice([0, 31, 32, 32, 32, 33]))
        signature = rng.randbytes(rng.choice([0, 63, 64, 64, 64, 65]))
        assert ed25519_verify(public, rng.randbytes(rng.randint(0, 100)), signature) is False


# --- Speed --------------------------------------------------------------------------------


def test_twenty_verifications_take_under_two_seconds() -> None:
    rng = random.Random(20)
    cases = []
    for _ in range(20):
        key = Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
        message = rng.randbytes(1000)
        cases.append((raw_public(key), message, key.sign(message)))

    start = time.perf_counter()
    results = [ed25519_verify(*case) for case in cases]
    elapsed = time.perf_counter() - start

    assert all(results)
    assert not ed25519_verify(cases[0][0], cases[1][1], cases[0][2])
    assert elapsed < 2.0, f"20 verifications took {elapsed:.2f} s"
