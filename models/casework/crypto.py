"""Field encryption for confidential columns (case notes, risk grades). The key lives outside the database."""

from __future__ import annotations

import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class FieldCipher:
    """Encrypts and decrypts single fields with Fernet (AES-128-CBC + HMAC-SHA256), with key rotation.

    The first key encrypts; every key may decrypt. ``key_id`` names the encrypting key without revealing it.
    """

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernets = [Fernet(k) for k in keys]
        self._multi = MultiFernet(self._fernets)
        self.key_id = hashlib.sha256(keys[0]).hexdigest()[:12]

    @staticmethod
    def generate_key() -> bytes:
        """A new random key (url-safe base64, 32 bytes of entropy)."""
        return Fernet.generate_key()

    def encrypt(self, plaintext: str) -> bytes:
        """Ciphertext for ``plaintext`` (UTF-8)."""
        return self._multi.encrypt(plaintext.encode("utf-8"))

    def decrypt(self, ciphertext: bytes) -> str:
        """The plaintext; raises ``ValueError`` if the data was tampered with or the key is unknown."""
        try:
            return self._multi.decrypt(ciphertext).decode("utf-8")
        except InvalidToken as exc:
            raise ValueError("ciphertext cannot be decrypted with the configured keys") from exc
