//! A trustee's passphrase-encrypted key file: versioned JSON holding the Argon2id parameters
//! and salt, the XChaCha20-Poly1305 nonce and the ciphertext of the trustee's secrets.

use crate::dkg::{IdentitySecret, TrusteeKey};
use crate::encoding::{Transcript, hex_bytes, tags};
use crate::error::{Error, Result};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The only key file version this crate writes and reads.
pub const KEY_FILE_VERSION: u32 = 1;
/// Largest Argon2 memory accepted when reading (KiB): 1 GiB.
pub const MAX_MEMORY_KIB: u32 = 1 << 20;
/// Largest Argon2 pass count accepted when reading.
pub const MAX_PASSES: u32 = 64;

/// What a trustee keeps secret between the ceremony and the tally.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrusteeSecrets {
    /// The setup fingerprint (hex) of the election these secrets belong to.
    #[serde(with = "crate::encoding::hex32")]
    pub setup_fingerprint: [u8; 32],
    /// The identity key, for receiving shares.
    pub identity: IdentitySecret,
    /// The final key share, once the ceremony is over.
    pub key: Option<TrusteeKey>,
}

/// Argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub passes: u32,
    /// Degree of parallelism.
    pub lanes: u32,
}

impl KdfParams {
    /// The default for real key files: 64 MiB, 3 passes, 1 lane.
    pub const DEFAULT: Self = Self {
        memory_kib: 64 * 1024,
        passes: 3,
        lanes: 1,
    };
}

/// The key file as written to disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFile {
    /// Always [`KEY_FILE_VERSION`].
    pub version: u32,
    /// Always `"argon2id"` (version 0x13).
    pub kdf: String,
    /// Argon2id costs.
    pub kdf_params: KdfParams,
    /// 16 random bytes.
    #[serde(with = "hex_bytes")]
    pub salt: Vec<u8>,
    /// Always `"xchacha20poly1305"`.
    pub cipher: String,
    /// 24 random bytes.
    #[serde(with = "hex_bytes")]
    pub nonce: Vec<u8>,
    /// The JSON of [`TrusteeSecrets`], encrypted, with its 16-byte tag.
    #[serde(with = "hex_bytes")]
    pub ciphertext: Vec<u8>,
}

fn derive(passphrase: &[u8], salt: &[u8], p: KdfParams) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(p.memory_kib, p.passes, p.lanes, Some(32))
        .map_err(|e| Error::KeyFile(format!("argon2 parameters: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase, salt, key.as_mut())
        .map_err(|e| Error::KeyFile(format!("argon2: {e}")))?;
    Ok(key)
}

fn associated_data(file: &KeyFile) -> Vec<u8> {
    let mut t = Transcript::new(tags::KEY_FILE);
    t.u64(file.version.into())
        .part(file.kdf.as_bytes())
        .u64(file.kdf_params.memory_kib.into())
        .u64(file.kdf_params.passes.into())
        .u64(file.kdf_params.lanes.into())
        .part(&file.salt)
        .part(file.cipher.as_bytes());
    t.as_bytes().to_vec()
}

impl KeyFile {
    /// Encrypts the secrets under a passphrase.
    pub fn seal<R: rand::CryptoRng + ?Sized>(
        secrets: &TrusteeSecrets,
        passphrase: &[u8],
        kdf_params: KdfParams,
        rng: &mut R,
    ) -> Result<Self> {
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 24];
        rng.fill_bytes(&mut salt);
        rng.fill_bytes(&mut nonce);
        let mut file = KeyFile {
            version: KEY_FILE_VERSION,
            kdf: "argon2id".into(),
            kdf_params,
            salt: salt.to_vec(),
            cipher: "xchacha20poly1305".into(),
            nonce: nonce.to_vec(),
            ciphertext: Vec::new(),
        };
        let key = derive(passphrase, &salt, kdf_params)?;
        let plain =
            Zeroizing::new(serde_json::to_vec(secrets).map_err(|e| Error::KeyFile(e.to_string()))?);
        file.ciphertext = XChaCha20Poly1305::new(key.as_ref().into())
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &plain,
                    aad: &associated_data(&file),
                },
            )
            .map_err(|_| Error::KeyFile("encryption failed".into()))?;
        Ok(file)
    }

    /// Decrypts the secrets; refuses unknown versions and excessive costs before any work.
    pub fn open(&self, passphrase: &[u8]) -> Result<TrusteeSecrets> {
        if self.version != KEY_FILE_VERSION {
            return Err(Error::KeyFile(format!("unknown version {}", self.version)));
        }
        if self.kdf != "argon2id" || self.cipher != "xchacha20poly1305" {
            return Err(Error::KeyFile("unknown kdf or cipher".into()));
        }
        let p = self.kdf_params;
        if p.memory_kib > MAX_MEMORY_KIB || p.passes > MAX_PASSES || p.lanes > 16 {
            return Err(Error::KeyFile("argon2 costs too high".into()));
        }
        if self.salt.len() < 16 || self.salt.len() > 64 || self.nonce.len() != 24 {
            return Err(Error::KeyFile("bad salt or nonce length".into()));
        }
        let nonce: [u8; 24] = self
            .nonce
            .as_slice()
            .try_into()
            .map_err(|_| Error::KeyFile("bad nonce length".into()))?;
        let key = derive(passphrase, &self.salt, p)?;
        let plain = Zeroizing::new(
            XChaCha20Poly1305::new(key.as_ref().into())
                .decrypt(
                    &XNonce::from(nonce),
                    Payload {
                        msg: &self.ciphertext,
                        aad: &associated_data(self),
                    },
                )
                .map_err(|_| Error::Passphrase)?,
        );
        serde_json::from_slice(&plain).map_err(|e| Error::KeyFile(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::ScalarBytes;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    const CHEAP: KdfParams = KdfParams {
        memory_kib: 64,
        passes: 1,
        lanes: 1,
    };

    fn secrets() -> TrusteeSecrets {
        TrusteeSecrets {
            setup_fingerprint: [7; 32],
            identity: IdentitySecret {
                index: 2,
                secret: ScalarBytes([1; 32]),
            },
            key: None,
        }
    }

    #[test]
    fn round_trip_and_wrong_passphrase() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let file = KeyFile::seal(&secrets(), b"correct horse", CHEAP, &mut rng).unwrap();
        let json = serde_json::to_string(&file).unwrap();
        let back: KeyFile = serde_json::from_str(&json).unwrap();
        assert_eq!(back.open(b"correct horse").unwrap(), secrets());
        assert_eq!(back.open(b"wrong"), Err(Error::Passphrase));
    }

    #[test]
    fn tampered_header_is_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let mut file = KeyFile::seal(&secrets(), b"pw", CHEAP, &mut rng).unwrap();
        file.kdf_params.passes = 2;
        assert_eq!(file.open(b"pw"), Err(Error::Passphrase));
        file.kdf_params.memory_kib = u32::MAX;
        assert!(matches!(file.open(b"pw"), Err(Error::KeyFile(_))));
    }
}
