"""Personal data encrypted at rest: model fields that store AES ciphertext and read back text.

Two kinds, one key:
- `EncryptedCharField` (randomised, AES-256-GCM with a fresh nonce per write): the same phone
  number encrypts differently every time, so the column reveals nothing, and can be looked up
  only by emptiness (`=""`, `isnull`).
- `EncryptedCharField(deterministic=True)` (AES-SIV, RFC 5297): the same value always gives
  the same ciphertext, so exact and `in` lookups and unique constraints keep working (the
  expert import matches people by 身份证号). It reveals which rows share a value, as a blind
  index would, and nothing else.

Keys: FIELD_ENCRYPTION_KEY holds one or more comma-separated keys (each 32 random bytes,
URL-safe base64, made by `hazardloop generate_field_key`); the first encrypts, all decrypt, so
a key can be rotated by putting the new one first and running `reencrypt_personal_data`.
Each stored value names its key by a short fingerprint. Two sub-keys are derived per key with
HKDF, one per kind, and the column's name is bound in as associated data, so a ciphertext
copied into another column or row kind does not decrypt.

Stored form: "<kind>1$<fingerprint>$<base64>". A value without that shape is a plaintext row
from before encryption (the data migration encrypts them); it is read as it is. Empty strings
are stored empty, so "no number" stays distinguishable without decrypting.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

RANDOM, FIXED = "r1", "d1"
SEP = "$"


class DecryptionError(ValueError):
    """A stored value could not be decrypted with any configured key."""


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _decode_key(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY: not URL-safe base64") from exc
    if len(raw) < 32:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY: each key must hold at least 32 bytes")
    return raw


class _Key:
    def __init__(self, master: bytes):
        self.fingerprint = hashlib.sha256(b"hazardloop-field-key-id" + master).hexdigest()[:8]
        self.gcm = AESGCM(self._derive(master, b"hazardloop aes-gcm", 32))
        self.siv = AESSIV(self._derive(master, b"hazardloop aes-siv", 64))

    @staticmethod
    def _derive(master: bytes, info: bytes, length: int) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(master)


@lru_cache(maxsize=4)
def _keys_for(setting: tuple[str, ...]) -> tuple[_Key, ...]:
    if not setting:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set")
    return tuple(_Key(_decode_key(text)) for text in setting)


def keys() -> tuple[_Key, ...]:
    raw = settings.FIELD_ENCRYPTION_KEY
    setting = tuple(k for k in (raw if isinstance(raw, list | tuple) else raw.split(",")) if k.strip())
    return _keys_for(setting)


def encrypt(plaintext: str, *, context: str, deterministic: bool) -> str:
    if not plaintext:
        return ""
    key = keys()[0]
    data, aad = plaintext.encode(), context.encode()
    if deterministic:
        body, kind = key.siv.encrypt(data, [aad]), FIXED
    else:
        nonce = os.urandom(12)
        body, kind = nonce + key.gcm.encrypt(nonce, data, aad), RANDOM
    return SEP.join((kind, key.fingerprint, base64.b64encode(body).decode()))


def is_encrypted(stored: str) -> bool:
    parts = (stored or "").split(SEP)
    return len(parts) == 3 and parts[0] in (RANDOM, FIXED) and len(parts[1]) == 8


def decrypt(stored: str, *, context: str) -> str:
    if not is_encrypted(stored):
        return stored or ""
    kind, fingerprint, body = stored.split(SEP)
    raw, aad = base64.b64decode(body), context.encode()
    for key in keys():
        if key.fingerprint != fingerprint:
            continue
        try:
            if kind == FIXED:
                return key.siv.decrypt(raw, [aad]).decode()
            return key.gcm.decrypt(raw[:12], raw[12:], aad).decode()
        except InvalidTag as exc:
            raise DecryptionError(f"{context}: the value does not decrypt (tampered or moved)") from exc
    raise DecryptionError(f"{context}: no configured key has fingerprint {fingerprint}")


def needs_reencryption(stored: str) -> bool:
    """Plaintext, or encrypted under a key that is no longer the first."""
    return bool(stored) and (not is_encrypted(stored) or stored.split(SEP)[1] != keys()[0].fingerprint)


class EncryptedCharField(models.CharField):
    """A CharField whose column holds ciphertext (text, no length limit); `max_length`
    still bounds the plaintext, so forms and imports validate as before."""

    description = "Encrypted text"
    _lookups_allowed = {"exact", "in", "isnull"}

    def __init__(self, *args, deterministic: bool = False, **kwargs):
        self.deterministic = deterministic
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.deterministic:
            kwargs["deterministic"] = True
        return name, path, args, kwargs

    def db_type(self, connection):
        return connection.data_types["TextField"]

    def cast_db_type(self, connection):
        return self.db_type(connection)

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def get_lookup(self, lookup_name):
        # Substring and range lookups over ciphertext would silently find nothing.
        if lookup_name not in self._lookups_allowed:
            return None
        return super().get_lookup(lookup_name)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(value, context=self.context)

    def get_db_prep_value(self, value, connection, prepared=False):
        value = self.get_prep_value(value)
        if value is None:
            return None
        return encrypt(value, context=self.context, deterministic=self.deterministic)
